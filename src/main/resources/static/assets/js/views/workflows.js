// #/workflows: the client's workflows, newest first, optionally of one status, a page at a time,
// each with its task counts; read again every 2 seconds while the tab is visible. Pages follow the
// list's cursors as #/tasks does (?cursor= and ?back=). With a status a page may hold fewer
// workflows than its size (the service looks at 1,000 a page) and still have older ones.

import {getJson, query} from '../api.js';
import {el, errorText, formatTime, notice, replace, shortId} from '../dom.js';
import {poll} from '../poll.js';
import {TASK_STATUSES, WORKFLOW_STATUSES, statusBadge, statusClass} from '../status.js';

const PAGE_SIZE = 25;
const EVERY_MS = 2000;

export function render(container, ctx, params) {
  ctx.setTitle('Workflows');
  const status = WORKFLOW_STATUSES.includes(params.status) ? params.status : '';
  const cursor = params.cursor || null;
  const back = cursor && params.back ? params.back.split('.').filter(Boolean) : [];

  const filter = el('select', {id: 'status-filter', 'aria-label': 'Status',
    on: {change: () => ctx.navigate(link(filter.value, null, []))}},
  el('option', {value: ''}, 'All statuses'),
  WORKFLOW_STATUSES.map((s) => el('option', {value: s}, s)));
  filter.value = status;

  const body = el('div', {class: 'list-body', id: 'workflow-list'});
  const pager = el('div', {class: 'pager'});
  container.append(
    el('div', {class: 'page-head'}, el('h1', {}, 'Workflows'), el('span', {class: 'spacer'}),
      filter),
    body, pager);

  let last = null;
  const stop = poll(async () => {
    try {
      const data = await getJson('/api/v1/workflows' + query({status, cursor, size: PAGE_SIZE}));
      if (ctx.disposed()) return false;
      const key = JSON.stringify(data);
      if (key !== last) {
        last = key;
        show(data);
      }
    } catch (e) {
      if (!ctx.disposed()) {
        replace(body, notice('error', 'Could not load the workflows: ' + errorText(e)));
      }
    }
  }, EVERY_MS);

  function show(data) {
    if (!data.items.length) {
      replace(body, notice('empty',
        status ? 'No workflows in status ' + status + '.' : 'No workflows yet.'));
    } else {
      replace(body, el('table', {class: 'list'},
        el('thead', {}, el('tr', {},
          el('th', {}, 'Name'), el('th', {}, 'Status'), el('th', {}, 'Tasks'),
          el('th', {}, 'Created'), el('th', {}, 'Finished'), el('th', {}, 'Id'))),
        el('tbody', {}, data.items.map(row))));
    }
    const total = data.total === null || data.total === undefined ? null
      : (data.total_exact ? String(data.total) : 'more than ' + data.total);
    const shown = data.items.length + (data.items.length === 1 ? ' workflow' : ' workflows');
    replace(pager,
      cursor ? el('a', {href: link(status, back.length ? back[back.length - 1] : null,
        back.slice(0, -1)), class: 'button', id: 'newer'}, '‹ Newer') : null,
      el('span', {class: 'muted'}, total === null ? shown : shown + ' of ' + total),
      data.next_cursor ? el('a', {href: link(status, data.next_cursor,
        cursor ? [...back, cursor] : []), class: 'button', id: 'older'}, 'Older ›') : null);
  }

  function row(workflow) {
    return el('tr', {dataset: {id: workflow.id, status: workflow.status}, class: 'workflow-row'},
      el('td', {}, el('a', {href: '#/workflows/' + encodeURIComponent(workflow.id)},
        workflow.name || '(unnamed)')),
      el('td', {}, statusBadge(workflow.status)),
      el('td', {}, counts(workflow.task_counts || {})),
      el('td', {}, formatTime(workflow.created_at)),
      el('td', {}, formatTime(workflow.finished_at)),
      el('td', {class: 'mono'}, shortId(workflow.id)));
  }

  return stop;
}

/** Task counts as small coloured chips, in the order of the statuses. */
export function counts(taskCounts) {
  return el('span', {class: 'chips'},
    TASK_STATUSES.filter((s) => taskCounts[s]).map((s) =>
      el('span', {class: ['chip', statusClass(s)], title: s}, taskCounts[s] + ' ' + s.toLowerCase())));
}

function link(status, cursor, back) {
  return '#/workflows' + query({status, cursor, back: back && back.length ? back.join('.') : null});
}
