// Labelled inputs whose errors sit right under them. A field's name is the API's field path
// (wan.pppoe.username), so a 400 {errors:[{field, message}]} lands next to the right input.
import { h, uid } from './dom.js';

/** A labelled control. opts: {type, value, hint, autocomplete, options: [[value, text]], ...attrs} */
export function field(name, label, opts = {}) {
  const { type = 'text', hint, options, value, ...attrs } = opts;
  const id = uid('f');
  const errorId = `${id}-error`, hintId = `${id}-hint`;
  const control = type === 'select'
    ? h('select', { id, name, ...attrs }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)))
    : h('input', { id, name, type, value: value ?? '', ...attrs });
  control.setAttribute('aria-describedby', [hint ? hintId : '', errorId].join(' ').trim());
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id }, label),
    control,
    hint && h('p', { class: 'hint', id: hintId }, hint),
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

/** A password input with a Show/Hide button. */
export function secretField(name, label, opts = {}) {
  const wrapper = field(name, label, { type: 'password', autocomplete: 'new-password', ...opts });
  const input = wrapper.querySelector('input');
  const toggle = h('button', { type: 'button', class: 'ghost small', 'aria-pressed': 'false', 'aria-controls': input.id }, 'Show');
  toggle.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    toggle.textContent = show ? 'Hide' : 'Show';
    toggle.setAttribute('aria-pressed', String(show));
  });
  const row = h('div', { class: 'with-button' });
  input.before(row);
  row.append(input, toggle);
  return wrapper;
}

/** An on/off switch: a checkbox styled as a switch, still a real checkbox for keyboards and screen readers. */
export function toggle(name, label, checked, hint) {
  const id = uid('t');
  return h('div', { class: 'field switch', 'data-field': name },
    h('input', { id, name, type: 'checkbox', role: 'switch', checked }),
    h('label', { for: id }, label),
    hint && h('p', { class: 'hint' }, hint),
    h('p', { class: 'field-error', hidden: true }));
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach(p => { p.hidden = true; p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(c => c.removeAttribute('aria-invalid'));
  const general = form.querySelector('.form-error');
  if (general) { general.hidden = true; general.textContent = ''; }
}

/** Shows an ApiError: each message next to its field; what names no field on this form goes on top. */
export function showErrors(form, error) {
  clearErrors(form);
  const unplaced = [];
  let first = null;
  for (const { field: name, message } of error.errors ?? []) {
    // A list's entry (ipv6.static.dns[1]) goes under the list's one input.
    const box = name && (form.querySelector(`[data-field="${CSS.escape(name)}"]`) ?? form.querySelector(`[data-field="${CSS.escape(name.replace(/\[\d+\]$/, ''))}"]`));
    if (!box) { unplaced.push(name ? `${name}: ${message}` : message); continue; }
    const p = box.querySelector('.field-error');
    p.textContent = p.textContent ? `${p.textContent} ${message}` : message;
    p.hidden = false;
    const control = box.querySelector('input, select, textarea');
    control?.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  const general = form.querySelector('.form-error');
  const text = unplaced.length ? unplaced.join(' · ') : (error.errors?.length ? '' : error.message);
  if (general && text) { general.textContent = text; general.hidden = false; }
  (first ?? general)?.focus?.();
}

/** A form with a general error line on top, a status line and a submit button at the bottom. */
export function form(label, children, submitText, onSubmit) {
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, submitText);
  const el = h('form', { 'aria-label': label, novalidate: true },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    children,
    h('div', { class: 'actions' }, submit, status));
  el.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(el);
    status.textContent = '';
    submit.disabled = true;
    try {
      const message = await onSubmit(el);
      if (message) status.textContent = message;
    } catch (error) {
      showErrors(el, error);
    } finally {
      submit.disabled = false;
    }
  });
  return el;
}

export const value = (form, name) => form.elements.namedItem(name)?.value ?? '';
export const checked = (form, name) => !!form.elements.namedItem(name)?.checked;
