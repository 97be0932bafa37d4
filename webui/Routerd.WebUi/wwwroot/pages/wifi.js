// Wi-Fi: network name, security, password (write-only: never sent back by the router), radio on/off;
// the guest network (its own name, password and subnet); a QR code to join either.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { field, secretField, toggle, form, value, checked } from '../form.js';
import { wifiMessage } from '../format.js';

// Short enough to show whole in the closed list on a phone; the why is in the field's hint.
const SECURITY = [
  ['wpa2-wpa3', 'WPA2 + WPA3 (recommended)'],
  ['wpa3', 'WPA3 only (newer devices)'],
  ['wpa2', 'WPA2 only (older devices)'],
];

export async function mount(main) {
  const [settings, status] = await Promise.all([api.get('/api/settings'), api.get('/api/status').catch(() => null)]);
  const w = settings.wifi;
  const note = h('div', {});

  const f = form('Wi-Fi', [
    toggle('wifi.enabled', 'Wi-Fi on', w.enabled, 'Off: no device can join over Wi-Fi; cables keep working.'),
    field('wifi.ssid', 'Network name (SSID)', { value: w.ssid, maxlength: '32', autocapitalize: 'off', spellcheck: 'false' }),
    field('wifi.security', 'Security', { type: 'select', options: SECURITY, value: w.security,
      hint: 'WPA2 + WPA3 lets every device join; WPA3 only shuts out older ones.' }),
    secretField('wifi.passphrase', 'Password', {
      hint: '8 to 63 characters. Leave empty to keep the current password.',
      placeholder: 'Unchanged', autocapitalize: 'off', spellcheck: 'false' }),
  ], 'Save', async f => {
    const fresh = await api.get('/api/settings');
    const passphrase = value(f, 'wifi.passphrase');
    const wifi = {
      ...fresh.wifi,
      enabled: checked(f, 'wifi.enabled'),
      ssid: value(f, 'wifi.ssid'),
      security: value(f, 'wifi.security'),
      passphrase: passphrase === '' ? null : passphrase,   // null: keep the saved one
    };
    await api.put('/api/settings', { ...fresh, wifi });
    f.elements.namedItem('wifi.passphrase').value = '';
    showNote(await api.get('/api/status').catch(() => null));
    return 'Saved.';
  });

  function showNote(s) {
    const wifi = s?.wifi;
    if (!wifi || wifi.live === false || wifi.radio === false)
      fill(note, h('p', { class: 'notice warn', 'data-testid': 'not-applied' },
        wifi?.radio === false
          ? 'Your Wi-Fi settings are saved, but this router has no Wi-Fi radio, so nothing is broadcast.'
          : `Your Wi-Fi settings are saved, but the access point is not broadcasting them yet. ${wifiMessage(wifi?.code)}`));
    else fill(note, h('p', { class: 'hint' }, wifiMessage(wifi.code)));
  }
  showNote(status);

  fill(main, h('h1', {}, 'Wi-Fi'), note, h('section', { class: 'panel' }, f),
    joinByQr({ route: '/api/wifi/join', id: 'qr', title: 'Join with a QR code',
      hint: 'A phone’s camera joins your Wi-Fi from this code. It holds the Wi-Fi password: show it only to people you would tell the password.',
      off: 'Wi-Fi is switched off: the code works once it is on again.' }),
    guestSection(w));
}

// The guest network: a second network name on the same radio for visitors, with its own password.
// Guests reach the internet only: not your devices, not this router's settings.
function guestSection(w) {
  const g = w.guest ?? { enabled: false, ssid: '', address: '192.168.2.1/24' };
  const f = form('Guest network', [
    toggle('wifi.guest.enabled', 'Guest network on', g.enabled,
      'Visitors get the internet, but cannot see your devices or open this router’s settings; guests cannot reach each other either.'),
    field('wifi.guest.ssid', 'Guest network name (SSID)', { value: g.ssid, maxlength: '32', autocapitalize: 'off', spellcheck: 'false' }),
    secretField('wifi.guest.passphrase', 'Guest password', {
      hint: '8 to 63 characters, not your main Wi-Fi password. Leave empty to keep the current one.',
      placeholder: 'Unchanged', autocapitalize: 'off', spellcheck: 'false' }),
    field('wifi.guest.address', 'Guest network address', { value: g.address, autocapitalize: 'off', spellcheck: 'false',
      hint: 'The router’s address for guests, with the subnet size, e.g. 192.168.2.1/24. Guests get addresses from the rest of it; it must not overlap your network.' }),
  ], 'Save guest network', async f => {
    const fresh = await api.get('/api/settings');
    const passphrase = value(f, 'wifi.guest.passphrase');
    const guest = {
      ...fresh.wifi.guest,
      enabled: checked(f, 'wifi.guest.enabled'),
      ssid: value(f, 'wifi.guest.ssid'),
      passphrase: passphrase === '' ? null : passphrase,   // null: keep the saved one
      address: value(f, 'wifi.guest.address').trim(),
    };
    await api.put('/api/settings', { ...fresh, wifi: { ...fresh.wifi, guest } });
    f.elements.namedItem('wifi.guest.passphrase').value = '';
    return guest.enabled && !fresh.wifi.enabled ? 'Saved. The guest network starts when Wi-Fi is switched on.' : 'Saved.';
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'guest-h', 'data-testid': 'guest' },
    h('h2', { id: 'guest-h' }, 'Guest network'), f,
    joinByQr({ route: '/api/wifi/guest/join', id: 'guest-qr', title: 'Join the guest network with a QR code', heading: 'h3',
      hint: 'A visitor’s phone camera joins the guest network from this code. It holds the guest password.',
      off: 'The guest network is off: the code works once it is on.' }));
}

// Join by QR code: the key is fetched only when the owner asks (a POST with the session's CSRF
// token: the settings never carry it), and the code is drawn here by ../qr.js, loaded then: nothing
// leaves the router or this page. One function for the main and the guest network.
function joinByQr({ route, id, title, hint, off, heading = 'h2' }) {
  const box = h('div', { class: 'qr-box' });
  const show = h('button', { type: 'button', class: 'primary' }, 'Show the QR code');
  const section = h('section', { class: heading === 'h2' ? 'panel' : 'qr-join', 'aria-labelledby': `${id}-h` },
    h(heading, { id: `${id}-h` }, title),
    h('p', { class: 'hint' }, hint),
    show, box);
  show.addEventListener('click', async () => {
    if (box.childElementCount) { fill(box); show.textContent = 'Show the QR code'; return; }
    show.disabled = true;
    try {
      const [join, qr] = await Promise.all([api.post(route), import('../qr.js')]);
      const key = h('span', { class: 'mono', 'data-testid': 'wifi-key', hidden: true }, join.passphrase);
      const reveal = h('button', { type: 'button', class: 'ghost small', 'aria-pressed': 'false' }, 'Show password');
      reveal.addEventListener('click', () => {
        key.hidden = !key.hidden;
        reveal.textContent = key.hidden ? 'Show password' : 'Hide password';
        reveal.setAttribute('aria-pressed', String(!key.hidden));
      });
      fill(box,
        h('figure', { class: 'qr-figure' }, qr.toSvg(qr.encode(join.uri), { label: `QR code to join ${join.ssid}` }),
          h('figcaption', {}, `Network: ${join.ssid}`)),
        h('p', {}, 'Password: ', key, ' ', reveal),
        !join.enabled && h('p', { class: 'notice warn' }, off));
      show.textContent = 'Hide the QR code';
    } catch (e) {
      fill(box, h('p', { class: 'notice bad', role: 'alert' }, e.message));
    } finally {
      show.disabled = false;
    }
  });
  return section;
}
