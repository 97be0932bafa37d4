// Internet: how the router reaches the provider (PPPoE, automatic DHCP or a fixed address).
// The PPPoE password is write-only: the router never sends it back, an empty field keeps it.
import { h, fill, uid } from '../dom.js';
import * as api from '../api.js';
import { field, secretField, toggle, form, value, checked } from '../form.js';
import { wanMessage } from '../format.js';
import { confirmAction } from '../confirm.js';
import { showIpv6 } from './status.js';
import { wanDetect } from '../wan-detect.js';

const MODES = [
  ['pppoe', 'PPPoE', 'A username and password from your provider (most DSL and fibre lines).'],
  ['dhcp', 'Automatic', 'The modem or provider gives the router its address (cable, most fibre boxes).'],
  ['static', 'Fixed address', 'Your provider gave you an address, a gateway and DNS servers to type in.'],
];

export async function mount(main) {
  const [settings, status] = await Promise.all([api.get('/api/settings'), api.get('/api/status').catch(() => null)]);
  const wan = settings.wan;
  const state = h('div', { class: 'wan-state' });
  const mode = wan.mode;

  const modes = modeChoice('wan.mode', 'Connection type', MODES, mode);

  const p = wan.pppoe ?? {};
  const pppoe = h('fieldset', { class: 'group', 'data-field': 'wan.pppoe', 'data-mode': 'pppoe' },
    h('legend', {}, 'PPPoE login'),
    field('wan.pppoe.username', 'Username', { value: p.username ?? '', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' }),
    secretField('wan.pppoe.password', 'Password', {
      placeholder: p.username ? 'Saved – type only to change it' : '',
      hint: 'For your safety the router never shows the saved password.' }),
    field('wan.pppoe.serviceName', 'Service name (optional)', { value: p.serviceName ?? '', hint: 'Leave empty unless your provider names one.' }),
    field('wan.pppoe.mtu', 'MTU', { type: 'number', value: String(p.mtu ?? 1492), min: '1280', max: '1500', inputmode: 'numeric', hint: '1492 fits almost every PPPoE line.' }),
    field('wan.pppoe.vlanId', 'VLAN ID (only if your provider requires one)', { value: p.vlanId == null ? '' : String(p.vlanId), inputmode: 'numeric', autocomplete: 'off',
      hint: 'A number from 1 to 4094 that your provider names, e.g. 7. Leave empty if they name none.' }),
    h('p', { class: 'field-error', hidden: true }));

  // The MAC clone applies in every mode, so it sits outside the mode's own fields.
  const clone = field('wan.mac', 'WAN MAC address (optional)', { value: wan.mac ?? '', placeholder: '02:11:22:33:44:55', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false',
    hint: "Only if your provider knows your line by your modem's or old router's address: copy it from its label. Leave empty to use this router's own." });

  const st = wan.static ?? {};
  const fixed = h('fieldset', { class: 'group', 'data-field': 'wan.static', 'data-mode': 'static' },
    h('legend', {}, 'Fixed address'),
    field('wan.static.address', 'Address with prefix', { value: st.address ?? '', placeholder: '203.0.113.2/24', autocapitalize: 'off', spellcheck: 'false' }),
    field('wan.static.gateway', 'Gateway', { value: st.gateway ?? '', placeholder: '203.0.113.1', autocapitalize: 'off', spellcheck: 'false' }),
    field('wan.static.dns', 'DNS servers', { value: (st.dns ?? []).join(', '), placeholder: '203.0.113.53, 203.0.113.54', hint: 'Separated by commas.' }),
    h('p', { class: 'field-error', hidden: true }));

  // The detection's one click selects a mode as if the owner had clicked its radio (the form follows); saving stays theirs.
  const detect = wanDetect(chosen => {
    const radio = f.querySelector(`input[name="wan.mode"][value="${chosen}"]`);
    radio.checked = true;
    radio.dispatchEvent(new Event('change', { bubbles: true }));
    (chosen === 'pppoe' ? f.elements.namedItem('wan.pppoe.username') : radio).focus();
  });

  const f = form('Internet connection', [modes, detect, pppoe, fixed, clone], 'Save', async f => {
    const chosen = f.querySelector('input[name="wan.mode"]:checked')?.value ?? mode;
    const vlan = value(f, 'wan.pppoe.vlanId').trim();
    // Only digits reach the router as a number; anything else is said here, at the field (the router checks the range).
    if (chosen === 'pppoe' && vlan !== '' && !/^\d{1,5}$/.test(vlan))
      throw { errors: [{ field: 'wan.pppoe.vlanId', message: 'The VLAN ID is a number from 1 to 4094, e.g. 7; leave it empty if your provider names none.' }] };
    const fresh = await api.get('/api/settings');
    const next = { ...fresh.wan, mode: chosen, mac: value(f, 'wan.mac').trim() || null };
    if (chosen === 'pppoe') {
      const password = value(f, 'wan.pppoe.password');
      next.pppoe = {
        ...(fresh.wan.pppoe ?? {}),
        username: value(f, 'wan.pppoe.username').trim(),
        serviceName: value(f, 'wan.pppoe.serviceName').trim() || null,
        mtu: Number(value(f, 'wan.pppoe.mtu')),
        vlanId: vlan === '' ? null : Number(vlan),
        password: password === '' ? null : password,   // null: keep the saved one
      };
    }
    if (chosen === 'static') {
      next.static = {
        address: value(f, 'wan.static.address').trim(),
        gateway: value(f, 'wan.static.gateway').trim(),
        dns: value(f, 'wan.static.dns').split(',').map(s => s.trim()).filter(Boolean),
      };
    }
    await api.put('/api/settings', { ...fresh, wan: next });
    const pw = f.elements.namedItem('wan.pppoe.password');
    pw.value = '';
    if (chosen === 'pppoe') pw.placeholder = 'Saved – type only to change it';
    showState(await api.get('/api/status').catch(() => null), chosen);
    return 'Saved.';
  });

  followMode(f, 'wan.mode', 'mode');

  function showState(s, chosen) {
    const msg = wanMessage(s?.wan);
    fill(state,
      h('p', { class: `state ${msg.tone}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), msg.title,
        s?.wan?.address && h('span', { class: 'hint' }, ` · ${s.wan.address}`)),
      h('p', { class: 'hint' }, msg.detail));
  }
  showState(status, mode);

  fill(main, h('h1', {}, 'Internet'),
    h('section', { class: 'panel', 'aria-label': 'Connection state' }, state),
    h('section', { class: 'panel' }, f),
    h('section', { class: 'panel', 'aria-labelledby': 'v6-h' }, h('h2', { id: 'v6-h' }, 'IPv6'), ipv6Panel(settings.ipv6 ?? {}, status?.ipv6)),
    h('section', { class: 'panel' }, h('h2', {}, 'Line speed'), speedForm(settings.qos ?? {})));
}

/** Radio buttons for a mode: [value, label, hint] each; errors about <name> show under them. */
function modeChoice(name, legend, choices, current) {
  return h('fieldset', { class: 'field modes', 'data-field': name },
    h('legend', {}, legend),
    choices.map(([v, label, hint]) => {
      const id = uid('m');
      return h('div', { class: 'choice' },
        h('input', { type: 'radio', id, name, value: v, checked: v === current }),
        h('label', { for: id }, h('strong', {}, label), h('span', { class: 'hint' }, hint)));
    }),
    h('p', { class: 'field-error', hidden: true }));
}

/** Shows only the parts of form <f> whose data-<key> is the mode chosen in the radios <name>. */
function followMode(f, name, key) {
  const show = () => {
    const chosen = f.querySelector(`input[name="${name}"]:checked`)?.value;
    for (const group of f.querySelectorAll(`[data-${key}]`)) group.hidden = group.dataset[key] !== chosen;
  };
  f.addEventListener('change', event => { if (event.target.name === name) show(); });
  show();
}

const V6_MODES = [
  ['automatic', 'Automatic', 'Your provider gives the router its IPv6 address and a prefix for your network (most lines).'],
  ['static', 'Fixed', 'Your provider gave you an IPv6 address, a gateway and a routed prefix to type in (business lines).'],
];

/** IPv6: what the router has now, and its settings. Automatic: the prefix size is only a request,
 *  the provider decides. Fixed: the values from the provider's contract; the home network's /64 is
 *  taken from the routed prefix. The local prefix (ULA) was made at first start; changing it
 *  renumbers the home network's local addresses, so it is there for moving a setup, not for every day. */
function ipv6Panel(v6, now) {
  const state = h('div', { class: 'wan-state' });
  const facts = h('dl', { class: 'facts' });
  showIpv6(now, state, facts);
  const mode = v6.mode ?? 'automatic';
  const modes = modeChoice('ipv6.mode', 'How the router gets IPv6', V6_MODES, mode);
  const st = v6.static ?? {};
  const fixed = h('fieldset', { class: 'group', 'data-field': 'ipv6.static', 'data-v6mode': 'static' },
    h('legend', {}, 'Fixed IPv6'),
    field('ipv6.static.address', 'Address with prefix length', { value: st.address ?? '', placeholder: '2001:db8:1::2/64', autocapitalize: 'off', spellcheck: 'false' }),
    field('ipv6.static.gateway', 'Gateway', { value: st.gateway ?? '', placeholder: '2001:db8:1::1 or fe80::1', autocapitalize: 'off', spellcheck: 'false',
      hint: 'On the same subnet as the address, or a link-local address (fe80::…).' }),
    field('ipv6.static.routedPrefix', 'Routed prefix', { value: st.routedPrefix ?? '', placeholder: '2001:db8:100::/48', autocapitalize: 'off', spellcheck: 'false',
      hint: 'The prefix your provider routes to the router, /48 to /64. Your network gets its first /64.' }),
    field('ipv6.static.dns', 'IPv6 DNS servers (optional)', { value: (st.dns ?? []).join(', '), placeholder: '2001:db8:1::53', autocapitalize: 'off', spellcheck: 'false',
      hint: 'Separated by commas.' }),
    h('p', { class: 'field-error', hidden: true }));
  const hintField = field('ipv6.prefixHint', 'Prefix size to ask for', { type: 'number', value: String(v6.prefixHint ?? 56), min: '48', max: '64', inputmode: 'numeric',
    hint: 'Most providers give a /56 (256 networks) or a /48; your provider decides. Between 48 and 64.' });
  hintField.dataset.v6mode = 'automatic';
  const f = form('IPv6', [
    toggle('ipv6.enabled', 'IPv6 on', v6.enabled ?? true, 'Off: devices on your network use IPv4 only. Over PPPoE, switching it redials the connection.'),
    modes,
    hintField,
    fixed,
    field('ipv6.ula', 'Local prefix (ULA)', { value: v6.ula ?? '', autocapitalize: 'off', spellcheck: 'false',
      hint: 'Local addresses for names on your network that stay when the provider changes its prefix. Made by the router; change it only to match an earlier router.' }),
  ], 'Save', async el => {
    const chosen = el.querySelector('input[name="ipv6.mode"]:checked')?.value ?? mode;
    const text = value(el, 'ipv6.prefixHint').trim();
    const hint = Number(text);
    // The router checks the range; a field that holds no whole number is caught here, where the page knows the words.
    if (text === '' || !Number.isInteger(hint)) throw { errors: [{ field: 'ipv6.prefixHint', message: 'A whole number between 48 and 64, e.g. 56.' }] };
    const fresh = await api.get('/api/settings');
    const next = { ...fresh.ipv6, enabled: checked(el, 'ipv6.enabled'), mode: chosen, prefixHint: hint, ula: value(el, 'ipv6.ula').trim() || null };
    // pppd negotiates IPv6 (IPv6CP) only when the session starts, so the switch ends the session.
    if (fresh.wan.mode === 'pppoe' && next.enabled !== (fresh.ipv6?.enabled ?? true) && !await confirmAction({
      title: next.enabled ? 'Switch IPv6 on?' : 'Switch IPv6 off?',
      text: 'The router hangs up and dials your provider again: the internet is gone for a few seconds.',
      action: 'Switch and redial', danger: false })) return 'Not changed.';
    if (chosen === 'static') {
      next.static = {
        address: value(el, 'ipv6.static.address').trim(),
        gateway: value(el, 'ipv6.static.gateway').trim(),
        routedPrefix: value(el, 'ipv6.static.routedPrefix').trim(),
        dns: value(el, 'ipv6.static.dns').split(',').map(s => s.trim()).filter(Boolean),
      };
    }
    await api.put('/api/settings', { ...fresh, ipv6: next });
    showIpv6((await api.get('/api/status').catch(() => null))?.ipv6, state, facts);
    return 'Saved.';
  });
  followMode(f, 'ipv6.mode', 'v6mode');
  return [state, facts, f];
}

/** The shaper's rates in Mbit/s (the API keeps kbit/s). Set a little under the line's real speed,
 *  queues form in the router, where priority devices can skip them; empty switches the shaper off. */
function speedForm(qos) {
  const mbit = kbit => kbit ? String(kbit / 1000) : '';
  const kbit = (f, name) => {
    const text = value(f, name).trim().replace(',', '.');
    if (text === '') return null;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw { errors: [{ field: name, message: 'A speed in Mbit/s, e.g. 50 or 9.5.' }] };
    return Math.round(n * 1000);
  };
  return form('Line speed', [
    h('p', { class: 'hint' }, 'Enter about 90 % of what your line really delivers, so priority devices can skip the queue. Leave both empty to switch this off.'),
    field('qos.downloadKbit', 'Download (Mbit/s)', { value: mbit(qos.downloadKbit), inputmode: 'decimal' }),
    field('qos.uploadKbit', 'Upload (Mbit/s)', { value: mbit(qos.uploadKbit), inputmode: 'decimal' }),
  ], 'Save', async f => {
    const fresh = await api.get('/api/settings');
    await api.put('/api/settings', { ...fresh, qos: { ...fresh.qos,
      downloadKbit: kbit(f, 'qos.downloadKbit'), uploadKbit: kbit(f, 'qos.uploadKbit') } });
    return 'Saved.';
  });
}
