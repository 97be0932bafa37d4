// Changing the admin password: forced before anything else after the first login, and on the System page.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { secretField, field, form, value } from '../form.js';

/** The form alone; onChanged runs after the router accepted the new password. */
export function passwordForm(onChanged) {
  const next = secretField('new', 'New password', { hint: 'At least 8 characters. Common passwords, the username and the Wi-Fi name are refused.', minlength: '8' });
  const meter = h('p', { class: 'hint', 'aria-live': 'polite' });
  next.querySelector('.field-error').before(meter);
  next.querySelector('input').addEventListener('input', event => {
    const p = event.target.value;
    meter.textContent = p ? `Strength: ${strength(p)}` : '';
  });
  return form('Change password', [
    field('current', 'Current password', { type: 'password', autocomplete: 'current-password' }),
    next,
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

/** A rough guide while typing, from length and variety only; the router itself refuses the
 *  common passwords (its list stays on the router, so the page stays small). */
export function strength(p) {
  if (p.length < 8) return 'too short';
  if (/^(.)\1*$/.test(p) || /^\d+$/.test(p)) return 'weak (a repeated character, or digits only)';
  // A word with digits or symbols around it ("Sunshine2024!") is what guessers try right after the word.
  if (/^[^A-Za-z]*[A-Za-z]{1,12}[^A-Za-z]*$/.test(p)) return 'weak (one word with digits or symbols added)';
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter(r => r.test(p)).length;
  const score = (p.length >= 12) + (p.length >= 16) + (kinds >= 3) + (new Set(p).size >= 8);
  return ['weak (make it longer)', 'fair (longer is better)', 'good', 'strong', 'strong'][score];
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
