// A parameter sweep: its combinations (in the service's order: the names as submitted, the last
// varying fastest, so that run i is combinations[i]) and the grid of them, coloured by outcome.

import {el} from './dom.js';

/** Every combination of a sweep ({name: [values]}), in run order. */
export function combinations(sweep) {
  let all = [{}];
  for (const [name, values] of Object.entries(sweep)) {
    const next = [];
    for (const partial of all) {
      for (const value of values) next.push(Object.assign({}, partial, {[name]: value}));
    }
    all = next;
  }
  return all;
}

/** How many runs a sweep has: the product of its lists' lengths. */
export function runCount(sweep) {
  return Object.values(sweep).reduce((runs, values) => runs * values.length, 1);
}

/**
 * The combination run `index` computes, without listing the others: a mixed-radix number whose
 * digits, the last name's least significant, pick each name's value (the service's order).
 */
export function combinationAt(sweep, index) {
  const names = Object.keys(sweep);
  const picked = {};
  let rest = index;
  for (let n = names.length - 1; n >= 0; n--) {
    const values = sweep[names[n]];
    picked[names[n]] = values[rest % values.length];
    rest = Math.floor(rest / values.length);
  }
  return Object.fromEntries(names.map((name) => [name, picked[name]]));
}

/** A JSON value as a short text for a label. */
export function short(value, max = 14) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** A combination as text: C=0.1, gamma=0.7. */
export function describe(kwargs) {
  return Object.entries(kwargs).map(([k, v]) => k + '=' + JSON.stringify(v)).join(', ');
}

/**
 * The grid of a sweep: one row per combination of all names but the last, one column per value
 * of the last; each cell links to its run (#/tasks/{id}/runs/{i}) and is coloured by its outcome.
 * outcomes: the sweep's result list (entries {kwargs, result} or {kwargs, error}), or null while
 * it has none; `pending` is what a cell without an outcome says.
 */
export function grid(taskId, sweep, outcomes, pending) {
  const names = Object.keys(sweep);
  const last = names[names.length - 1];
  const rowNames = names.slice(0, -1);
  const rows = combinations(Object.fromEntries(rowNames.map((n) => [n, sweep[n]])));
  const columns = sweep[last];
  const base = '#/tasks/' + encodeURIComponent(taskId) + '/runs/';

  const table = el('table', {class: 'sweep-grid', id: 'sweep-grid'},
    el('thead', {}, el('tr', {},
      el('th', {class: 'row-head'}, rowNames.join(', ') + (rowNames.length ? ' \\ ' : '') + last),
      columns.map((value) => el('th', {title: JSON.stringify(value)}, short(value))))));
  const body = el('tbody');
  rows.forEach((row, r) => {
    const tr = el('tr', {},
      el('th', {class: 'row-head', title: describe(row)},
        rowNames.length ? rowNames.map((n) => short(row[n])).join(', ') : ''));
    columns.forEach((value, c) => {
      const index = r * columns.length + c;
      const kwargs = Object.assign({}, row, {[last]: value});
      tr.append(el('td', {}, cell(index, kwargs, outcomes && outcomes[index], pending, base)));
    });
    body.append(tr);
  });
  table.append(body);
  return el('div', {class: 'sweep'}, el('div', {class: 'scroll'}, table),
    el('div', {class: 'legend'},
      el('span', {class: 'chip st-SUCCEEDED'}, 'returned'),
      el('span', {class: 'chip st-FAILED'}, 'raised'),
      el('span', {class: 'chip'}, 'no outcome yet')));
}

function cell(index, kwargs, outcome, pending, base) {
  let cls;
  let text;
  let state;
  if (!outcome) {
    cls = 'pending';
    text = '#' + index;
    state = pending;
  } else if (outcome.error) {
    cls = 'st-FAILED';
    text = outcome.error.type || 'error';
    state = 'raised ' + (outcome.error.type || 'an error') +
      (outcome.error.message ? ': ' + outcome.error.message : '');
  } else {
    cls = 'st-SUCCEEDED';
    text = outcome.pickled ? short(String(outcome.repr), 12) : short(outcome.result, 12);
    state = 'returned ' + (outcome.pickled ? outcome.repr : JSON.stringify(outcome.result));
  }
  return el('a', {href: base + index, class: ['cell', cls],
    dataset: {index, outcome: outcome ? (outcome.error ? 'error' : 'result') : 'none'},
    title: `run ${index}: ${describe(kwargs)} — ${state}`}, text);
}
