// Talking to the API. Reads go with the session cookie (same origin); commands need the bearer token
// POST /auth/login answered, kept in sessionStorage (this tab only, gone when it closes; never
// localStorage), because the cookie is accepted for reads only.

const TOKEN_KEY = 'epi-token';

/** The bearer token of this tab's login, if any. */
export function sessionToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function keepSessionToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

let onUnauthenticated = () => {};

/** Who to tell when the API answers 401 (the login expired or was ended elsewhere). */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

/**
 * A request answered as JSON: { ok, status, body }; a network failure is { ok: false, status: 0 }.
 * The session cookie goes along (same origin only), and the bearer token when this tab has one; a
 * 401 is also reported to whenUnauthenticated.
 */
async function requestJson(url, init) {
  const token = sessionToken();
  try {
    const response = await fetch(url, {
      credentials: 'same-origin',
      cache: 'no-store',
      ...init,
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init?.headers },
    });
    const body = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    const result = { ok: response.ok, status: response.status, body };
    if (response.status === 401) onUnauthenticated(result);
    return result;
  } catch (error) {
    return { ok: false, status: 0, body: { detail: String(error?.message ?? error) } };
  }
}

export function getJson(url) {
  return requestJson(url);
}

/** A POST with an optional JSON body and more headers. */
const post = (body, headers = {}) =>
  body === undefined ? { method: 'POST', headers } : { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };

/** POST with an optional JSON body, sent once (login, logout). */
export function postJson(url, body) {
  return requestJson(url, post(body));
}

/** Answers worth sending the same command again for: no answer at all, or a gateway or server busy. */
const RETRIED = new Set([0, 502, 503, 504]);
const RETRY_DELAYS_MS = [500, 1500, 4000];

/** A fresh idempotency key (randomUUID needs a secure context; the fallback is as random). */
export function newRequestKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A command: POST with JSON under one Idempotency-Key, sent again with the same key while the
 * network or a gateway fails, so that a slow connection never records it twice. `key`: the caller's,
 * to keep one key across its own retries of the same intent (a form sent again after an error).
 */
export async function command(url, body, key = newRequestKey()) {
  let result;
  for (const delay of [0, ...RETRY_DELAYS_MS]) {
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    result = await requestJson(url, post(body, { 'idempotency-key': key }));
    if (!RETRIED.has(result.status)) return result;
  }
  return result;
}

/** A file as multipart field `file`, sent once: the upload routes take no idempotency key. */
export function upload(url, file) {
  const form = new FormData();
  form.append('file', file);
  return requestJson(url, { method: 'POST', body: form });
}

/** What went wrong, from the API's problem body (RFC 9457 `detail`), else the status. */
export function problemDetail(result) {
  return result.body?.detail ?? `HTTP ${result.status}`;
}

/** The API's reasons by field (`errors: [{ field, reason }]`), for showing each beside its input. */
export function fieldProblems(result) {
  const byField = {};
  for (const { field, reason } of result.body?.errors ?? []) byField[field] = byField[field] ? `${byField[field]}; ${reason}` : reason;
  return byField;
}

/** Refused for the caller's role or jurisdiction (not an error of the page or the API). */
export function forbidden(result) {
  return result.status === 403;
}

/**
 * A source another team is still building: a 404 for the route itself (code `route_not_found`,
 * not a missing record's `not_found`) means it is not deployed yet.
 */
export function routeMissing(result) {
  return result.status === 404 && result.body?.code === 'route_not_found';
}
