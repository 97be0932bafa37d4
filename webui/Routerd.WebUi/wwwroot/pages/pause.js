// Pausing a device's internet, part of the Devices page: now (for a while or until resumed), or
// on a weekly schedule. A paused device stays on the home network: it keeps its address, the
// router's pages and the other devices; only the internet is off. Times are the router's.
import { h, fill, uid } from '../dom.js';
import * as api from '../api.js';
import { showErrors, clearErrors } from '../form.js';
import { when } from '../format.js';

const DAYS = [['mon', 'Mon'], ['tue', 'Tue'], ['wed', 'Wed'], ['thu', 'Thu'], ['fri', 'Fri'], ['sat', 'Sat'], ['sun', 'Sun']];
const FOR = [['1', 'For 1 hour'], ['2', 'For 2 hours'], ['morning', 'Until 7:00 tomorrow'], ['', 'Until I resume it']];

/** A device's pause control: {el, update(device)}. changed() reloads the device list. */
export function pauseControl(mac, changed) {
  const state = h('p', { class: 'pause-state', 'aria-live': 'polite' });
  const now = h('div', { class: 'priority pause-now' });
  const schedule = h('div', { class: 'schedule' });
  const details = h('details', { class: 'pause-schedule' }, h('summary', {}, 'Pause on a schedule'), schedule);
  const el = h('div', { class: 'pause' }, state, now, details);
  let current = null, currentSchedule = null;

  async function send(body, form) {
    const controls = el.querySelectorAll('button, select, input');
    controls.forEach(c => { c.disabled = true; });
    try {
      await api.put(`/api/devices/${encodeURIComponent(mac)}/pause`, body);
      await changed();
      return true;
    } catch (error) {
      if (form) showErrors(form, error);
      else fill(now, h('p', { class: 'bad-text', role: 'alert' }, error.errors?.[0]?.message ?? error.message));
      current = null;
      return false;
    } finally {
      controls.forEach(c => { c.disabled = false; });
    }
  }

  function renderNow(d, name) {
    if (d.paused) {
      const until = d.pausedUntil ? `until ${when(d.pausedUntil)}` : 'until you resume it';
      fill(state, d.pausedBy === 'schedule' ? `Internet paused by its schedule ${until}.` : `Internet paused ${until}.`,
        h('span', { class: 'hint' }, ' It can still reach this router and the other devices at home.'));
    } else fill(state);
    state.hidden = !d.paused;
    if (d.paused && d.pausedBy === 'owner') {
      fill(now, h('button', { type: 'button', class: 'primary', 'aria-label': `Resume internet for ${name}`,
        on: { click: () => send({ paused: false }) } }, 'Resume internet'));
      return;
    }
    const length = h('select', { 'aria-label': `How long ${name} stays off the internet` }, FOR.map(([v, t]) => h('option', { value: v }, t)));
    fill(now, length, h('button', { type: 'button', class: 'ghost', 'aria-label': `Pause internet for ${name}`,
      on: { click: () => send({ paused: true, until: untilFor(length.value) }) } }, 'Pause internet'));
  }

  function renderSchedule(d, name) {
    const windows = d.pauseSchedule ?? [];
    const list = h('ul', { class: 'windows' }, windows.map((w, i) => h('li', {},
      h('span', {}, describe(w)),
      h('button', { type: 'button', class: 'link', 'aria-label': `Remove ${describe(w)} from ${name}'s schedule`,
        on: { click: () => send({ schedule: windows.filter((_, j) => j !== i) }) } }, 'Remove'))));
    const at = windows.length; // the new window's index: the API names its fields schedule[at].…
    const dayBoxes = DAYS.map(([v, t]) => { const id = uid('d'); return h('span', { class: 'day' }, h('input', { type: 'checkbox', id, value: v }), h('label', { for: id }, t)); });
    const timeField = (key, label, value) => {
      const id = uid('t');
      return h('div', { class: 'field', 'data-field': `schedule[${at}].${key}` }, h('label', { for: id }, label),
        h('input', { type: 'time', id, value, required: true }), h('p', { class: 'field-error', hidden: true }));
    };
    const add = h('form', { class: 'add-window', 'aria-label': `Add a pause time for ${name}`, novalidate: true },
      h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
      h('fieldset', { class: 'field', 'data-field': `schedule[${at}].days` }, h('legend', {}, 'Days'), h('div', { class: 'days' }, dayBoxes),
        h('p', { class: 'field-error', hidden: true })),
      h('div', { class: 'times' }, timeField('from', 'From', '21:00'), timeField('to', 'To', '07:00')),
      h('button', { type: 'submit', class: 'ghost' }, 'Add'));
    add.addEventListener('submit', async event => {
      event.preventDefault();
      clearErrors(add);
      const days = [...add.querySelectorAll('.day input:checked')].map(c => c.value);
      const [from, to] = [...add.querySelectorAll('input[type=time]')].map(i => i.value);
      if (await send({ schedule: [...windows, { days, from, to }] }, add)) details.open = true;
    });
    fill(schedule,
      h('p', { class: 'hint' }, windows.length
        ? `${name} has no internet at these times every week (router time):`
        : `Choose days and times when ${name} has no internet every week, e.g. school nights. A time that ends earlier than it starts runs to the next morning.`),
      windows.length > 0 && list, add);
  }

  return {
    el,
    update(d, name) {
      const key = `${d.paused}|${d.pausedUntil}|${d.pausedBy}|${name}`;
      if (key !== current) { current = key; renderNow(d, name); }
      const s = `${JSON.stringify(d.pauseSchedule ?? [])}|${name}`;
      if (s !== currentSchedule) { currentSchedule = s; renderSchedule(d, name); }
    },
  };
}

/** When a pause chosen in the list ends, counted from now on the router's clock: in hours, at
 *  7:00 tomorrow (in the browser's time zone: the household shares one), or never (null). */
function untilFor(choice) {
  if (!choice) return null;
  if (choice === 'morning') {
    const t = new Date(api.routerNow());
    t.setDate(t.getDate() + 1);
    t.setHours(7, 0, 0, 0);
    return t.toISOString();
  }
  return new Date(api.routerNow() + Number(choice) * 3600_000).toISOString();
}

const dayNames = Object.fromEntries(DAYS);
/** "Mon, Tue 21:00–07:00 (to the next morning)" */
export function describe(w) {
  const days = w.days.length === 7 ? 'Every day'
    : w.days.join() === 'mon,tue,wed,thu,fri' ? 'Weekdays'
    : w.days.join() === 'sat,sun' ? 'Weekends'
    : w.days.map(d => dayNames[d] ?? d).join(', ');
  return `${days} ${w.from}–${w.to}${w.to <= w.from ? ' (next day)' : ''}`;
}
