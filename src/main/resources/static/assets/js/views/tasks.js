// #/tasks: the client's tasks, newest first, optionally of one status, a page at a time, under
// their counts by status (each a link to that status's list); page and counts are read again every
// 2 seconds while the tab is visible, so tasks move without a reload.

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
  const page = Math.max(0, parseInt(params.page, 10) || 0);

  const filter = el('select', {id: 'status-filter', 'aria-label': 'Status',
    on: {change: () => ctx.navigate(linkTo(filter.value, 0))}},
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
        getJson('/api/v1/tasks' + query({status, page, size: PAGE_SIZE})),
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
    const from = data.total ? data.page * data.size + 1 : 0;
    const to = Math.min(data.total, (data.page + 1) * data.size);
    const pagerKey = from + '/' + to + '/' + data.total;
    if (pager.dataset.key !== pagerKey) {
      pager.dataset.key = pagerKey;
      replace(pager,
        page > 0 ? el('a', {href: linkTo(status, page - 1), class: 'button'}, '‹ Newer') : null,
        el('span', {class: 'muted'}, from + '–' + to + ' of ' + data.total),
        to < data.total ? el('a', {href: linkTo(status, page + 1), class: 'button'}, 'Older ›')
          : null);
    }
  }

  function showCounts(summary) {
    const link = (s, n, label) => el('a', {
      class: ['count', s ? statusClass(s) : null], href: linkTo(s, 0),
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

function linkTo(status, page) {
  return '#/tasks' + query({status, page: page || null});
}
