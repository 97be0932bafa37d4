// Devices: who is on the network, what each one moves now, the VIP lane (a device with
// priority has its traffic jump every queue, for an hour, four hours or until turned off), and
// pausing a device's internet (pause.js), its use over the last week (usage.js).
// Names and hostnames come from the devices themselves (DHCP): they are only ever text.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { poll } from '../poll.js';
import { bitRate, clock, duration } from '../format.js';
import { pauseControl } from './pause.js';
import { connectionsControl } from './connections.js';
import { usageControl } from './usage.js';

const DURATIONS = [['1', '1 hour'], ['4', '4 hours'], ['', 'Until I turn it off']];
const CONNECTION = { wired: 'Cable', wifi: 'Wi-Fi' };

export function mount(main) {
  const list = h('ul', { class: 'devices', 'aria-label': 'Devices' });
  const lane = h('div', { class: 'lane', 'aria-live': 'off' });
  const summary = h('p', { class: 'hint' });
  let quiet = null; // the router's stated quiet period (GET /api/status), for the summary's explanation
  api.get('/api/status').then(s => { quiet = s.presenceQuietSeconds ?? null; }, () => {});
  const error = h('p', { class: 'notice bad', role: 'alert', hidden: true });
  fill(main, h('h1', {}, 'Devices'), error,
    h('section', { class: 'panel lane-panel', 'aria-labelledby': 'lane-h' },
      h('h2', { id: 'lane-h' }, 'Priority lane'),
      h('p', { class: 'hint' }, 'A device with priority skips the queue: calls and games stay smooth while others download.'),
      lane),
    summary, list);

  const cards = new Map();
  async function refresh() {
    let devices;
    try { devices = await api.get('/api/devices'); error.hidden = true; }
    catch (e) { error.textContent = e.message; error.hidden = false; return; }
    devices.sort(order);
    const seen = new Set();
    for (const d of devices) {
      seen.add(d.mac);
      if (!cards.has(d.mac)) cards.set(d.mac, card(d.mac, refresh));
      cards.get(d.mac).update(d);
    }
    for (const [mac, c] of cards) if (!seen.has(mac)) { c.el.remove(); cards.delete(mac); }
    const wanted = devices.map(d => cards.get(d.mac).el);
    if (wanted.some((el, i) => list.children[i] !== el)) list.append(...wanted);
    const online = devices.filter(d => d.online).length;
    summary.textContent = `${online} of ${devices.length} device${devices.length === 1 ? '' : 's'} online` +
      (quiet ? `. A device on a cable counts as offline after ${duration(quiet)} without any sign of it; a Wi-Fi device as soon as it leaves.` : '');
  }

  const stopDevices = poll(refresh, 2000);
  const stopLane = poll(async () => showLane(lane, await api.get('/api/qos')), 2000);
  return () => { stopDevices(); stopLane(); };
}

const order = (a, b) => (b.priority - a.priority) || (b.online - a.online) || label(a).localeCompare(label(b));
const label = d => d.name || d.hostname || 'Unnamed device';

function card(mac, changed) {
  const title = h('h3', {});
  const badges = h('span', { class: 'badges' });
  const details = h('p', { class: 'hint mono' });
  const rates = h('p', { class: 'rates small' });
  const control = h('div', { class: 'priority' });
  const pause = pauseControl(mac, changed);
  const connections = connectionsControl(mac);
  const usage = usageControl(mac);
  const el = h('li', { class: 'device panel' }, h('div', { class: 'device-head' }, title, badges), details, rates, control, pause.el, usage.el, connections.el);
  let current = null;

  async function setPriority(enabled, hours) {
    const until = enabled && hours ? new Date(api.routerNow() + hours * 3600_000).toISOString() : null;
    control.querySelectorAll('button, select').forEach(c => { c.disabled = true; });
    try {
      await api.put(`/api/devices/${encodeURIComponent(mac)}/priority`, { enabled, until });
      await changed();
      control.querySelector('button')?.focus();
    } catch (error) {
      fill(control, h('p', { class: 'bad-text', role: 'alert' }, error.errors?.[0]?.message ?? error.message));
      current = null;
    }
  }

  function renderControl(d) {
    const name = label(d);
    if (d.priority) {
      fill(control,
        h('p', { class: 'vip-until' }, d.priorityUntil ? `Priority until ${clock(d.priorityUntil)}` : 'Priority until you turn it off'),
        h('button', { type: 'button', class: 'ghost', 'aria-label': `Turn off priority for ${name}`, on: { click: () => setPriority(false) } }, 'Turn off'));
    } else {
      const duration = h('select', { 'aria-label': `How long ${name} gets priority` }, DURATIONS.map(([v, t]) => h('option', { value: v }, t)));
      fill(control, duration,
        h('button', { type: 'button', class: 'primary', 'aria-label': `Give priority to ${name}`,
          on: { click: () => setPriority(true, Number(duration.value) || null) } }, 'Give priority'));
    }
  }

  return {
    el,
    update(d) {
      el.classList.toggle('vip', !!d.priority);
      el.classList.toggle('paused', !!d.paused);
      el.classList.toggle('offline', !d.online);
      title.textContent = label(d);
      fill(badges,
        d.paused && h('span', { class: 'badge paused' }, 'Paused'),
        d.priority && h('span', { class: 'badge vip' }, 'Priority'),
        h('span', { class: `badge ${d.online ? 'on' : 'off'}` }, d.online ? 'Online' : 'Offline'),
        d.connection && h('span', { class: 'badge' }, CONNECTION[d.connection] ?? d.connection));
      fill(details,
        d.name && d.hostname && d.hostname !== d.name && h('span', {}, `Calls itself “${d.hostname}” · `),
        d.mac, d.addresses?.length ? ` · ${d.addresses.join(', ')}` : '',
        !d.online && ` · ${lastSeen(d.lastSeen)}`);
      const t = d.traffic;
      fill(rates, t
        ? [h('span', { class: 'rate down' }, '↓ ', bitRate(t.downloadBitsPerSecond)), h('span', { class: 'rate up' }, '↑ ', bitRate(t.uploadBitsPerSecond))]
        : h('span', { class: 'hint' }, 'No traffic measured yet'));
      const key = `${d.priority}|${d.priorityUntil}|${label(d)}`;
      if (key !== current) { current = key; renderControl(d); }
      pause.update(d, label(d));
    },
  };
}

/** "Last seen 12 min ago", from the router's last sign of the device. */
function lastSeen(iso) {
  if (!iso) return 'Not seen since the router started';
  const seconds = (api.routerNow() - new Date(iso).getTime()) / 1000;
  return seconds < 60 ? 'Last seen just now' : `Last seen ${duration(seconds)} ago`;
}

/** The lane at a glance: per direction, how long a packet waits in the priority class and in
 *  the rest (queued bytes over the shaper's rate), and what the rest had to drop. */
function showLane(el, qos) {
  if (!qos?.shaperOn) {
    fill(el, h('p', { class: 'hint' }, 'The shaper is off, so queues form in the modem where priority cannot help. ',
      'It switches on once the line speed is set.'));
    return;
  }
  const queues = qos.queues ?? [];
  if (!queues.length) { fill(el, h('p', { class: 'hint' }, 'No queues yet.')); return; }
  fill(el, h('span', { class: 'head' }), h('span', { class: 'head' }, 'Priority waits'), h('span', { class: 'head' }, 'Others wait'),
    queues.map(q => {
      const kbit = q.direction === 'upload' ? qos.uploadKbit : qos.downloadKbit;
      const of = name => q.classes.find(c => c.name === name)?.stats;
      const wait = s => s && kbit ? `${Math.round(s.backlogBytes * 8 / kbit)} ms` : '—';
      const vip = of('vip'), bulk = of('bulk');
      return [
        h('span', { class: 'dir' }, q.direction === 'upload' ? '↑ Upload' : '↓ Download'),
        h('span', { class: 'vip-wait' }, wait(vip)),
        h('span', {}, wait(bulk), bulk?.dropped ? h('span', { class: 'hint' }, ` · ${bulk.dropped} dropped`) : ''),
      ];
    }));
}
