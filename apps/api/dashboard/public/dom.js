// DOM building with text nodes only: data from the API never becomes markup.

/** h('td', { class: 'num' }, 'text', childNode, [more]) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** A small table: headers and rows of cells. */
export function table(headers, rows, attributes = {}) {
  return h(
    'table',
    { class: 'grid compact', ...attributes },
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, rows),
  );
}

let onUnauthenticated = () => {};

/** Who to tell when the API answers 401 (the login expired or was ended elsewhere). */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

/**
 * A request answered as JSON: { ok, status, body }; a network failure is { ok: false, status: 0 }.
 * The session cookie goes along (same origin only); a 401 is also reported to whenUnauthenticated.
 */
async function requestJson(url, init) {
  try {
    const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init, headers: { accept: 'application/json', ...init?.headers } });
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

/** POST with an optional JSON body. */
export function postJson(url, body) {
  return requestJson(url, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** What went wrong, from the API's problem body (RFC 9457 `detail`), else the status. */
export function problemDetail(result) {
  return result.body?.detail ?? `HTTP ${result.status}`;
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

/** Date-time formatters in the jurisdiction's time zone, one per language and style. */
const formatters = new Map();
export function formatTime(iso, lang, timeZone, style = 'dateTime') {
  if (!iso) return '—';
  const key = `${lang}|${timeZone}|${style}`;
  if (!formatters.has(key)) {
    const options = {
      dateTime: { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false },
      time: { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
      clock: { hour: '2-digit', minute: '2-digit', hour12: false },
      date: { year: 'numeric', month: '2-digit', day: '2-digit' },
    }[style];
    formatters.set(key, new Intl.DateTimeFormat(lang, { timeZone, ...options }));
  }
  return formatters.get(key).format(new Date(iso));
}
