// Virtual servers, the load-balanced part of the Port forwarding page: one internet port spread
// over several devices at home by weight, each health-checked. Shown below the plain forwards
// (pages/forwards.js mounts this into its own section). Names are only ever text.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { poll } from '../poll.js';
import { field, toggle, form, value, checked } from '../form.js';

const SCHEDULERS = [['rr', 'In turn, by weight'], ['wlc', 'Fewest connections, by weight']];
const HEALTH = { up: 'Answering', down: 'Not answering: gets no new connections', unknown: 'Not checked yet', unchecked: 'UDP: not checked' };
const MAX_BACKENDS = 16;

export function mountVirtualServers(section) {
  const list = h('ul', { class: 'forwards', 'aria-label': 'Virtual servers' });
  const error = h('p', { class: 'notice bad', role: 'alert', hidden: true });
  const editor = h('section', { class: 'panel', 'aria-labelledby': 'vs-edit-h' });
  fill(section, h('h2', {}, 'Load-balanced servers'),
    h('p', { class: 'hint' }, 'One internet port shared by several devices: each new connection goes to one of them, ',
      'as often as its weight says. A device that stops answering gets none until it answers again.'),
    error, list, editor);

  let devices = [];
  async function refresh() {
    let servers;
    try {
      [servers, devices] = await Promise.all([api.get('/api/virtual-servers'), api.get('/api/devices')]);
      error.hidden = true;
    } catch (e) { error.textContent = e.message; error.hidden = false; return; }
    fill(list, servers.length ? servers.map(item) : h('li', { class: 'hint' }, 'No load-balanced servers yet.'));
  }

  function item(s) {
    const inPool = s.backends.filter(b => b.inPool).length;
    const title = s.description || `${s.protocol.toUpperCase()} ${s.wanPort}`;
    return h('li', { class: `panel forward${s.enabled && inPool ? '' : ' offline'}` },
      h('div', { class: 'device-head' },
        h('h3', {}, title),
        h('span', { class: `badge ${s.enabled && inPool ? 'on' : 'off'}` }, !s.enabled ? 'Off' : `${inPool} of ${s.backends.length} serving`)),
      h('p', { class: 'hint mono' }, `${s.protocol.toUpperCase()} ${s.wanPort} · ${schedulerText(s)}`),
      h('table', { class: 'backends' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Device'), h('th', {}, 'Weight'), h('th', {}, 'Health'), h('th', {}, 'Connections'))),
        h('tbody', {}, s.backends.map(b => h('tr', { class: b.inPool ? '' : 'offline' },
          h('td', { class: 'mono' }, `${b.deviceName || b.mac || b.address} · ${b.currentAddress ? `${b.currentAddress}:${b.port}` : 'not on the network now'}`),
          h('td', {}, String(b.weight)),
          h('td', {}, HEALTH[b.health] ?? b.health),
          h('td', {}, b.activeConnections == null ? '–' : String(b.activeConnections)))))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'ghost', 'aria-label': `${s.enabled ? 'Turn off' : 'Turn on'} ${title}`,
          on: { click: () => save(s.id, { ...body(s), enabled: !s.enabled }) } }, s.enabled ? 'Turn off' : 'Turn on'),
        h('button', { type: 'button', class: 'ghost', on: { click: () => edit(s) } }, 'Edit'),
        h('button', { type: 'button', class: 'ghost', on: { click: () => remove(s) } }, 'Delete')));
  }

  async function save(id, server) {
    try {
      if (id) await api.put(`/api/virtual-servers/${id}`, server);
      else await api.post('/api/virtual-servers', server);
      error.hidden = true;
    } catch (e) { error.textContent = e.errors?.[0]?.message ?? e.message; error.hidden = false; }
    await refresh();
  }

  async function remove(s) {
    try { await api.del(`/api/virtual-servers/${s.id}`); }
    catch (e) { error.textContent = e.message; error.hidden = false; }
    await refresh();
  }

  function edit(s) {
    const editing = !!s;
    const macs = [['', 'A fixed address (below)'], ...devices.map(d => [d.mac, deviceChoice(d)])];
    let backends = s ? s.backends.map(b => ({ mac: b.mac, address: b.address, port: b.port, weight: b.weight })) : [{ mac: devices[0]?.mac ?? '', port: '', weight: 1 }];
    const rows = h('div', { class: 'backend-rows' });
    const row = (b, i) => h('fieldset', { class: 'backend' },
      h('legend', {}, `Device ${i + 1}`),
      field(`backends[${i}].mac`, 'Device', { type: 'select', options: macs.some(([m]) => m === (b.mac ?? '')) ? macs : [[b.mac, b.mac], ...macs], value: b.mac ?? '' }),
      field(`backends[${i}].address`, 'Or address', { value: b.address ?? '', placeholder: '192.168.1.20' }),
      field(`backends[${i}].port`, 'Port on the device', { type: 'number', min: 1, max: 65535, value: b.port, required: true }),
      field(`backends[${i}].weight`, 'Weight', { type: 'number', min: 1, max: 100, value: b.weight, hint: 'Twice the weight: twice the connections.' }),
      h('button', { type: 'button', class: 'ghost small', on: { click: () => { backends = read(el).filter((_, k) => k !== i); draw(); } } }, 'Remove'));
    const add = h('button', { type: 'button', class: 'ghost', on: { click: () => { backends = [...read(el), { mac: devices[0]?.mac ?? '', port: '', weight: 1 }]; draw(); } } }, 'Add a device');
    function draw() {
      fill(rows, backends.map(row));
      add.hidden = backends.length >= MAX_BACKENDS;
    }
    const el = form(editing ? 'Edit load-balanced server' : 'New load-balanced server', [
      field('description', 'Description', { value: s?.description ?? '', maxlength: 64 }),
      field('protocol', 'Protocol', { type: 'select', options: [['tcp', 'TCP'], ['udp', 'UDP']], value: s?.protocol ?? 'tcp' }),
      field('wanPort', 'Internet port', { type: 'number', min: 1, max: 65535, value: s?.wanPort ?? '', required: true }),
      field('scheduler', 'Which device takes a new connection', { type: 'select', options: SCHEDULERS, value: s?.scheduler ?? 'rr' }),
      h('div', { 'data-field': 'backends' }, rows, add, h('p', { class: 'field-error', hidden: true })),
      toggle('enabled', 'On', s?.enabled ?? true),
    ], editing ? 'Save' : 'Add', async formEl => {
      const server = {
        protocol: value(formEl, 'protocol'), wanPort: Number(value(formEl, 'wanPort')) || 0, scheduler: value(formEl, 'scheduler'),
        backends: read(formEl), enabled: checked(formEl, 'enabled'), description: value(formEl, 'description') || null,
      };
      if (editing) await api.put(`/api/virtual-servers/${s.id}`, server);
      else await api.post('/api/virtual-servers', server);
      await refresh();
      edit(null);
      return 'Saved';
    });
    draw();
    fill(editor, h('h2', { id: 'vs-edit-h' }, editing ? 'Edit load-balanced server' : 'New load-balanced server'), el,
      editing && h('button', { type: 'button', class: 'ghost', on: { click: () => edit(null) } }, 'Cancel'));
  }

  /** The backend rows as the API wants them: a device's MAC, or else the typed address. */
  function read(formEl) {
    return [...formEl.querySelectorAll('fieldset.backend')].map((_, i) => {
      const mac = value(formEl, `backends[${i}].mac`);
      return {
        mac: mac || null, address: mac ? null : value(formEl, `backends[${i}].address`) || null,
        port: Number(value(formEl, `backends[${i}].port`)) || 0, weight: Number(value(formEl, `backends[${i}].weight`)) || 0,
      };
    });
  }

  const stop = poll(refresh, 5000);
  refresh().then(() => edit(null));
  return stop;
}

// Both balancers run both schedulers (wlc on nftables counts through conntrack), so the API's
// schedulerInEffect is always the chosen one: the choice is all there is to show.
const schedulerText = s => SCHEDULERS.find(([v]) => v === s.scheduler)?.[1];
/** A device as a choice in a list: short enough to show whole in the closed list on a phone —
 *  its name and IPv4 address, or its MAC address when it has no name (an IPv6 address or the MAC
 *  beside a name would be cut off). */
export function deviceChoice(d) {
  const v4 = d.addresses?.find(a => !a.includes(':'));
  const name = d.name || d.hostname;
  return name ? (v4 ? `${name} · ${v4}` : name) : d.mac;
}

const body = s => ({
  protocol: s.protocol, wanPort: s.wanPort, scheduler: s.scheduler, enabled: s.enabled, description: s.description,
  backends: s.backends.map(b => ({ mac: b.mac, address: b.address, port: b.port, weight: b.weight })),
});
