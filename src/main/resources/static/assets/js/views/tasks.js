// #/tasks: the client's tasks, newest first, optionally of one status, a page at a time, under
// their counts by status (each a link to that status's list); page and counts are read again every
// 2 seconds while the tab is visible, so tasks move without a reload.
//
// Pages follow the list's cursors: ?cursor= is where the page shown starts (none: the newest), and
// ?back= the cursors of the pages before it (the newest page, which has none, left out), joined
// with '.', so that 'Newer' goes back one page and a reload or the browser's Back keeps the place.

import {getJson, query} from '../api.js';
import {between, el, errorText, formatDuration, formatTime, notice, replace, shortId}
  from '../dom.js';
import {poll} from '../poll.js';
import {TASK_STATUSES, isFinal, statusBadge, statusClass} from '../status.js';

const PAGE_SIZE = 25;
const EVERY_MS = 2000;

export function render(container, ctx, params) {
  ctx.setTitle('Tasks');
  const status = TASK_STATUSES.includes(params.status) ? params.status : '';
  const place = placeOf(params);

  const filter = el('select', {id: 'status-filter', 'aria-label': 'Status',
    on: {change: () => ctx.navigate(linkTo(filter.value, null))}},
  el('option', {value: ''}, 'All statuses'),
  TASK_STATUSES.map((s) => el('option', {value: s}, s)));
  filter.value = status;

  const counts = el('nav', {class: 'counts', id: 'task-counts', 'aria-label': 'Tasks by status'});
  const body = el('div', {class: 'list-body', id: 'task-list'});
  const pager = el('div', {class: 'pager'});
  container.append(
    el('div', {class: 'page-head'}, el('h1', {}, 'Tasks'), el('span', {class: 'spacer'}), filter),
    counts, body, pager);

  // Rows are kept by task id and made again only when their task changed, so that what is on the
  // page stays put (a pointer over a link, a selection) while the list updates around it.
  let table = null;
  const tbody = el('tbody');
  const rows = new Map();

  let lastCounts = null;
  const stop = poll(async () => {
    try {
      const [data, summary] = await Promise.all([
        getJson('/api/v1/tasks' + query({status, cursor: place.cursor, size: PAGE_SIZE})),
        getJson('/api/v1/tasks/counts'),
      ]);
      if (ctx.disposed()) return false;
      show(data);
      const countsKey = JSON.stringify(summary);
      if (countsKey !== lastCounts) {
        lastCounts = countsKey;
        showCounts(summary);
      }
    } catch (e) {
      if (!ctx.disposed()) {
        table = null;
        rows.clear();
        replace(body, notice('error', 'Could not load the tasks: ' + errorText(e)));
      }
    }
  }, EVERY_MS);

  function show(data) {
    if (!data.items.length) {
      table = null;
      rows.clear();
      replace(body, notice('empty', status ? 'No tasks in status ' + status + '.' : 'No tasks yet.'));
    } else {
      if (!table) {
        table = el('table', {class: 'list'},
          el('thead', {}, el('tr', {},
            el('th', {}, 'Name'), el('th', {}, 'Status'), el('th', {}, 'Reason'),
            el('th', {}, 'Created'), el('th', {class: 'num'}, 'Duration'), el('th', {}, 'Id'))),
          tbody);
        replace(body, table);
      }
      const seen = new Set();
      const trs = data.items.map((task) => {
        const signature = JSON.stringify(task);
        let r = rows.get(task.id);
        if (!r || r.signature !== signature) {
          r = row(task, signature);
          rows.set(task.id, r);
        } else if (!isFinal(task.status)) {
          r.duration.textContent = duration(task);
        }
        seen.add(task.id);
        return r.tr;
      });
      for (const id of [...rows.keys()]) if (!seen.has(id)) rows.delete(id);
      const current = [...tbody.children];
      if (current.length !== trs.length || current.some((tr, i) => tr !== trs[i])) {
        tbody.replaceChildren(...trs);
      }
    }
    const skipped = place.index * data.size;
    const from = data.items.length ? skipped + 1 : 0;
    const to = skipped + data.items.length;
    const pagerKey = from + '/' + to + '/' + data.total + '/' + data.next_cursor;
    if (pager.dataset.key !== pagerKey) {
      pager.dataset.key = pagerKey;
      replace(pager,
        place.cursor ? el('a', {href: newer(status, place), class: 'button', id: 'newer'},
          '‹ Newer') : null,
        el('span', {class: 'muted', id: 'page-range'}, from + '–' + to + ' of ' + data.total),
        data.next_cursor ? el('a', {href: older(status, place, data.next_cursor),
          class: 'button', id: 'older'}, 'Older ›') : null);
    }
  }

  function showCounts(summary) {
    const link = (s, n, label) => el('a', {
      class: ['count', s ? statusClass(s) : null], href: linkTo(s, null),
      'aria-current': (s || '') === status ? 'true' : null, dataset: {status: s || 'ALL'}},
    el('span', {class: 'n'}, String(n)), el('span', {class: 'label'}, label));
    replace(counts,
      link('', summary.total, 'ALL'),
      TASK_STATUSES.filter((s) => summary.counts[s] || s === status)
        .map((s) => link(s, summary.counts[s] || 0, s)));
  }

  function row(task, signature) {
    const href = '#/tasks/' + encodeURIComponent(task.id);
    const dur = el('td', {class: 'num'}, duration(task));
    const tr = el('tr', {dataset: {id: task.id, status: task.status}, class: 'task-row'},
      el('td', {}, el('a', {href, class: 'task-name'}, task.name || '(unnamed)')),
      el('td', {}, statusBadge(task.status)),
      el('td', {class: 'reason'}, task.status_reason || ''),
      el('td', {}, formatTime(task.created_at)),
      dur,
      el('td', {class: 'mono'}, shortId(task.id)));
    return {tr, duration: dur, signature};
  }

  return stop;
}

function duration(task) {
  return formatDuration(between(task.created_at, isFinal(task.status) ? task.finished_at : null));
}

/** Where the page shown is: its cursor, the cursors before it, and its number from 0. */
function placeOf(params) {
  const cursor = params.cursor || null;
  const back = cursor && params.back ? params.back.split('.').filter(Boolean) : [];
  return {cursor, back, index: cursor ? back.length + 1 : 0};
}

function older(status, place, next) {
  return linkTo(status, next, place.cursor ? [...place.back, place.cursor] : []);
}

function newer(status, place) {
  const back = place.back.slice(0, -1);
  return linkTo(status, place.back.length ? place.back[place.back.length - 1] : null, back);
}

function linkTo(status, cursor, back) {
  return '#/tasks' + query({status, cursor, back: back && back.length ? back.join('.') : null});
}
