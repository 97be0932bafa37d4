// Wi-Fi: network name, security, password (write-only: never sent back by the router), radio on/off.
import { h, fill } from '../dom.js';
import * as api from '../api.js';
import { field, secretField, toggle, form, value, checked } from '../form.js';
import { wifiMessage } from '../format.js';

const SECURITY = [
  ['wpa2-wpa3', 'WPA2 + WPA3 (recommended: every device can join)'],
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
    field('wifi.security', 'Security', { type: 'select', options: SECURITY, value: w.security }),
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

  fill(main, h('h1', {}, 'Wi-Fi'), note, h('section', { class: 'panel' }, f), joinByQr());
}

// Join by QR code: the key is fetched only when the owner asks (POST /api/wifi/join), and the
// code is drawn here by ../qr.js, loaded then: nothing leaves the router or this page.
function joinByQr() {
  const box = h('div', { class: 'qr-box' });
  const show = h('button', { type: 'button', class: 'primary' }, 'Show the QR code');
  const section = h('section', { class: 'panel', 'aria-labelledby': 'qr-h' },
    h('h2', { id: 'qr-h' }, 'Join with a QR code'),
    h('p', { class: 'hint' }, 'A phone’s camera joins your Wi-Fi from this code. It holds the Wi-Fi password: show it only to people you would tell the password.'),
    show, box);
  show.addEventListener('click', async () => {
    if (box.childElementCount) { fill(box); show.textContent = 'Show the QR code'; return; }
    show.disabled = true;
    try {
      const [join, qr] = await Promise.all([api.post('/api/wifi/join'), import('../qr.js')]);
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
        !join.enabled && h('p', { class: 'notice warn' }, 'Wi-Fi is switched off: the code works once it is on again.'));
      show.textContent = 'Hide the QR code';
    } catch (e) {
      fill(box, h('p', { class: 'notice bad', role: 'alert' }, e.message));
    } finally {
      show.disabled = false;
    }
  });
  return section;
}
