// #/workflows: the client's workflows, newest first, optionally of one status, a page at a time,
// each with its task counts; read again every 2 seconds while the tab is visible.

import {getJson, query} from '../api.js';
import {el, errorText, formatTime, notice, replace, shortId} from '../dom.js';
import {poll} from '../poll.js';
import {TASK_STATUSES, WORKFLOW_STATUSES, statusBadge, statusClass} from '../status.js';

const PAGE_SIZE = 25;
const EVERY_MS = 2000;

export function render(container, ctx, params) {
  ctx.setTitle('Workflows');
  const status = WORKFLOW_STATUSES.includes(params.status) ? params.status : '';
  const page = Math.max(0, parseInt(params.page, 10) || 0);

  const filter = el('select', {id: 'status-filter', 'aria-label': 'Status',
    on: {change: () => ctx.navigate(link(filter.value, 0))}},
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
      const data = await getJson('/api/v1/workflows' + query({status, page, size: PAGE_SIZE}));
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
    const from = data.total ? data.page * data.size + 1 : 0;
    const to = Math.min(data.total, (data.page + 1) * data.size);
    replace(pager,
      page > 0 ? el('a', {href: link(status, page - 1), class: 'button'}, '‹ Newer') : null,
      el('span', {class: 'muted'}, from + '–' + to + ' of ' + data.total),
      to < data.total ? el('a', {href: link(status, page + 1), class: 'button'}, 'Older ›') : null);
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

function link(status, page) {
  return '#/workflows' + query({status, page: page || null});
}
