// Changing the admin password: forced before anything else after the first login, and on the System page.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { secretField, field, form, value } from '../form.js';

/** The form alone; onChanged runs after the router accepted the new password. */
export function passwordForm(onChanged) {
  return form('Change password', [
    field('current', 'Current password', { type: 'password', autocomplete: 'current-password' }),
    secretField('new', 'New password', { hint: 'At least 8 characters. Not "admin", not the username.', minlength: '8' }),
    field('confirm', 'New password again', { type: 'password', autocomplete: 'new-password' }),
  ], 'Change password', async f => {
    const body = { current: value(f, 'current'), new: value(f, 'new'), confirm: value(f, 'confirm') };
    if (body.new !== body.confirm)
      throw Object.assign(new Error(''), { errors: [{ field: 'confirm', message: 'The two new passwords are not the same.' }] });
    await api.put('/api/admin/password', body);
    f.reset();
    return onChanged();
  });
}

export function mountForced(main, { session, onDone }) {
  const f = passwordForm(async () => {
    onDone(await api.get('/api/session'));
  });
  fill(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Choose your own password'),
    h('p', {}, 'This router still has its factory password, which everyone knows. Choose a new one before anything else.'),
    f));
  f.elements.namedItem('current').focus();
}
