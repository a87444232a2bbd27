// Building the DOM without markup: every text goes in through textContent (or a Text node) and
// every attribute through setAttribute, so what a client wrote (names, results, logs, reasons) is
// always shown as text and never parsed as HTML. Nothing here (or anywhere in the dashboard) uses
// innerHTML, outerHTML, insertAdjacentHTML or document.write.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An element: el('a', {href: '#/tasks', class: 'x'}, 'text', child, [more, children]).
 *
 * attrs: `class` (a string or an array of strings, falsy entries left out), `text` (the
 * textContent), `on` ({click: fn, ...}, added with addEventListener), `dataset` ({key: value}),
 * `hidden`/`disabled`/`checked`/`value` (set as properties); everything else with setAttribute.
 * An attribute that is null, undefined or false is left out. Event handler attributes (`on...`)
 * and `style` are refused: the Content-Security-Policy would block them anyway.
 * Children: nodes, strings or numbers (as Text nodes), arrays of them; null/undefined/false are
 * skipped.
 */
export function el(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, with the same attrs and children as el(). */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name === 'class') {
      const names = Array.isArray(value) ? value.filter(Boolean) : [value];
      if (names.length) node.setAttribute('class', names.join(' '));
    } else if (name === 'text') {
      node.textContent = String(value);
    } else if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) {
        node.addEventListener(event, handler);
      }
    } else if (name === 'dataset') {
      for (const [key, v] of Object.entries(value)) {
        if (v !== null && v !== undefined) node.dataset[key] = String(v);
      }
    } else if (['hidden', 'disabled', 'checked', 'value', 'open'].includes(name)) {
      node[name] = value;
    } else if (/^on/i.test(name) || name.toLowerCase() === 'style') {
      throw new Error('el(): ' + name + ' is not allowed; use the on option or a CSS class');
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, strings, numbers, nested arrays; falsy skipped) to parent. */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Empties node and fills it with children. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, ...children);
}

/**
 * A short id for people: the last 8 characters of a UUID. Task and workflow ids are version 7
 * UUIDs, whose first characters are the time they were made, the same for ids made together; the
 * last ones are random.
 */
export function shortId(id) {
  return id ? String(id).slice(-8) : '';
}

/** A container id as Docker shows it: its first 12 characters. */
export function containerId(id) {
  return id ? String(id).slice(0, 12) : '';
}

/** A date-time from the API (ISO 8601) in the browser's local time, or '' for none. */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** A duration in milliseconds for people: 850 ms, 4.2 s, 3 min 4 s, 2 h 5 min. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 0) ms = 0;
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = ms / 1000;
  if (s < 60) return (s < 10 ? s.toFixed(1) : Math.round(s)) + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + Math.round(s - m * 60) + ' s';
  const h = Math.floor(m / 60);
  return h + ' h ' + (m - h * 60) + ' min';
}

/** Milliseconds between two ISO date-times (the second defaults to now). */
export function between(fromIso, toIso) {
  if (!fromIso) return null;
  const to = toIso ? new Date(toIso).getTime() : Date.now();
  return to - new Date(fromIso).getTime();
}

/** A <dl> of [term, value] pairs; pairs whose value is null, undefined or '' are left out. */
export function definitions(pairs, attrs) {
  const dl = el('dl', Object.assign({class: 'facts'}, attrs || {}));
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    append(dl, el('dt', {}, term), el('dd', {}, value));
  }
  return dl;
}

/** A message box: kind is 'error', 'info' or 'empty'. */
export function notice(kind, ...children) {
  return el('div', {class: ['notice', 'notice-' + kind], role: kind === 'error' ? 'alert' : null},
    ...children);
}

/** The message of an error for people: a problem's title and detail, or the error's message. */
export function errorText(error) {
  if (error && error.title) {
    return error.detail ? error.title + ': ' + error.detail : error.title;
  }
  return (error && error.message) || String(error);
}
