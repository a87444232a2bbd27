// The API as the dashboard calls it: fetch with the signed-in client's token as
// `Authorization: Bearer`, problem answers (RFC 9457) turned into ApiError, a 401 ending the
// session and sending the user to sign in. The token lives in sessionStorage only (this tab, until
// it is closed or the user signs out); it never goes into a URL or a cookie.

const TOKEN_KEY = 'batch-executor.token';

/** The signed-in client's token, kept in sessionStorage. */
export const session = {
  token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signedIn() {
    return Boolean(sessionStorage.getItem(TOKEN_KEY));
  },
  signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An answer that was not a success: its status and, for a problem, its fields. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    const title = (problem && problem.title) || fallback || 'HTTP ' + status;
    const detail = problem && problem.detail;
    super(detail ? title + ': ' + detail : title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || null;
    this.title = title;
    this.detail = detail || null;
    /** The problem's kind: the last part of its type (e.g. 'task-not-found'), or null. */
    this.kind = problem && typeof problem.type === 'string'
      ? problem.type.slice(problem.type.lastIndexOf(':') + 1) : null;
  }
}

let onUnauthorized = () => {};

/** What happens on a 401 (main.js sends the user to sign in). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

/**
 * A request to the API; answers the Response when it is a success, else throws ApiError.
 *
 * options: method, body (sent as JSON), accept, signal (an AbortSignal), token (instead of the
 * session's: used to check a token at sign-in, where a 401 is the answer rather than the end of
 * the session).
 */
export async function request(path, options = {}) {
  const token = options.token !== undefined ? options.token : session.token();
  const headers = {Accept: options.accept || 'application/json'};
  if (token) headers.Authorization = 'Bearer ' + token;
  const init = {method: options.method || 'GET', headers, signal: options.signal,
    cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'};
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path, init);
  if (response.ok) {
    return response;
  }
  let problem = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      problem = await response.json();
    } catch (e) {
      problem = null;
    }
  }
  const error = new ApiError(response.status, problem, response.statusText);
  if (response.status === 401 && options.token === undefined) {
    session.signOut();
    onUnauthorized(error);
  }
  throw error;
}

/** GET path and answer its JSON. */
export async function getJson(path, options) {
  return (await request(path, options)).json();
}

/** POST (JSON body, optional) and answer the JSON answer, or null for none. */
export async function postJson(path, body, options = {}) {
  const response = await request(path, Object.assign({}, options, {method: 'POST', body}));
  return response.status === 204 ? null : response.json();
}

/** DELETE path. */
export async function del(path, options = {}) {
  await request(path, Object.assign({}, options, {method: 'DELETE'}));
}

/** GET path as text. */
export async function getText(path, options) {
  return (await request(path, Object.assign({accept: 'text/plain'}, options))).text();
}

/**
 * Reads a streamed text answer (e.g. /logs?follow=true) as it arrives: onText(chunk) for each
 * decoded part; resolves when the answer ends, rejects with ApiError or an AbortError. (Fetch, not
 * EventSource: EventSource cannot send the Authorization header.)
 */
export async function streamText(path, onText, signal) {
  const response = await request(path, {accept: 'text/plain', signal});
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const {done, value} = await reader.read();
    if (done) {
      const rest = decoder.decode();
      if (rest) onText(rest);
      return;
    }
    const text = decoder.decode(value, {stream: true});
    if (text) onText(text);
  }
}

/** Encodes one path segment (ids come from the URL's hash, so are never trusted as they are). */
export function seg(value) {
  return encodeURIComponent(String(value));
}

/** A query string from an object, leaving out null, undefined and '' values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') q.set(key, String(value));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
