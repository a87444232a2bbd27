// Parts the task and sweep-run pages share: a confirmation dialog, a result (JSON or a pickle's
// type and repr with a download), an error with its traceback, and an output panel that follows
// the logs while the task runs.

import {ApiError, getText, request, streamText} from './api.js';
import {el, errorText, notice, replace} from './dom.js';

/**
 * Asks for a confirmation in a modal <dialog>; resolves to true when confirmed. The texts are set
 * as text.
 */
export function confirmDialog(title, message, confirmLabel, danger = true) {
  return new Promise((resolve) => {
    const dialog = el('dialog', {class: 'confirm', id: 'confirm-dialog',
      'aria-labelledby': 'confirm-title'});
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      el('h2', {id: 'confirm-title'}, title),
      el('p', {}, message),
      el('div', {class: 'actions'},
        el('button', {type: 'button', id: 'confirm-no', on: {click: () => close(false)}}, 'Keep it'),
        el('button', {type: 'button', id: 'confirm-yes', class: danger ? 'danger' : 'primary',
          on: {click: () => close(true)}}, confirmLabel)));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Whether a result value is the description of a pickle ({pickled: true, type, repr}). */
export function isPickle(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    value.pickled === true && typeof value.type === 'string' && 'repr' in value;
}

/**
 * A result: pretty-printed JSON, or for a pickle its type and repr and a download of its bytes
 * from `path` (asked for with Accept: application/octet-stream).
 */
export function resultBlock(value, path, filename) {
  if (isPickle(value)) {
    const status = el('span', {class: 'muted'});
    return el('div', {class: 'result pickled'},
      el('p', {}, 'A value JSON cannot carry, kept as a pickle: ',
        el('code', {id: 'result-type'}, value.type)),
      el('pre', {class: 'block', id: 'result-repr'}, String(value.repr)),
      el('p', {},
        el('button', {type: 'button', id: 'download-pickle',
          on: {click: () => download(path, filename, status)}}, 'Download the pickle'), ' ',
        status),
      el('p', {class: 'muted'}, 'Unpickle only what your own tasks returned.'));
  }
  return el('pre', {class: 'block', id: 'result-json'}, JSON.stringify(value, null, 2));
}

async function download(path, filename, status) {
  replace(status, 'downloading…');
  try {
    const response = await request(path, {accept: 'application/octet-stream'});
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const a = el('a', {href: url, download: filename});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    replace(status, `${blob.size} bytes`);
  } catch (e) {
    replace(status, 'Could not download: ' + errorText(e));
  }
}

/** An error: its type and message, and the traceback when there is one. */
export function errorBlock(error) {
  if (!error) return null;
  return el('div', {class: 'error'},
    el('p', {}, el('span', {class: 'error-type', id: 'error-type'}, error.type || 'Error'),
      error.message ? ': ' : '', el('span', {id: 'error-message'}, error.message || '')),
    error.traceback ? el('pre', {class: 'block', id: 'traceback'}, error.traceback) : null);
}

/**
 * The output panel: `follow()` streams GET <path>?follow=true into it as it comes (until the task
 * ends); `load()` reads the output once. `stop()` aborts a stream. path is the /logs path, with
 * `?index=i` for a sweep's run (follow is added with & then).
 */
export function outputPanel(path) {
  const pre = el('pre', {class: ['block', 'logs'], id: 'logs', hidden: true});
  const state = el('span', {class: 'live', hidden: true}, 'live');
  const message = el('div', {});
  const head = el('h2', {}, 'Output', state);
  const panel = el('section', {class: 'section', id: 'output'}, head, message, pre);
  let controller = null;
  let received = false;
  const join = path.includes('?') ? '&' : '?';

  function show(text) {
    if (!text) return;
    if (pre.hidden) {
      pre.hidden = false;
      replace(message);
    }
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
    pre.append(document.createTextNode(text));
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  return {
    element: panel,
    following: () => controller !== null,
    /** Follows the output; resolves when the stream ended (true) or failed (false). */
    async follow() {
      if (controller) return true;
      controller = new AbortController();
      state.hidden = false;
      pre.replaceChildren();
      pre.hidden = true;
      replace(message, el('p', {class: 'muted', id: 'output-waiting'},
        'Nothing printed yet; the output shows here as it comes.'));
      try {
        await streamText(path + join + 'follow=true', (text) => {
          received = true;
          show(text);
        }, controller.signal);
        return true;
      } catch (e) {
        if (e.name !== 'AbortError') replace(message, notice('error', errorText(e)));
        return false;
      } finally {
        state.hidden = true;
        controller = null;
        if (pre.hidden && message.querySelector('#output-waiting')) replace(message);
      }
    },
    /** Reads the output once, as stored. */
    async load() {
      try {
        const text = await getText(path);
        pre.replaceChildren();
        pre.hidden = true;
        received = true;
        replace(message);
        show(text);
        if (!text) replace(message, notice('empty', 'The task printed nothing.'));
      } catch (e) {
        pre.replaceChildren();
        pre.hidden = true;
        replace(message, e instanceof ApiError && e.kind === 'no-logs'
          ? notice('empty', e.detail || 'There is no output.') : notice('error', errorText(e)));
      }
    },
    received: () => received,
    /** Shows a line in place of the output until there is some. */
    note(text) {
      replace(message, el('p', {class: 'muted'}, text));
    },
    stop() {
      if (controller) controller.abort();
    },
  };
}
