// Log in. The first time, the router's password is admin/admin; the next view then insists on a new one.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { field, form, value } from '../form.js';

export function mount(main, { message, onSignedIn }) {
  const login = form('Log in', [
    field('username', 'Username', { autocomplete: 'username', value: 'admin', autocapitalize: 'off', spellcheck: 'false' }),
    field('password', 'Password', { type: 'password', autocomplete: 'current-password' }),
  ], 'Log in', async f => {
    try {
      const session = await api.post('/api/session', { username: value(f, 'username'), password: value(f, 'password') });
      onSignedIn(session);
    } catch (error) {
      if (error.status === 401) error.message = 'Wrong username or password.';
      if (error.status === 429) error.message = `Too many attempts. Try again in ${error.retryAfter ?? 'a few'} seconds.`;
      error.errors = [];
      throw error;
    }
  });
  fill(main, h('section', { class: 'panel narrow login' },
    h('div', { class: 'brand big' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Router'),
    h('h1', {}, 'Log in'),
    message && h('p', { class: 'notice' }, message),
    login,
    h('p', { class: 'hint' }, 'First time here? The username and password are both ', h('code', {}, 'admin'), '. You will choose your own password next.')));
  login.elements.namedItem('password').focus();
}
