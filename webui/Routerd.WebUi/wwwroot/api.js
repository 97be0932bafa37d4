// A small fetch wrapper for the router's JSON API: same-origin cookie, the CSRF header on every
// state-changing request, and one error shape ({error, errors: [{field, message}], code}).

let csrfToken = null;
const listeners = { signedOut: [], mustChangePassword: [] };

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
  const text = await response.text();
  if (raw && response.ok) return text;
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { error: text.slice(0, 200) }; }
  }
  if (!response.ok) {
    const err = new ApiError(response.status, data, Number(response.headers.get('Retry-After')) || null);
    if (response.status === 401 && !path.startsWith('/api/session')) listeners.signedOut.forEach(fn => fn());
    if (response.status === 403 && err.code === 'admin/MUST_CHANGE_PASSWORD') listeners.mustChangePassword.forEach(fn => fn());
    throw err;
  }
  return data;
}

export const get = path => request('GET', path);
export const put = (path, body) => request('PUT', path, body);
export const post = (path, body, options) => request('POST', path, body, options);
export const del = path => request('DELETE', path);
