// Port forwarding: a service on a LAN device (a game console, a NAS, a camera) reachable from the
// internet on a chosen port. The device is picked from the device list by MAC: the forward
// follows whatever address it has. Descriptions and device names are only ever text.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { poll } from '../poll.js';
import { field, toggle, form, value, checked } from '../form.js';
import { forwardTester } from './trace.js';
import { mountVirtualServers, deviceChoice } from './virtual-servers.js';

const PROTOCOLS = [['tcp', 'TCP'], ['udp', 'UDP'], ['both', 'TCP and UDP']];
const REASONS = {
  'forward/DISABLED': 'Turned off',
  'forward/NO_ADDRESS': 'The device is not on the network now',
};

export function mount(main) {
  const list = h('ul', { class: 'forwards', 'aria-label': 'Port forwards' });
  const error = h('p', { class: 'notice bad', role: 'alert', hidden: true });
  const editor = h('section', { class: 'panel', 'aria-labelledby': 'fwd-edit-h' });
  fill(main, h('h1', {}, 'Port forwarding'),
    h('p', { class: 'hint' }, 'Connections from the internet to a port of this router go on to a device at home. ',
      'Open only what you need: everything else stays closed. ',
      'On IPv6 each device has its own address: a forward opens the device\'s own (LAN) port there.'),
    error, list, editor);
  // Load-balanced servers (several devices behind one port) have their own section and module.
  const servers = h('section', { class: 'virtual-servers', 'aria-label': 'Load-balanced servers' });
  main.append(servers);
  const stopServers = mountVirtualServers(servers);

  let devices = [];
  const tester = forwardTester();
  async function refresh() {
    let forwards;
    try {
      [forwards, devices] = await Promise.all([api.get('/api/forwards'), api.get('/api/devices')]);
      error.hidden = true;
    } catch (e) { error.textContent = e.message; error.hidden = false; return; }
    fill(list, forwards.length ? forwards.map(f => item(f)) : h('li', { class: 'hint' }, 'No port forwards yet.'));
  }

  function item(f) {
    const name = f.deviceName || f.mac;
    const where = f.address ? `${f.address}:${ports(f.lanPort, f)}` : REASONS[f.reason] ?? f.reason;
    return h('li', { class: `panel forward${f.address ? '' : ' offline'}` },
      h('div', { class: 'device-head' },
        h('h3', {}, f.description || `${protocolText(f.protocol)} ${ports(f.wanPort, f)}`),
        h('span', { class: `badge ${f.address ? 'on' : 'off'}` }, f.address ? 'Active' : 'Inactive')),
      h('p', { class: 'hint mono' }, `${protocolText(f.protocol)} ${ports(f.wanPort, f)} → ${name} · ${where}`),
      // IPv6 has no translation: the device's own port is opened at its global addresses.
      f.ipv6Addresses?.length ? h('p', { class: 'hint mono' },
        `IPv6: ${protocolText(f.protocol)} ${ports(f.lanPort, f)} open at ${f.ipv6Addresses.join(', ')}`) : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'ghost', 'aria-label': `${f.enabled ? 'Turn off' : 'Turn on'} ${f.description || ports(f.wanPort, f)}`,
          on: { click: () => save(f.id, { ...body(f), enabled: !f.enabled }) } }, f.enabled ? 'Turn off' : 'Turn on'),
        h('button', { type: 'button', class: 'ghost', on: { click: () => edit(f) } }, 'Edit'),
        h('button', { type: 'button', class: 'ghost', on: { click: () => remove(f) } }, 'Delete')),
      tester.controls(f));
  }

  async function save(id, forward) {
    try {
      if (id) await api.put(`/api/forwards/${id}`, forward);
      else await api.post('/api/forwards', forward);
      error.hidden = true;
    } catch (e) {
      error.textContent = e.errors?.[0]?.message ?? e.message;
      error.hidden = false;
    }
    await refresh();
  }

  async function remove(f) {
    try { await api.del(`/api/forwards/${f.id}`); }
    catch (e) { error.textContent = e.message; error.hidden = false; }
    await refresh();
  }

  function edit(f) {
    const editing = !!f;
    const macs = devices.map(d => [d.mac, deviceChoice(d)]);
    if (f && !macs.some(([m]) => m === f.mac)) macs.unshift([f.mac, f.mac]);
    const el = form(editing ? 'Edit port forward' : 'New port forward', [
      field('description', 'Description', { value: f?.description ?? '', maxlength: 64, hint: 'For you, e.g. “NAS” or “Game console”.' }),
      field('protocol', 'Protocol', { type: 'select', options: PROTOCOLS, value: f?.protocol ?? 'tcp' }),
      field('wanPort', 'Internet port', { type: 'number', min: 1, max: 65535, value: f?.wanPort ?? '', required: true }),
      field('wanPortEnd', 'To port (for a range)', { type: 'number', min: 1, max: 65535, value: f?.wanPortEnd ?? '', hint: 'Leave empty for one port.' }),
      field('mac', 'Device', { type: 'select', options: macs, value: f?.mac ?? macs[0]?.[0] }),
      field('lanPort', 'Port on the device', { type: 'number', min: 1, max: 65535, value: f?.lanPort ?? '', hint: 'Leave empty for the same port.' }),
      toggle('enabled', 'On', f?.enabled ?? true),
    ], editing ? 'Save' : 'Add', async formEl => {
      const number = name => value(formEl, name) === '' ? null : Number(value(formEl, name));
      const forward = {
        protocol: value(formEl, 'protocol'), wanPort: number('wanPort') ?? 0, wanPortEnd: number('wanPortEnd'),
        mac: value(formEl, 'mac'), lanPort: number('lanPort'), enabled: checked(formEl, 'enabled'),
        description: value(formEl, 'description') || null,
      };
      if (editing) await api.put(`/api/forwards/${f.id}`, forward);
      else await api.post('/api/forwards', forward);
      await refresh();
      showAdd();
      return 'Saved';
    });
    fill(editor, h('h2', { id: 'fwd-edit-h' }, editing ? 'Edit port forward' : 'New port forward'), el,
      editing && h('button', { type: 'button', class: 'ghost', on: { click: showAdd } }, 'Cancel'));
  }

  function showAdd() { edit(null); }

  const stop = poll(refresh, 5000);
  refresh().then(showAdd);
  return () => { stop(); stopServers(); };
}

const protocolText = p => PROTOCOLS.find(([v]) => v === p)?.[1] ?? p;
const ports = (start, f) => f.wanPortEnd ? `${start}-${start + (f.wanPortEnd - f.wanPort)}` : `${start}`;
const body = f => ({ protocol: f.protocol, wanPort: f.wanPort, wanPortEnd: f.wanPortEnd, mac: f.mac, lanPort: f.lanPort, enabled: f.enabled, description: f.description });
