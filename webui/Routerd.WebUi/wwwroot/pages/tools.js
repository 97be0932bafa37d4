// Tools: tests run by the router (ping, traceroute, DNS lookup), its recent log lines, and its
// time zone and clock. Each section loads its own data; a test answers when it has finished.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { field, form, value, showErrors } from '../form.js';

const TESTS = [
  ['ping', 'Ping (does it answer?)'],
  ['traceroute', 'Traceroute (the way there)'],
  ['lookup', 'DNS lookup (name to address)'],
];

export async function mount(main) {
  fill(main, h('h1', {}, 'Tools'),
    h('div', { class: 'grid' }, diagnostics(), timeSection()),
    logs());
}

function diagnostics() {
  const output = h('div', { class: 'tool-result', role: 'status', 'aria-live': 'polite' });
  const f = form('Test the connection', [
    field('tool', 'Test', { type: 'select', options: TESTS, value: 'ping' }),
    field('host', 'Name or address', { autocapitalize: 'off', spellcheck: 'false', placeholder: 'e.g. example.org or 9.9.9.9',
      hint: 'A host name or an IPv4/IPv6 address. The test runs on the router, not on this device.' }),
  ], 'Run test', async f => {
    const tool = value(f, 'tool');
    const host = value(f, 'host').trim();
    fill(output, h('p', { class: 'hint' }, tool === 'traceroute' ? 'Tracing… this can take up to 45 seconds.' : 'Running…'));
    try {
      const r = tool === 'lookup'
        ? await api.post('/api/diagnostics/lookup', { name: host })
        : await api.post(`/api/diagnostics/${tool}`, { host }, { timeoutMs: 60_000 });
      show(tool, r);
      return '';
    } catch (e) {
      fill(output);
      // The lookup names its argument "name"; on this form it is the one field, "host".
      throw Object.assign(e, { errors: (e.errors ?? []).map(x => (x.field === 'name' ? { ...x, field: 'host' } : x)) });
    }
  });

  function show(tool, r) {
    const good = tool === 'lookup' ? r.answered : r.exitCode === 0;
    const lines = tool === 'lookup'
      ? r.records.map(x => `${x.name}  ${x.type}  ${x.value}  (TTL ${x.ttl} s)`)
      : r.lines;
    fill(output,
      h('p', { class: `notice ${good ? 'ok' : 'warn'}`, 'data-testid': 'tool-summary' }, r.summary),
      lines.length > 0 && h('pre', { class: 'tool-output', tabindex: '0', 'aria-label': 'What the router saw' }, lines.join('\n')),
      r.truncated && h('p', { class: 'hint' }, 'The output was longer; the first 100 lines are shown.'));
  }

  return h('section', { class: 'panel', 'aria-labelledby': 'diag-h' }, h('h2', { id: 'diag-h' }, 'Test the connection'), f, output);
}

function timeSection() {
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const section = h('section', { class: 'panel', 'aria-labelledby': 'time-h' }, h('h2', { id: 'time-h' }, 'Time'), body);
  load();

  async function load() {
    let t;
    try { t = await api.get('/api/time'); } catch (e) { fill(body, h('p', { class: 'notice bad' }, e.message)); return; }
    const synced = t.clock.synchronized === true && t.clock.serviceRunning;
    const list = h('datalist', { id: 'zones' }, t.zones.map(z => h('option', { value: z })));
    const f = form('Time zone', [
      field('time.zone', 'Time zone', { value: t.zone, list: 'zones', autocapitalize: 'off', spellcheck: 'false',
        hint: 'Pause schedules follow this zone. Type a city, e.g. Europe/Berlin.' }),
      list,
    ], 'Save time zone', async f => {
      const zone = value(f, 'time.zone').trim();
      const fresh = await api.get('/api/settings');
      await api.put('/api/settings', { ...fresh, time: { ...(fresh.time ?? {}), zone } });
      await load();
      return 'Saved.';
    });
    fill(body,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Router time'), h('dd', { 'data-testid': 'router-time' }, `${t.localTime} (${t.zone}, UTC${t.offset})`)),
      h('p', { class: `notice ${synced ? 'ok' : 'warn'}`, 'data-testid': 'clock-state' }, t.summary),
      f);
  }
  return section;
}

const SOURCES = [
  ['all', 'Everything'],
  ['routerd', 'The router itself'],
  ['dnsmasq', 'Addresses and names'],
  ['udhcpc,pppd,dhcpcd', 'Internet connection'],
  ['hostapd', 'Wi-Fi'],
];
const LEVELS = [['info', 'All messages'], ['warning', 'Warnings and errors'], ['error', 'Errors only']];

function logs() {
  // Focusable: a scrolling box a keyboard must be able to reach and scroll (axe: scrollable-region-focusable).
  const list = h('ol', { class: 'log-lines', 'aria-label': 'Log lines', tabindex: '0' });
  const note = h('p', { class: 'hint', role: 'status' });
  const query = f => new URLSearchParams({ source: value(f, 'source'), level: value(f, 'level') }).toString();

  const download = h('button', { type: 'button', class: 'ghost' }, 'Download');
  const f = form('Log filter', [
    h('div', { class: 'log-filter' },
      field('source', 'From', { type: 'select', options: SOURCES, value: 'all' }),
      field('level', 'Show', { type: 'select', options: LEVELS, value: 'info' })),
  ], 'Show', async f => {
    const view = await api.get(`/api/logs?${query(f)}&lines=200`);
    fill(list, view.lines.map(l => h('li', { class: `log ${l.level}`, 'data-source': l.source },
      h('time', { datetime: l.time }, new Date(l.time).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })),
      ' ', h('span', { class: 'log-source' }, l.source), ' ', h('span', { class: 'log-level' }, l.level), ' ',
      h('span', { class: 'log-text' }, l.text))));
    note.textContent = view.lines.length === 0 ? 'No lines match.'
      : view.truncated ? `The newest ${view.lines.length} of ${view.matched} lines; download for more.` : `${view.lines.length} lines.`;
    list.scrollTop = list.scrollHeight;
    return '';
  });
  f.querySelector('.actions').append(download);
  download.addEventListener('click', async () => {
    try {
      const text = await api.request('GET', `/api/logs/download?${query(f)}&lines=5000`, undefined, { raw: true });
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      const a = h('a', { href: url, download: `router-log-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}.txt`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) { showErrors(f, e); }
  });
  queueMicrotask(() => f.requestSubmit());
  return h('section', { class: 'panel', 'aria-labelledby': 'log-h' },
    h('h2', { id: 'log-h' }, 'Log'),
    h('p', { class: 'hint' }, 'What the router and its services wrote recently. Passwords are never shown.'),
    f, note, list);
}
