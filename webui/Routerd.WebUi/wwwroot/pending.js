// Apply with rollback: a change that can cut the user off (the router's LAN address) stays
// pending until it is confirmed from the new address; unconfirmed, the router goes back to the
// old settings by itself. These views follow the user to the new address and ask there.
import { h, fill } from './dom.js';
import * as api from './api.js';

const banner = document.getElementById('banner');
let countdown = null;

const hostOf = address => String(address ?? '').split('/')[0];
const urlFor = address => `${location.protocol}//${hostOf(address)}${location.port ? `:${location.port}` : ''}/`;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
/** The address the browser came from, passed along when it followed a change (only ever a plain IPv4 address). */
const previous = () => {
  const p = new URLSearchParams(location.search).get('previous');
  return p && IPV4.test(p) ? p : null;
};

function startCountdown(seconds, show) {
  clearInterval(countdown);
  const ends = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    show(left);
    if (left === 0) clearInterval(countdown);
  };
  tick();
  countdown = setInterval(tick, 1000);
}

/** Shows the confirm banner when a risky change waits for confirmation. */
export async function checkPending() {
  let pending;
  try { pending = await api.get('/api/settings/pending'); } catch { return; }
  if (!pending?.pending) { fill(banner); return; }
  const here = location.hostname === hostOf(pending.newAddress);
  const left = h('strong', {});
  const keep = h('button', { type: 'button', class: 'primary' }, 'Keep the new address');
  keep.addEventListener('click', async () => {
    keep.disabled = true;
    try {
      await api.post('/api/settings/confirm');
      clearInterval(countdown);
      fill(banner, h('div', { class: 'notice ok' }, h('p', {}, `Done: the router keeps ${hostOf(pending.newAddress)}.`)));
    } catch (error) {
      keep.disabled = false;
      fill(banner, h('div', { class: 'notice bad' }, h('p', {}, error.message)));
    }
  });
  // The router moved its LAN by itself (the internet modem's lease was in the LAN's subnet):
  // the reason is shown, and the old address simply goes at the end; nothing rolls back.
  if (pending.reason) {
    fill(banner, h('div', { class: 'notice warn pending', role: 'alert' },
      h('p', {}, pending.reason, ' The old address stops answering in ', left, '.'),
      here ? keep : h('p', {}, 'Continue at the new address: ', h('a', { href: urlFor(pending.newAddress) }, urlFor(pending.newAddress)))));
    startCountdown(pending.secondsLeft ?? 0, s => { left.textContent = `${s} s`; });
    return;
  }
  fill(banner, h('div', { class: 'notice warn pending' },
    h('p', {}, `The router's address changed to ${hostOf(pending.newAddress)}. `,
      'Unless you confirm, it goes back to the old settings in ', left, '.'),
    here ? keep : h('p', {}, 'Confirm from the new address: ', h('a', { href: urlFor(pending.newAddress) }, urlFor(pending.newAddress)))));
  startCountdown(pending.secondsLeft ?? 0, s => {
    left.textContent = `${s} s`;
    if (s === 0) setTimeout(() => wentBack(), 2000);
  });
}

/** The time is up: the router has gone back to the old address (unless it was confirmed meanwhile). */
async function wentBack() {
  try {
    const pending = await api.get('/api/settings/pending');
    if (pending?.pending) return checkPending();
  } catch { /* this address has gone: that is the rollback */ }
  const old = previous();
  fill(banner, h('div', { class: 'notice warn', role: 'alert' },
    h('p', {}, 'Time is up: the router went back to its old address and settings.'),
    old && h('p', {}, 'Continue at ', h('a', { href: urlFor(old) }, urlFor(old)))));
}

/** After a 202: explains what happens and moves the browser to the new address. */
export function followNewAddress(main, answer) {
  const url = urlFor(answer.newAddress);
  const next = IPV4.test(location.hostname) ? `${url}?previous=${location.hostname}` : url;
  const left = h('strong', {});
  fill(main, h('section', { class: 'panel narrow' },
    h('h1', { tabindex: '-1' }, 'Moving to the new address'),
    h('p', {}, 'The router now answers at ', h('a', { href: url }, url), '. This page follows it in a few seconds.'),
    h('p', {}, 'Log in there and press ', h('em', {}, 'Keep the new address'), '. If you do not confirm within ', left,
      ', the router goes back to its old address by itself, so a wrong address can never lock you out.'),
    h('p', { class: 'hint' }, 'If the new page does not open, reconnect this device (unplug the cable or rejoin the Wi-Fi) so it gets an address in the new network.')));
  main.querySelector('h1').focus();
  startCountdown(answer.secondsLeft ?? 60, s => { left.textContent = `${s} seconds`; });
  setTimeout(() => location.assign(next), 4000);
}
