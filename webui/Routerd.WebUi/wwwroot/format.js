// Numbers and codes as people read them.

/** What each WAN status code means, in the words a person needs: state, and what to do. */
const WAN_MESSAGES = {
  'wan/UP': ['Connected', 'The router is online.', 'ok'],
  'wan/CONNECTING': ['Connecting…', 'The router is asking your provider for a connection.', 'busy'],
  'wan/AUTH_FAILED': ['Wrong username or password', 'Your provider refused the login. Check the PPPoE username and password from your provider.', 'bad'],
  'wan/NO_SERVER': ['No answer from the provider', 'Nothing on the cable answers PPPoE. Check that the modem is plugged into the Internet port and switched on.', 'bad'],
  'wan/PEER_DEAD': ['Connection lost', 'The provider stopped answering. The router keeps trying to reconnect.', 'bad'],
  'wan/LINK_DOWN': ['Cable unplugged', 'No cable is connected to the Internet port, or the modem is off.', 'bad'],
  'wan/NO_PPP': ['This router cannot dial PPPoE', 'Its system has no PPP support, so no PPPoE connection can start. This is not a problem with your line: install firmware built with PPP, or choose another connection type.', 'bad'],
};

export function wanMessage(code) {
  const [title, detail, tone] = WAN_MESSAGES[code] ?? [code ?? 'Unknown', 'The router reported a state this page does not know.', 'busy'];
  return { title, detail, tone };
}

const WIFI_MESSAGES = {
  'wifi/UP': 'Wi-Fi is on.',
  'wifi/OFF': 'Wi-Fi is switched off.',
  'wifi/NO_RADIO': 'This router has no Wi-Fi radio.',
  'wifi/INVALID_PASSPHRASE': 'The Wi-Fi password was refused by the radio.',
};
export const wifiMessage = code => WIFI_MESSAGES[code] ?? code ?? '';

export function bytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

export function bitRate(bitsPerSecond) {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond < 0) return '—';
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let n = bitsPerSecond, i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

export function duration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  seconds = Math.max(0, Math.floor(seconds));
  const d = Math.floor(seconds / 86400), hr = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
  if (d > 0) return `${d} d ${hr} h`;
  if (hr > 0) return `${hr} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${seconds} s`;
}

export const clock = iso => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
