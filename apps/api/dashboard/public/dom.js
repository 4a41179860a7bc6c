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

/** GET as JSON: { ok, status, body }; a network failure is { ok: false, status: 0 }. */
export async function getJson(url) {
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
    const body = await response.json().catch(() => undefined);
    return { ok: response.ok, status: response.status, body };
  } catch (error) {
    return { ok: false, status: 0, body: { message: String(error?.message ?? error) } };
  }
}

/**
 * A source another team is still building: a 404 for the route itself (Nest's "Cannot GET …",
 * not a domain `not_found`) means it is not deployed yet.
 */
export function routeMissing(result) {
  return result.status === 404 && result.body?.error !== 'not_found';
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
