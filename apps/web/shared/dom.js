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

/** The local date (YYYY-MM-DD, as the API's dates) of an instant in the jurisdiction's time zone. */
export function localDate(at, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element (a chart), built like h(): attributes as given, text only as text nodes. */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}
