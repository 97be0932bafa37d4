// "Test this forward": the connection tracer (POST /api/diagnostics/trace) run for one forward's
// port while the owner connects from outside, and its answer in plain words. The router writes
// the words; this only shows them (as text) with a verdict line and every step behind a fold.
import { h, fill } from '../dom.js';
import * as api from '../api.js';

/** How long a test listens: enough to pick up a phone on mobile data and connect. */
export const TEST_SECONDS = 12;

/** One tester per page: the same element per forward id, so a test running (or its answer)
 *  survives the list being redrawn by the page's polling. */
export function forwardTester() {
  const byId = new Map();
  return {
    controls(f) {
      if (!byId.has(f.id)) byId.set(f.id, tester());
      const t = byId.get(f.id);
      t.update(f);
      return t.el;
    },
  };
}

function tester() {
  let forward = null;
  const button = h('button', { type: 'button', class: 'ghost', on: { click: () => run() } }, 'Test this forward');
  const result = h('div', { class: 'trace-result', role: 'status', 'aria-live': 'polite' });
  const el = h('div', { class: 'trace' }, button, result);

  async function run() {
    const f = forward;
    // A forward for both protocols is tested for both: whichever the owner tries from outside.
    const proto = ['tcp', 'udp', 'both'].includes(f.protocol) ? f.protocol : 'tcp';
    button.disabled = true;
    button.textContent = 'Testing…';
    let wan = null;
    // The status has the WAN address with its prefix (a.b.c.d/24); a person types the address.
    try { wan = (await api.get('/api/status'))?.wan?.address?.split('/')[0] ?? null; } catch { /* the test still runs */ }
    fill(result, h('p', { class: 'notice' },
      `Listening for ${TEST_SECONDS} seconds. Now connect from outside your home — a phone on mobile data, not on this Wi-Fi — to `,
      h('span', { class: 'mono' }, `${wan ?? 'this router’s internet address'}:${f.wanPort}`), ` (${proto === 'both' ? 'TCP or UDP' : proto.toUpperCase()}).`));
    try {
      const r = await api.post('/api/diagnostics/trace', { proto, port: f.wanPort, seconds: TEST_SECONDS }, { timeoutMs: (TEST_SECONDS + 20) * 1000 });
      show(r);
    } catch (e) {
      fill(result, h('p', { class: 'notice bad', role: 'alert' }, e.errors?.[0]?.message ?? e.message));
    } finally {
      button.disabled = false;
      button.textContent = 'Test again';
    }
  }

  function show(r) {
    const paths = r.paths ?? [];
    const fates = new Set(paths.map(p => p.fate));
    const verdict = !paths.length ? ['warn', 'Nothing arrived.']
      : fates.has('forwarded') && fates.size === 1 ? ['ok', 'It works: connections reach the device.']
      : fates.has('dropped') ? ['bad', 'Connections are blocked.']
      : ['warn', 'Connections arrived; see what happened to them.'];
    fill(result,
      h('p', { class: `notice ${verdict[0]} trace-verdict` }, verdict[1]),
      paths.length
        ? h('ul', { class: 'trace-paths' }, paths.map(p => h('li', {},
          h('p', {}, `${p.packets} ${p.packets === 1 ? 'packet' : 'packets'} from ${p.source ?? 'somewhere'}: ${p.words}.`),
          h('details', {}, h('summary', {}, 'Every step'),
            h('ol', { class: 'trace-steps' }, p.steps.map(s => h('li', {}, h('span', { class: 'mono' }, `${s.hook} · ${s.chain}`), ' ', s.words)))))))
        : h('p', { class: 'hint' }, r.summary),
      r.truncated && h('p', { class: 'hint' }, 'The test stopped early: it had seen as many packets as it keeps.'));
  }

  return {
    el,
    update(f) {
      forward = f;
      button.setAttribute('aria-label', `Test ${f.description || `port ${f.wanPort}`} from outside`);
    },
  };
}
