// "Detect my connection type" on the Internet page: the router asks on its internet port whether a
// PPPoE server answers (GET /api/wan/detect) and the page says what it found in plain words, with
// one click to choose the type it suggests. Nothing is saved here: the owner still presses Save.
// Names and services come from whoever is on the cable, so they only ever become text (h()).
import { h, fill } from './dom.js';
import * as api from './api.js';

const SECONDS = 4;
const LABEL = 'Detect my connection type';
const list = items => new Intl.ListFormat('en', { type: 'conjunction' }).format(items);

/** The button and the place its answer appears. choose(mode): selects that mode in the form. */
export function wanDetect(choose) {
  const result = h('div', { class: 'detect-result', role: 'status', 'aria-live': 'polite', 'data-testid': 'detect-result' });
  const button = h('button', { type: 'button', class: 'ghost' }, LABEL);
  let running = false;

  // aria-disabled, not disabled: a disabled button would drop the keyboard focus to the page.
  button.addEventListener('click', async () => {
    if (running) return;
    running = true;
    button.setAttribute('aria-disabled', 'true');
    result.setAttribute('aria-busy', 'true');
    const ends = Date.now() + SECONDS * 1000;
    const tick = () => { button.textContent = `Detecting… ${Math.max(1, Math.ceil((ends - Date.now()) / 1000))} s`; };
    tick();
    const timer = setInterval(tick, 250);
    fill(result, h('p', { class: 'hint' }, `Listening on the internet port for your provider's server, about ${SECONDS} seconds…`));
    try {
      show(await api.get(`/api/wan/detect?timeoutMs=${SECONDS * 1000}`));
    } catch (e) {
      fill(result, h('p', { class: 'notice bad' }, failure(e)));
    } finally {
      clearInterval(timer);
      running = false;
      button.textContent = LABEL;
      button.removeAttribute('aria-disabled');
      result.removeAttribute('aria-busy');
    }
  });

  function show(r) {
    const done = h('p', { class: 'detect-done' });
    const use = (mode, text, after) => h('button', { type: 'button', class: 'primary', on: { click: () => { choose(mode); done.textContent = after; } } }, text);
    if (r.suggestedMode === 'pppoe' && r.offers.length > 0) {
      const several = r.offers.length > 1 || r.offers.some(o => o.services.filter(Boolean).length > 1);
      fill(result, h('div', { class: 'notice ok' },
        h('p', {}, 'Your line answers PPPoE: ', r.offers.map(offer).join(' ')),
        h('p', {}, 'Choose PPPoE and enter the user name and password from your provider.'),
        several && h('p', { class: 'hint' }, 'If your provider named one of these services, type it as the service name; otherwise leave that field empty.'),
        h('div', { class: 'actions' }, use('pppoe', 'Use PPPoE', 'PPPoE is chosen: enter your user name and password, then press Save.'), done)));
      return;
    }
    fill(result, h('div', { class: 'notice warn' },
      h('p', {}, `No PPPoE server answered on the internet port within ${SECONDS} seconds: your modem probably hands out addresses (DHCP).`),
      h('p', {}, 'Choose Automatic. If your provider gave you a fixed address to type in, choose Fixed address instead.'),
      h('div', { class: 'actions' }, use('dhcp', 'Use Automatic (DHCP)', 'Automatic is chosen: press Save to use it.'), done)));
  }
  return h('div', { class: 'detect' }, button, result);
}

/** "lab-bras offers internet and iptv." An empty service name means the server takes any. */
function offer(o) {
  const services = o.services.filter(Boolean);
  const what = services.length > 0 ? list(services) : 'any service';
  return `${o.acName || 'A server without a name'} offers ${what}.` + (o.error ? ` It also says: "${o.error}".` : '');
}

function failure(e) {
  if (e.status === 409) return `The router cannot listen on its internet port right now (${e.message}). Check the WAN settings below and try again.`;
  if (e.status === 501) return "This router's system cannot run the detection. Choose PPPoE if your provider gave you a user name and password, otherwise Automatic.";
  return `The detection did not finish: ${e.message}`;
}
