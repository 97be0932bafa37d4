// A device's internet use per hour for the last week (GET /api/devices/{mac}/usage): bars for
// download (up from the axis) and upload (down from it), a line at each local midnight with the
// day's name under it, and each day's totals as text (what a screen reader reads; the chart is
// a picture of the same numbers). Read when the fold is opened.
import { h, fill, svg } from '../dom.js';
import * as api from '../api.js';
import { bytes } from '../format.js';

const WIDTH = 336, HEIGHT = 120, MID = 84; // two px per hour; download above MID, upload below

export function usageControl(mac) {
  const body = h('div', { class: 'usage-body', 'aria-live': 'polite' });
  const details = h('details', { class: 'usage', on: { toggle: () => { if (details.open) load(); } } },
    h('summary', {}, 'Usage, last 7 days'), body);

  async function load() {
    try {
      show(body, await api.get(`/api/devices/${encodeURIComponent(mac)}/usage`));
    } catch (e) {
      fill(body, h('p', { class: 'bad-text', role: 'alert' }, e.message));
    }
  }

  return { el: details };
}

function show(body, u) {
  if (!u.downloadTotal && !u.uploadTotal) {
    fill(body, h('p', { class: 'hint' }, 'No internet traffic in the last 7 days.'));
    return;
  }
  const start = new Date(u.firstHour).getTime(), step = u.stepSeconds * 1000;
  const hourStart = i => new Date(start + i * step);
  const top = Math.max(1, ...u.download, ...u.upload);
  const bars = [], marks = [], days = [];
  let day = null;
  u.download.forEach((down, i) => {
    const t = hourStart(i), key = t.toDateString();
    if (key !== day) {
      day = key;
      days.push({ label: t.toLocaleDateString([], { weekday: 'short', day: 'numeric' }), down: 0, up: 0 });
      if (t.getHours() === 0) {
        marks.push(svg('line', { x1: i * 2, y1: 0, x2: i * 2, y2: HEIGHT - 14, class: 'axis' }));
        marks.push(svg('text', { x: i * 2 + 2, y: HEIGHT - 2, class: 'day' }, t.toLocaleDateString([], { weekday: 'short' })));
      }
    }
    const d = days[days.length - 1];
    d.down += down; d.up += u.upload[i];
    const hd = down / top * (MID - 4), hu = u.upload[i] / top * (HEIGHT - 16 - MID);
    if (hd > 0) bars.push(svg('rect', { x: i * 2, y: MID - hd, width: 1.6, height: Math.max(hd, 0.5), class: 'down' }));
    if (hu > 0) bars.push(svg('rect', { x: i * 2, y: MID, width: 1.6, height: Math.max(hu, 0.5), class: 'up' }));
  });
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'usage-chart', 'aria-hidden': 'true' },
    svg('line', { x1: 0, y1: MID, x2: WIDTH, y2: MID, class: 'axis' }), ...marks, ...bars);
  fill(body,
    h('p', { class: 'small' }, h('span', { class: 'rate down' }, '↓ ', bytes(u.downloadTotal)), ' ',
      h('span', { class: 'rate up' }, '↑ ', bytes(u.uploadTotal)), ' in 7 days. Highest hour: ', bytes(top), '.'),
    h('div', { class: 'graph-box usage-box' }, chart),
    h('table', { class: 'usage-days small' },
      h('caption', { class: 'hint' }, 'Per day (your local time)'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), h('th', { scope: 'col' }, '↓ Download'), h('th', { scope: 'col' }, '↑ Upload'))),
      h('tbody', {}, days.slice().reverse().map(d => h('tr', {}, h('th', { scope: 'row' }, d.label), h('td', {}, bytes(d.down)), h('td', {}, bytes(d.up)))))));
}
