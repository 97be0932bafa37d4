// A device's connections as the router tracks them (GET /api/devices/{mac}/connections): what
// it talks to right now, and what reaches it through a port forward. Read when the fold is
// opened (a dump walks the router's whole connection table), and again on "Refresh".
import { h, fill } from '../dom.js';
import * as api from '../api.js';

const SHOWN = 50;

export function connectionsControl(mac) {
  const list = h('div', { class: 'connections-list', 'aria-live': 'polite' });
  const refresh = h('button', { type: 'button', class: 'ghost', on: { click: () => load() } }, 'Refresh');
  const details = h('details', { class: 'connections', on: { toggle: () => { if (details.open) load(); } } },
    h('summary', {}, 'Connections'), list, refresh);

  async function load() {
    refresh.disabled = true;
    try {
      const r = await api.get(`/api/devices/${encodeURIComponent(mac)}/connections`);
      const shown = r.connections.slice(0, SHOWN);
      fill(list, !r.total ? h('p', { class: 'hint' }, 'No connections right now.') : [
        h('p', { class: 'hint' }, `${r.total} connection${r.total === 1 ? '' : 's'}${r.total > shown.length ? `, the first ${shown.length} shown` : ''}.`),
        h('ul', {}, shown.map(c => h('li', { class: 'mono' }, line(c)))),
      ]);
    } catch (e) {
      fill(list, h('p', { class: 'bad-text', role: 'alert' }, e.message));
    } finally {
      refresh.disabled = false;
    }
  }

  return { el: details };
}

const at = (address, port) => port == null ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/** "TCP → 198.51.100.10:443 · established" or "TCP ← 198.51.100.10:40000 to port 7100 (forward of 8080) · established". */
function line(c) {
  const proto = c.protocol.toUpperCase();
  const state = c.state ?? (c.replied ? 'answered' : 'no answer yet');
  return c.direction === 'in'
    ? `${proto} ← ${at(c.remoteAddress, c.remotePort)} to port ${c.devicePort ?? '?'}${c.forwardedPort ? ` (port forward of ${c.forwardedPort})` : ''} · ${state}`
    : `${proto} → ${at(c.remoteAddress, c.remotePort)} · ${state}`;
}
