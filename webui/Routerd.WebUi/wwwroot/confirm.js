// Confirmation for dangerous actions: a real modal <dialog> (focus stays inside, Esc cancels).
import { h } from './dom.js';

/** Resolves true when the user presses the action button, false on Cancel or Esc. */
export function confirmAction({ title, text, action, danger = true }) {
  return new Promise(resolve => {
    const cancel = h('button', { type: 'button', class: 'ghost', value: 'cancel' }, 'Cancel');
    const ok = h('button', { type: 'button', class: danger ? 'danger' : 'primary', value: 'ok' }, action);
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, text),
      h('div', { class: 'actions' }, cancel, ok));
    const finish = result => { dialog.close(); dialog.remove(); resolve(result); };
    cancel.addEventListener('click', () => finish(false));
    ok.addEventListener('click', () => finish(true));
    dialog.addEventListener('cancel', event => { event.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
