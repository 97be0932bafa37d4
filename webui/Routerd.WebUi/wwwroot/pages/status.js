// Status: is the router online, since when, how many devices, and what flows through it now.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { poll } from '../poll.js';
import { throughputGraph } from '../graph.js';
import { wanMessage, wifiMessage, ipv6Message, prefixWithLifetime, duration, bitRate } from '../format.js';

const MODES = { dhcp: 'Automatic (DHCP)', pppoe: 'PPPoE', static: 'Fixed address' };

export function mount(main) {
  const wan = h('div', { class: 'wan-state' });
  const facts = h('dl', { class: 'facts' });
  const v6state = h('div', { class: 'wan-state', 'data-ipv6': '' });
  const v6facts = h('dl', { class: 'facts' });
  const rates = h('p', { class: 'rates' });
  const scale = h('span', { class: 'hint' });
  const graph = throughputGraph();
  const services = h('ul', { class: 'services' });
  const error = h('p', { class: 'notice bad', role: 'alert', hidden: true });
  fill(main,
    h('h1', {}, 'Status'),
    error,
    h('div', { class: 'grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'wan-h' }, h('h2', { id: 'wan-h' }, 'Internet'), wan, facts),
      h('section', { class: 'panel', 'aria-labelledby': 'v6-h' }, h('h2', { id: 'v6-h' }, 'IPv6'), v6state, v6facts),
      h('section', { class: 'panel', 'aria-labelledby': 'tp-h' },
        h('h2', { id: 'tp-h' }, 'Traffic now'), rates,
        h('div', { class: 'graph-box' }, graph.el),
        h('p', { class: 'legend' }, h('span', { class: 'key down' }, 'Download'), h('span', { class: 'key up' }, 'Upload'), scale)),
      h('section', { class: 'panel', 'aria-labelledby': 'svc-h' }, h('h2', { id: 'svc-h' }, 'Router'), services)));

  let last = null;
  return poll(async () => {
    let s;
    try { s = await api.get('/api/status'); error.hidden = true; }
    catch (e) { error.textContent = e.message; error.hidden = false; return; }
    const msg = wanMessage(s.wan);
    fill(wan, h('p', { class: `state ${msg.tone}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), msg.title), h('p', { class: 'hint' }, msg.detail));
    const uptime = s.uptimeSeconds ?? (api.routerNow() - Date.parse(s.startedAt)) / 1000;
    fill(facts, def('Address', s.wan?.address ?? '—'),
      def('Connection', MODES[s.wan?.mode] ?? s.wan?.mode ?? '—'),
      s.wan?.gateway && def('Gateway', s.wan.gateway),
      s.wan?.dns?.length > 0 && def('DNS', s.wan.dns.join(', ')),
      def('Up for', duration(uptime)),
      def('Devices online', s.devicesOnline ?? '—'));

    showIpv6(s.ipv6, v6state, v6facts);

    const now = performance.now();
    if (Number.isFinite(s.wan?.rxBytes) && Number.isFinite(s.wan?.txBytes)) {
      if (last) {
        const seconds = (now - last.at) / 1000;
        const down = Math.max(0, s.wan.rxBytes - last.rx) * 8 / seconds, up = Math.max(0, s.wan.txBytes - last.tx) * 8 / seconds;
        const top = graph.push(down, up);
        fill(rates, h('span', { class: 'rate down' }, '↓ ', bitRate(down)), h('span', { class: 'rate up' }, '↑ ', bitRate(up)));
        scale.textContent = `top of graph: ${bitRate(top)}`;
      } else fill(rates, h('span', { class: 'hint' }, 'Measuring…'));
      last = { at: now, rx: s.wan.rxBytes, tx: s.wan.txBytes };
    } else fill(rates, h('span', { class: 'hint' }, 'This router does not report its traffic counters.'));

    fill(services,
      s.wifi && h('li', {}, h('span', {}, 'Wi-Fi'), h('span', { class: 'hint' }, s.wifi.radio === false ? 'No radio on this router' : s.wifi.live === false ? 'Not switched on yet' : wifiMessage(s.wifi.code))),
      (s.subsystems ?? []).map(sub => h('li', {}, h('span', {}, sub.name), h('span', { class: sub.code?.endsWith('/OK') ? 'hint' : 'bad-text' }, sub.code?.endsWith('/OK') ? 'Running' : sub.message ?? sub.code))),
      h('li', {}, h('span', {}, 'Firmware'), h('span', { class: 'hint' }, s.version ?? '—')));
  }, 2000);
}

const def = (term, value) => [h('dt', {}, term), h('dd', {}, String(value))];

/** IPv6's state in words, then what the router holds: its WAN address, the prefix from the
 *  provider (and how long it stays valid) and the prefixes on the home network. Shared with the
 *  Internet page. */
export function showIpv6(v6, state, facts) {
  const msg = ipv6Message(v6);
  fill(state, h('p', { class: `state ${msg.tone}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), msg.title),
    msg.tone !== 'ok' && h('p', { class: 'hint' }, msg.detail));
  fill(facts,
    v6?.wanAddress && def('Router address', v6.wanAddress),
    v6?.gateway && def('Gateway', v6.gateway),
    v6?.delegatedPrefix && def(v6.mode === 'static' ? 'Routed prefix' : 'Prefix from provider', prefixWithLifetime(v6)),
    v6?.lanPrefixes?.length > 0 && def('Home network', v6.lanPrefixes.join(', ')),
    v6?.guestPrefix && def('Guest Wi-Fi', v6.guestPrefix),
    v6?.guestMessage && def('Guest Wi-Fi', v6.guestMessage),
    v6?.dns?.length > 0 && def(v6.mode === 'static' ? 'IPv6 DNS' : 'Provider DNS', v6.dns.join(', ')));
}
