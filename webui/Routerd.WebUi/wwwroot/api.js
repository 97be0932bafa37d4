// A small fetch wrapper for the router's JSON API: same-origin cookie, the CSRF header on every
// state-changing request, and one error shape ({error, errors: [{field, message}], code}).

let csrfToken = null;
const listeners = { signedOut: [], mustChangePassword: [] };

// The router's clock less this browser's, from the Date header of the router's last answer. The
// moments the router keeps (when priority or a pause ends, when a device was last seen) count on
// its clock, and the two may differ: a Pi has no battery clock until its first time sync, and a
// phone's clock may be set by hand.
let routerOffsetMs = 0;

/** Now, on the router's clock. */
export const routerNow = () => Date.now() + routerOffsetMs;

function noteRouterClock(date) {
  const at = Date.parse(date ?? '');
  if (Number.isNaN(at)) return;
  // The header counts whole seconds: under two seconds apart is rounding, not another clock.
  const offset = at + 500 - Date.now();
  routerOffsetMs = Math.abs(offset) < 2000 ? 0 : offset;
}

export function setSession(session) {
  csrfToken = session?.csrfToken ?? null;
}

/** 'signedOut' (a 401 outside the login itself) or 'mustChangePassword' (a 403 with that code). */
export function on(event, fn) {
  listeners[event].push(fn);
}

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body?.error || `the router answered ${status}`);
    this.status = status;
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
    this.code = body?.code ?? null;
    this.retryAfter = retryAfter;
  }
}

/** timeoutMs: how long to wait for the answer (a trace answers after its seconds). */
export async function request(method, path, body, { raw = false, timeoutMs = 15_000 } = {}) {
  const headers = { Accept: 'application/json' };
  // The router is next door: an answer that takes this long is not coming (e.g. its address moved).
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { error: 'The router does not answer. Check the cable or Wi-Fi connection.' });
  }
  noteRouterClock(response.headers.get('Date'));
  const text = await response.text();
  if (raw && response.ok) return text;
  return answer(path, response.status, text, response.headers.get('Retry-After'));
}

/** An answer's JSON, or the ApiError it carries (and the session events a 401/403 start). */
function answer(path, status, text, retryAfter) {
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { error: text.slice(0, 200) }; }
  }
  if (status < 200 || status > 299) {
    const err = new ApiError(status, data, Number(retryAfter) || null);
    if (status === 401 && !path.startsWith('/api/session')) listeners.signedOut.forEach(fn => fn());
    if (status === 403 && err.code === 'admin/MUST_CHANGE_PASSWORD') listeners.mustChangePassword.forEach(fn => fn());
    throw err;
  }
  return data;
}

/** POSTs a file as the raw body (application/octet-stream) and reports how much of it has gone:
 *  onProgress(sentBytes, totalBytes). XMLHttpRequest, because fetch tells nothing about an upload's
 *  progress. The answer is the same as request()'s. */
export function upload(path, file, onProgress, { timeoutMs = 60 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.timeout = timeoutMs;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.addEventListener('progress', e => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    const gone = () => reject(new ApiError(0, { error: 'The upload stopped: the router does not answer. Check the cable or Wi-Fi connection.' }));
    xhr.addEventListener('error', gone);
    xhr.addEventListener('timeout', gone);
    xhr.addEventListener('load', () => {
      noteRouterClock(xhr.getResponseHeader('Date'));
      try { resolve(answer(path, xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After'))); }
      catch (error) { reject(error); }
    });
    xhr.send(file);
  });
}

export const get = path => request('GET', path);
export const put = (path, body) => request('PUT', path, body);
export const post = (path, body, options) => request('POST', path, body, options);
export const del = path => request('DELETE', path);
