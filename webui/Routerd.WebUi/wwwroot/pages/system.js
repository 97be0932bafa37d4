// System: the admin password, the router's own address, firmware updates, backup and restore,
// factory reset, reboot.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { field, toggle, form, value, checked } from '../form.js';
import { confirmAction } from '../confirm.js';
import { passwordForm } from './password.js';
import { followNewAddress } from '../pending.js';
import { poll } from '../poll.js';
import { bytes } from '../format.js';

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
  const restart = async (button, text) => {
    const ok = await confirmAction({ title: 'Restart the router?', text, action: 'Restart' });
    if (!ok) return;
    if (await run(button, () => api.post('/api/system/reboot'))) waitForRestart(main);
  };
  reboot.addEventListener('click', () => restart(reboot, 'The Internet and Wi-Fi are gone for about a minute while it restarts.'));

  const firmware = firmwareSection(await api.get('/api/firmware'), restart);
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
      firmware.section,
      section('Back up', backup),
      section('Restore', restore),
      section('Start over', h('p', { class: 'hint' }, 'Both ask before they do anything.'), h('div', { class: 'actions' }, reboot, reset), dangerStatus)));
  return firmware.stop;
}

/** The firmware: what runs, what the other slot holds, what became of the last update, and the
 *  upload → check → write → restart of a new one (GET/POST /api/firmware). */
function firmwareSection(status, restart) {
  const facts = h('div', {});
  const outcome = h('div', {});
  let stopPolling = () => {};
  if (!status.available) {
    facts.append(h('p', {}, `Running routerd ${status.runningVersion}.`),
      h('p', { class: 'notice warn' }, status.unavailable ?? 'Updates are not available on this system.'));
    return { section: section('Firmware', facts), stop: stopPolling };
  }

  const progress = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': 'Update progress' });
  const step = h('p', { class: 'hint', 'aria-live': 'polite' });
  const verdict = h('div', { 'aria-live': 'polite' });
  const restartNow = h('button', { type: 'button', class: 'primary', hidden: true }, 'Restart to run the update…');
  restartNow.addEventListener('click', () => restart(restartNow,
    'The router starts the new version. If it does not start correctly, the router goes back to the running version by itself. The Internet and Wi-Fi are gone for a few minutes.'));

  const upload = form('Upload update', [
    field('bundle', 'Update file', { type: 'file', accept: '.raucb',
      hint: 'A routerd update (.raucb) for this router. It is checked before anything is written; the running system stays as it is until you restart.' }),
    toggle('force', 'Allow an older or the same version', false, 'Only to go back to an earlier version on purpose.'),
  ], 'Upload update', async f => {
    const file = f.elements.namedItem('bundle').files[0];
    if (!file) throw { errors: [{ field: 'bundle', message: 'Choose an update file first.' }] };
    fill(verdict);
    restartNow.hidden = true;
    show(0, `Uploading ${bytes(0)} of ${bytes(file.size)}…`);
    let job;
    try {
      job = await api.upload(`/api/firmware?force=${checked(f, 'force')}`, file, (sent, total) => {
        const done = sent >= total;
        show(total ? Math.round(sent * 100 / total) : 0, done ? 'Uploaded. Checking the update (signature, router, version)…' : `Uploading ${bytes(sent)} of ${bytes(total)}…`);
      });
    } catch (error) {
      hide();
      if (error.code?.startsWith('firmware/') || error.errors?.some(e => e.field === 'bundle')) {
        fill(verdict, refusal(error));
        return '';
      }
      throw error;
    }
    fill(verdict, h('p', { class: 'notice ok' }, `Checked: ${job.message}. Writing it to the other slot…`));
    follow();
    return '';
  });

  function show(percent, text) {
    progress.hidden = false;
    progress.value = percent;
    step.textContent = text;
  }
  function hide() {
    progress.hidden = true;
    step.textContent = '';
  }

  function render(s) {
    fill(facts,
      h('p', {}, `Running routerd ${s.runningVersion}`, s.bootedSlot ? ` from slot ${s.bootedSlot}` : '', '. ', bootCheck(s.bootCheck)),
      s.other && h('p', {}, otherSlot(s.other)));
    // "Updated to X (from Y)." or "The update to X did not start correctly; the router went back to Y: why."
    fill(outcome, s.lastUpdate && h('p', { class: `notice ${s.lastUpdate.state === 'updated' ? 'ok' : 'bad'}`, role: 'status' }, s.lastUpdate.message));
    const job = s.job;
    if (job.state === 'installing') {
      const p = job.progress;
      show(p?.percent ?? 0, !p ? `Writing routerd ${job.version} to the other slot…`
        : p.step === 'verifying' ? `Checking what was written: ${p.percent} % (${p.detail})`
        : `Writing routerd ${job.version} to the other slot: ${p.percent} % (${p.detail})`);
    } else if (job.state === 'installed') {
      hide();
      fill(verdict, h('p', { class: 'notice ok' }, `${job.message}.`));
      restartNow.hidden = false;
    } else if (job.state === 'refused' && !verdict.hasChildNodes()) {
      fill(verdict, refusal({ code: job.code, message: job.message }));
    } else if (job.state === 'failed' && job.version) {
      hide();
      fill(verdict, h('p', { class: 'notice bad', role: 'alert' }, `Writing routerd ${job.version} failed; the running system is unchanged: ${job.message}`));
    }
    return job.state;
  }

  function follow() {
    stopPolling();
    stopPolling = poll(async () => {
      const state = render(await api.get('/api/firmware'));
      if (state !== 'installing' && state !== 'checking' && state !== 'receiving') stopPolling();
    }, 2000);
  }

  render(status);
  if (status.job.state === 'installing') follow();
  return {
    section: section('Firmware', facts, outcome, upload, progress, step, verdict, h('div', { class: 'actions' }, restartNow)),
    stop: () => stopPolling(),
  };
}

const capital = text => text.charAt(0).toUpperCase() + text.slice(1);
/** The router's reason as a sentence: capital first, a full stop last. */
const sentence = text => capital(text).replace(/([^.!?])$/, '$1.');

function bootCheck(check) {
  if (check === 'good') return 'It started correctly and is kept.';
  if (check === 'pending') return 'Checking that it started correctly…';
  return `It has not passed its start-up check (${check}); if it does not, the router goes back to the other slot after a restart.`;
}

function otherSlot(other) {
  if (!other.version) return `Slot ${other.slot} holds no update yet.`;
  const state = other.bootStatus === 'bad' ? 'it did not start correctly and is not used'
    : other.bootStatus === 'good' ? 'it can start' : `its state: ${other.bootStatus ?? 'unknown'}`;
  const installed = other.installed ? `, written ${new Date(other.installed).toLocaleString()}` : '';
  return `Slot ${other.slot} holds routerd ${other.version}${installed}; ${state}.`;
}

/** A refused upload in words: what was wrong, that nothing was written, and what to do. */
function refusal(error) {
  const detail = error.errors?.find(e => e.field === 'bundle')?.message ?? error.message ?? '';
  const [title, advice] = {
    'firmware/BAD_SIGNATURE': ['The update\'s signature is not valid.', 'The file was changed after it was made, or it was not made for this router. Download it again from where you got it.'],
    'firmware/WRONG_BOARD': ['This update is for another kind of router.', 'Download the update for this router\'s model.'],
    'firmware/NOT_NEWER': ['This update is not newer than the running version.', 'To go back to an earlier version on purpose, switch on "Allow an older or the same version" and upload it again.'],
    'firmware/NOT_A_BUNDLE': ['This file is not a routerd update.', 'Choose the .raucb file of a routerd update.'],
    'firmware/BAD_VERSION': ['This update has no usable version.', 'Download the update again.'],
    'firmware/BUSY': ['Another update is being received or written.', 'Wait until it is done.'],
    'firmware/UNSUPPORTED': ['Updates are not available on this system.', ''],
  }[error.code] ?? ['The update was not accepted.', ''];
  return h('div', { class: 'notice bad', role: 'alert' },
    h('p', {}, h('strong', {}, `${title} Nothing was written.`)),
    detail && h('p', {}, sentence(detail)),
    advice && h('p', {}, advice));
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
