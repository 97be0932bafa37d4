// System: the admin password, the router's own address, backup and restore, factory reset, reboot.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { field, toggle, form, value, checked } from '../form.js';
import { confirmAction } from '../confirm.js';
import { passwordForm } from './password.js';
import { followNewAddress } from '../pending.js';

export async function mount(main, { showLogin }) {
  const settings = await api.get('/api/settings');

  const password = passwordForm(() => 'Password changed.');

  const lan = form('Router address', [
    field('lan.address', 'Router address with prefix', { value: settings.lan.address, autocapitalize: 'off', spellcheck: 'false',
      hint: 'Where you reach this page, e.g. 192.168.1.1/24. Devices get addresses from the same network.' }),
  ], 'Change address', async f => {
    const address = value(f, 'lan.address').trim();
    const fresh = await api.get('/api/settings');
    if (address === fresh.lan.address) return 'Nothing changed.';
    const ok = await confirmAction({
      title: 'Change the router address?',
      text: `This page moves to ${address.split('/')[0]}, where you confirm the change. If nobody confirms in time (the page shows a countdown), the router goes back to ${fresh.lan.address.split('/')[0]} by itself.`,
      action: 'Change address', danger: false });
    if (!ok) return '';
    const answer = await api.put('/api/settings', { ...fresh, lan: moveLan(fresh.lan, address) });
    if (answer?.pending) followNewAddress(main, answer);
    return 'Saved.';
  });

  const backup = form('Back up settings', [
    toggle('secrets', 'Include passwords (PPPoE and Wi-Fi)', false, 'Keep such a file as safe as the passwords themselves.'),
  ], 'Download settings', async f => {
    const secrets = checked(f, 'secrets');
    const text = await api.request('GET', `/api/settings/export?secrets=${secrets}`, undefined, { raw: true });
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = h('a', { href: url, download: `router-settings-${new Date().toISOString().slice(0, 10)}.json`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return 'Downloaded.';
  });

  const restore = form('Restore settings', [
    field('file', 'Settings file', { type: 'file', accept: 'application/json,.json' }),
  ], 'Restore', async f => {
    const file = f.elements.namedItem('file').files[0];
    if (!file) throw { errors: [{ field: 'file', message: 'Choose a settings file first.' }] };
    const text = await file.text();
    try { JSON.parse(text); } catch { throw { errors: [{ field: 'file', message: 'This is not a settings file (not JSON).' }] }; }
    const ok = await confirmAction({ title: 'Restore these settings?', text: 'Every setting is replaced by the ones in the file. Passwords missing from the file stay as they are.', action: 'Restore' });
    if (!ok) return '';
    const answer = await api.request('POST', '/api/settings/import', text);
    if (answer?.pending) followNewAddress(main, answer);
    return 'Settings restored.';
  });

  const reset = h('button', { type: 'button', class: 'danger' }, 'Factory reset…');
  reset.addEventListener('click', async () => {
    const ok = await confirmAction({ title: 'Reset to factory settings?',
      text: 'Every setting is erased: Internet login, Wi-Fi, device names, and your password (it becomes admin again until you change it). Devices may lose their connection.',
      action: 'Erase everything' });
    if (!ok) return;
    await run(reset, () => api.post('/api/system/factory-reset'));
    showLogin('The router is back to factory settings. Log in with admin / admin.');
  });

  const reboot = h('button', { type: 'button', class: 'danger' }, 'Restart router…');
  reboot.addEventListener('click', async () => {
    const ok = await confirmAction({ title: 'Restart the router?', text: 'The Internet and Wi-Fi are gone for about a minute while it restarts.', action: 'Restart' });
    if (!ok) return;
    if (await run(reboot, () => api.post('/api/system/reboot'))) waitForRestart(main);
  });
  const dangerStatus = h('p', { class: 'form-status', role: 'status' });

  async function run(button, action) {
    button.disabled = true;
    try { await action(); return true; }
    catch (error) { dangerStatus.textContent = error.message; return false; }
    finally { button.disabled = false; }
  }

  fill(main, h('h1', {}, 'System'),
    h('div', { class: 'grid' },
      section('Password', password),
      section('Router address', lan),
      section('Back up', backup),
      section('Restore', restore),
      section('Start over', h('p', { class: 'hint' }, 'Both ask before they do anything.'), h('div', { class: 'actions' }, reboot, reset), dangerStatus)));
}

const section = (title, ...content) => h('section', { class: 'panel' }, h('h2', {}, title), content);

/** A new router address keeps the DHCP pool's host part, moved into the new /24 network. */
function moveLan(lan, address) {
  const [ip, prefix] = address.split('/');
  const oldNet = lan.address.split('/')[0].split('.').slice(0, 3).join('.');
  const newNet = ip.split('.').slice(0, 3).join('.');
  const move = a => (prefix === '24' && a?.startsWith(`${oldNet}.`)) ? `${newNet}.${a.split('.')[3]}` : a;
  return { ...lan, address, dhcp: { ...lan.dhcp, start: move(lan.dhcp.start), end: move(lan.dhcp.end) } };
}

function waitForRestart(main) {
  fill(main, h('section', { class: 'panel narrow' }, h('h1', { tabindex: '-1' }, 'Restarting…'),
    h('p', {}, 'This page reloads by itself when the router is back.')));
  main.querySelector('h1').focus();
  const started = Date.now();
  const check = async () => {
    try {
      await api.get('/api/session');
      if (Date.now() - started > 5000) return location.reload();
    } catch (error) {
      if (error.status === 401) return location.reload();
    }
    setTimeout(check, 2000);
  };
  setTimeout(check, 3000);
}
