// The shell: who is signed in, the navigation, and which page is shown. Each page is a module
// under pages/ that loads its data from the API and renders it (load → render); it is fetched
// only when first shown, so the first load stays small.
import { h, fill } from './dom.js';
import * as api from './api.js';
import { checkPending } from './pending.js';

export const PAGES = [
  ['status', 'Status'],
  ['internet', 'Internet'],
  ['wifi', 'Wi-Fi'],
  ['devices', 'Devices'],
  ['forwards', 'Port forwarding'],
  ['system', 'System'],
  ['tools', 'Tools'],
];

const main = document.getElementById('main');
const top = document.getElementById('top');
const nav = document.getElementById('nav');
let session = null;
let leavePage = null;
let generation = 0;

async function start() {
  api.on('signedOut', () => showLogin('Your session has ended. Please log in again.'));
  api.on('mustChangePassword', () => showForcedPasswordChange());
  document.getElementById('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', () => { if (session && !session.mustChangePassword) route(); });
  fill(nav, PAGES.map(([name, label]) => h('a', { href: `#/${name}`, 'data-page': name }, label)));
  try {
    signedIn(await api.get('/api/session'));
  } catch (error) {
    if (error.status === 401) showLogin();
    else showProblem(error);
  }
}

/** Called with the session after login, after the password change, and on load. */
export function signedIn(s) {
  session = s;
  api.setSession(s);
  if (s.mustChangePassword) return showForcedPasswordChange();
  top.hidden = false;
  route();
  checkPending();
  showStoreBanner();
}

// What routerd found in its settings file at start (status.store): a banner until the next restart.
const STORE_MESSAGES = {
  'store/RESTORED': 'The settings file was damaged. The router restored your last saved settings; the damaged file was kept for diagnosis.',
  'store/RESCUE': 'The settings file was damaged and there was no saved copy. The router started with its factory settings: please set it up again. The damaged file was kept for diagnosis.',
};
// store/BEHIND: a power cut came while the settings file was catching up with the last good copy,
// which holds every saved change and was used. Nothing was lost, so no alarm: the log says it.
const QUIET_STORE_CODES = new Set(['store/BEHIND']);

async function showStoreBanner() {
  if (document.getElementById('store-banner')) return;
  let store;
  try { store = (await api.get('/api/status')).store; } catch { return; }
  if (!store || QUIET_STORE_CODES.has(store.code) || document.getElementById('store-banner')) return;
  main.before(h('div', { id: 'store-banner', class: 'notice bad banner', role: 'alert' },
    STORE_MESSAGES[store.code] ?? `Settings store: ${store.code}`));
}

async function showView(moduleName, setup) {
  const mine = ++generation;
  leavePage?.();
  leavePage = null;
  const module = await import(`./pages/${moduleName}.js`);
  if (mine !== generation) return;
  fill(main);
  leavePage = (await setup(module)) ?? null;
  main.querySelector('h1')?.setAttribute('tabindex', '-1');
}

export function showLogin(message) {
  session = null;
  api.setSession(null);
  top.hidden = true;
  document.title = 'Log in · Router';
  return showView('login', m => m.mount(main, { message, onSignedIn: signedIn }));
}

function showForcedPasswordChange() {
  top.hidden = true;
  document.title = 'Choose a password · Router';
  return showView('password', m => m.mountForced(main, { session, onDone: signedIn }));
}

async function route() {
  const name = location.hash.replace(/^#\/?/, '');
  const page = PAGES.find(([n]) => n === name) ?? PAGES[0];
  if (page[0] !== name) history.replaceState(null, '', `#/${page[0]}`);
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.page === page[0]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${page[1]} · Router`;
  await showView(page[0], m => m.mount(main, { session, signedIn, showLogin }));
  main.querySelector('h1')?.focus({ preventScroll: true });
}

async function logout() {
  try { await api.del('/api/session'); } catch { /* signed out either way */ }
  history.replaceState(null, '', '#/status');
  showLogin('You have logged out.');
}

function showProblem(error) {
  fill(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'The router does not answer'),
    h('p', {}, error.message),
    h('button', { type: 'button', class: 'primary', on: { click: () => location.reload() } }, 'Try again')));
}

start();
