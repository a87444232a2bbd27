// #/sign-in: the client's token, checked against the API before it is kept (sessionStorage only).

import {ApiError, request, session} from '../api.js';
import {el, errorText, notice, replace} from '../dom.js';

export function render(container, ctx, params) {
  ctx.setTitle('Sign in');
  session.signOut(); // coming here forgets any token
  const message = el('div', {class: 'sign-in-message', id: 'sign-in-message'});
  if (params.expired) {
    replace(message, notice('info', 'The token was not accepted any more; sign in again.'));
  }
  const input = el('input', {
    type: 'password', id: 'token', name: 'token', autocomplete: 'off', spellcheck: 'false',
    required: true, 'aria-describedby': 'sign-in-message',
  });
  const button = el('button', {type: 'submit', class: 'primary', id: 'sign-in-button'}, 'Sign in');
  const controller = new AbortController();

  async function submit(event) {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      replace(message, notice('error', 'Enter your client token.'));
      return;
    }
    button.disabled = true;
    replace(message);
    try {
      await request('/api/v1/tasks?size=1', {token, signal: controller.signal});
      session.signIn(token);
      const next = typeof params.next === 'string' && params.next.startsWith('#/') &&
        !params.next.startsWith('#/sign-in') ? params.next : '#/tasks';
      ctx.navigate(next);
    } catch (e) {
      if (e.name === 'AbortError') return;
      button.disabled = false;
      replace(message, notice('error', e instanceof ApiError && e.status === 401
        ? 'This token was refused: it is not the token of any client of this service.'
        : 'Could not sign in: ' + errorText(e)));
      input.select();
    }
  }

  container.append(el('section', {class: 'card sign-in'},
    el('h1', {}, 'Sign in'),
    el('p', {class: 'muted'},
      'Enter your client token (the one sent as Authorization: Bearer). It is kept in this tab ',
      'only, until you sign out or close it.'),
    el('form', {id: 'sign-in-form', on: {submit}},
      el('label', {for: 'token'}, 'Client token'),
      input,
      button),
    message));
  input.focus();
  return () => controller.abort();
}
