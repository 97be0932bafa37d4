// Numbers and codes as people read them.

/** What each WAN status code means, in the words a person needs: state, and what to do. A
 *  function gets the router's own sentence, where it knows who answered on the cable. */
const WAN_MESSAGES = {
  'wan/UP': ['Connected', 'The router is online.', 'ok'],
  'wan/CONNECTING': ['Connecting…', 'The router is asking your provider for a connection.', 'busy'],
  'wan/AUTH_FAILED': ['Wrong username or password', 'Your provider refused the login. Check the PPPoE username and password from your provider.', 'bad'],
  'wan/NO_SERVER': ['No answer from the provider', 'Nothing on the cable answers PPPoE. Check that the modem is plugged into the Internet port and switched on.', 'bad'],
  'wan/PEER_DEAD': ['Connection lost', 'The provider stopped answering. The router keeps trying to reconnect.', 'bad'],
  'wan/LINK_DOWN': ['Cable unplugged', 'No cable is connected to the Internet port, or the modem is off.', 'bad'],
  'wan/WRONG_SERVICE': ['Provider offers another service', said => `${capital(said)}. Check the service name from your provider on the Internet page, or leave it empty.`, 'bad'],
  'wan/WRONG_AC': ['Another provider server answers', said => `${capital(said)}. Check the access concentrator name, or leave it empty to use whichever answers.`, 'bad'],
  'wan/NO_PPP': ['This router cannot dial PPPoE', 'Its system has no PPP support, so no PPPoE connection can start. This is not a problem with your line: install firmware built with PPP, or choose another connection type.', 'bad'],
};

/** The words for the WAN part of GET /api/status ({code, message}). */
export function wanMessage(wan) {
  const [title, detail, tone] = WAN_MESSAGES[wan?.code] ?? [wan?.code ?? 'Unknown', wan?.message ? capital(wan.message) + '.' : 'The router reported a state this page does not know.', 'busy'];
  return { title, detail: typeof detail === 'function' ? detail(wan.message ?? '') : detail, tone };
}

const capital = text => text.charAt(0).toUpperCase() + text.slice(1);

/** IPv6 (GET /api/status ipv6.code): a title, what it means when the router gave no sentence of
 *  its own, and the dot's tone. The router's message, where it sends one, says it best. */
const IPV6_MESSAGES = {
  'ipv6/UP': ['Connected', 'Your devices get IPv6 addresses in the prefix your provider gave the router.', 'ok'],
  'ipv6/CONNECTING': ['Connecting…', 'The router is asking your provider for IPv6 addresses.', 'busy'],
  'ipv6/OFF': ['Switched off', 'IPv6 is off: devices on your network use IPv4 only.', 'busy'],
  'ipv6/NO_PREFIX': ['No IPv6 prefix', 'Your provider offers no IPv6 prefix: devices on your network get only local IPv6 addresses.', 'bad'],
  'ipv6/NO_SERVER': ['No IPv6 from the provider', 'Your provider does not answer requests for IPv6 addresses.', 'bad'],
  'ipv6/PREFIX_LOST': ['IPv6 prefix lost', 'The prefix from your provider expired or was withdrawn; the router is waiting for a new one.', 'bad'],
  'ipv6/WAN_DOWN': ['Internet connection down', 'Your fixed IPv6 address is put on the connection when it is up again.', 'bad'],
};

/** The words for the IPv6 part of GET /api/status ({code, message}). */
export function ipv6Message(v6) {
  const [title, detail, tone] = IPV6_MESSAGES[v6?.code] ?? [v6?.code ?? 'Unknown', 'The router reported a state this page does not know.', 'busy'];
  return { title, detail: v6?.message ? capital(v6.message) + '.' : detail, tone };
}

/** "2001:db8:100:100::/56, valid 1 h 5 min" — the prefix with what is left of its lifetime. */
export const prefixWithLifetime = v6 => v6?.delegatedPrefix
  ? v6.delegatedPrefix + (Number.isFinite(v6.prefixLifetimeSeconds) ? `, valid ${duration(v6.prefixLifetimeSeconds)}` : '')
  : null;

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

/** A moment as a time of day, with the day when it is not today ("Tue 07:00"). */
export function when(iso) {
  const t = new Date(iso), today = new Date();
  const time = clock(iso);
  if (t.toDateString() === today.toDateString()) return time;
  const days = (t - today) / 86400_000;
  return days > 0 && days < 6 ? `${t.toLocaleDateString([], { weekday: 'short' })} ${time}` : `${t.toLocaleDateString()} ${time}`;
}
