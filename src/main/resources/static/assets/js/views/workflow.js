// #/workflows/{id}: a workflow — its name, status, id and times; how many of its tasks are in each
// status; its graph (graph.js: tasks by dependency, coloured by status, each opening its task);
// its outputs (the results of the tasks nothing depends on) as JSON; and a plain list of its
// tasks in the graph's order. Until the workflow and all its tasks have ended it is read again
// every 2 s (not while the tab is hidden); the graph is recoloured in place, and laid out again
// only when its tasks or their references changed. A re-run names the run it came from and marks
// the tasks that reused an earlier result; "Re-run" makes a new run reusing what did not change.

import {ApiError, getJson, postJson, seg} from '../api.js';
import {between, definitions, el, errorText, formatDuration, formatTime, notice, replace, shortId}
  from '../dom.js';
import {drawGraph, graphOf, shapeOf} from '../graph.js';
import {confirmDialog, isPickle} from '../parts.js';
import {poll} from '../poll.js';
import {reuseSummary} from '../rerun.js';
import {TASK_STATUSES, isFinal, statusBadge, statusClass} from '../status.js';

const EVERY_MS = 2000;
/** Beyond this many tasks the plain list starts folded. */
const LIST_OPEN_UP_TO = 60;

export function render(container, ctx, params) {
  const id = params.id;
  const path = '/api/v1/workflows/' + seg(id);
  ctx.setTitle('Workflow ' + shortId(id));

  const title = el('h1', {id: 'workflow-name'}, '');
  const badge = el('span', {id: 'workflow-status'});
  const rerunButton = el('button', {type: 'button', id: 'workflow-rerun', hidden: true,
    on: {click: () => rerun()}}, 'Re-run');
  const message = el('div', {});
  const details = el('section', {class: 'section', id: 'workflow-details', hidden: true});
  const counts = el('nav', {class: 'counts', id: 'workflow-counts',
    'aria-label': 'Tasks of the workflow by status'});
  const graphBody = el('div', {}, el('p', {class: 'muted'}, 'loading…'));
  const graphSection = el('section', {class: 'section', id: 'graph'},
    el('h2', {}, 'Graph'), graphBody);
  const outputs = el('section', {class: 'section', id: 'outputs', hidden: true});
  const list = el('section', {class: 'section', id: 'tasks', hidden: true});

  container.append(
    el('p', {class: 'muted'}, el('a', {href: '#/workflows'}, '‹ Workflows')),
    el('div', {class: 'page-head'}, title, badge, rerunButton),
    message, details, counts, graphSection, outputs, list);

  let drawn = null; // {shape, update}
  let listed = null; // {shape, rows: Map key → {li, badge, reason}}
  let detailsKey = null;
  let countsKey = null;
  let outputsKey = null;

  const stop = poll(async () => {
    try {
      const workflow = await getJson(path);
      if (ctx.disposed()) return false;
      show(workflow);
      return !ended(workflow);
    } catch (e) {
      if (ctx.disposed()) return false;
      if (e instanceof ApiError && e.status === 404) {
        replace(message, notice('error', 'No such workflow (or not yours): ' + id));
        replace(graphBody);
        return false;
      }
      replace(message, notice('error', 'Could not load the workflow: ' + errorText(e)));
      return true;
    }
  }, EVERY_MS);

  function show(w) {
    ctx.setTitle(w.name || 'Workflow ' + shortId(w.id));
    replace(title, w.name || '(unnamed workflow)');
    if (badge.dataset.status !== w.status) {
      badge.dataset.status = w.status;
      replace(badge, statusBadge(w.status));
    }
    replace(message);
    rerunButton.hidden = false;
    showDetails(w);
    showCounts(w.task_counts || {});
    const {nodes, edges} = graphOf(w);
    showGraph(nodes, edges);
    showList(nodes, edges);
    showOutputs(w);
  }

  function showDetails(w) {
    const over = isFinal(w.status) && w.finished_at;
    const key = JSON.stringify([w.id, w.created_at, w.finished_at, w.cancel_requested,
      w.rerun_of, w.reruns, reuseSummary(w)]) +
      (over ? '' : Date.now());
    if (key === detailsKey) return;
    detailsKey = key;
    details.hidden = false;
    replace(details, definitions([
      ['Id', el('span', {class: 'mono'}, w.id)],
      ['Created', formatTime(w.created_at)],
      ['Finished', formatTime(w.finished_at)],
      ['Duration', formatDuration(between(w.created_at, over ? w.finished_at : null)) +
        (over ? '' : ' so far')],
      ['Cancel', w.cancel_requested ? 'requested' : null],
      ['Re-run of', w.rerun_of ? workflowLink(w.rerun_of) : null],
      ['Reuse', reuseSummary(w)],
      ['Re-runs', (w.reruns || []).length
        ? el('span', {id: 'workflow-reruns'}, w.reruns.map((r) => [workflowLink(r), ' '])) : null],
    ]));
  }

  function workflowLink(workflowId) {
    return el('a', {href: '#/workflows/' + encodeURIComponent(workflowId), class: 'mono'},
      shortId(workflowId));
  }

  async function rerun() {
    if (!await confirmDialog('Re-run this workflow?',
      'A new run of its tasks starts; those that succeeded and did not change reuse their' +
      ' results.', 'Re-run', false)) return;
    rerunButton.disabled = true;
    try {
      const created = await postJson(path + '/rerun', {reuse: true});
      if (!ctx.disposed()) ctx.navigate('#/workflows/' + encodeURIComponent(created.id));
    } catch (e) {
      rerunButton.disabled = false;
      replace(message, notice('error', 'Could not re-run: ' + errorText(e)));
    }
  }

  function showCounts(taskCounts) {
    const key = JSON.stringify(taskCounts);
    if (key === countsKey) return;
    countsKey = key;
    const total = Object.values(taskCounts).reduce((a, b) => a + Number(b || 0), 0);
    const box = (s, n, label) => el('div', {class: ['count', s ? statusClass(s) : null],
      dataset: {status: s || 'ALL'}},
    el('span', {class: 'n'}, String(n)), el('span', {class: 'label'}, label));
    replace(counts, box('', total, 'TASKS'),
      TASK_STATUSES.filter((s) => taskCounts[s]).map((s) => box(s, taskCounts[s], s)));
  }

  function showGraph(nodes, edges) {
    if (!nodes.length) {
      drawn = null;
      replace(graphBody, notice('empty', 'This workflow has no tasks.'));
      return;
    }
    if (drawn && drawn.shape === shapeOf(nodes, edges)) {
      drawn.update(nodes);
      return;
    }
    const fitted = graphBody.querySelector('.graph-frame.fit') !== null;
    drawn = drawGraph(nodes, edges, ctx.navigate);
    replace(graphBody, drawn.element);
    drawn.shown();
    if (fitted) graphBody.querySelector('#graph-fit').click();
  }

  function showList(nodes, edges) {
    const shape = shapeOf(nodes, edges);
    if (listed && listed.shape === shape) {
      for (const node of nodes) {
        const row = listed.rows.get(node.key);
        if (row.li.dataset.status !== node.status) {
          row.li.dataset.status = node.status;
          replace(row.badge, statusBadge(node.status));
        }
        if (row.reason.textContent !== (node.reason || '')) row.reason.textContent = node.reason || '';
      }
      return;
    }
    const rows = new Map();
    const takes = new Map();
    for (const e of edges) {
      if (!takes.has(e.to)) takes.set(e.to, []);
      takes.get(e.to).push(e.from);
    }
    const byKey = new Map(nodes.map((node) => [node.key, node]));
    const ordered = drawn ? drawn.order.map((key) => byKey.get(key)) : nodes;
    const items = ordered.map((node) => {
      const badgeBox = el('span', {}, statusBadge(node.status));
      const reason = el('span', {class: 'muted reason'}, node.reason || '');
      const deps = takes.get(node.key) || [];
      const li = el('li', {dataset: {key: node.key, status: node.status}},
        el('a', {href: '#/tasks/' + encodeURIComponent(node.id), class: 'mono'}, node.key), ' ',
        node.name && node.name !== node.key ? el('span', {class: 'task-name'}, node.name) : null,
        ' ', badgeBox,
        deps.length ? el('span', {class: 'muted'}, ' takes ' + deps.join(', ')) : null,
        node.reusedFrom ? [' ', el('a', {class: 'reused', href: '#/tasks/' +
          encodeURIComponent(node.reusedFrom), title: 'Reused the result of this task'},
        'reused')] : null,
        ' ', reason);
      rows.set(node.key, {li, badge: badgeBox, reason});
      return li;
    });
    listed = {shape, rows};
    const ul = el('ul', {class: ['plain-list', 'workflow-tasks'], id: 'workflow-tasks'}, items);
    list.hidden = false;
    replace(list, el('h2', {}, 'Tasks'), nodes.length > LIST_OPEN_UP_TO
      ? el('details', {}, el('summary', {}, `All ${nodes.length} tasks`), ul) : ul);
  }

  function showOutputs(w) {
    const entries = Object.entries(w.outputs || {});
    const key = JSON.stringify(entries);
    if (key === outputsKey) return;
    outputsKey = key;
    outputs.hidden = false;
    if (!entries.length) {
      replace(outputs, el('h2', {}, 'Outputs'), el('p', {class: 'muted'},
        ended(w) ? 'No outputs: no task that nothing depends on succeeded.'
          : 'The results of the tasks nothing depends on show here once they succeeded.'));
      return;
    }
    replace(outputs, el('h2', {}, 'Outputs'), entries.map(([taskKey, value]) => {
      const task = (w.tasks || {})[taskKey];
      return el('div', {class: 'output', dataset: {key: taskKey}},
        el('h3', {}, task
          ? el('a', {href: '#/tasks/' + encodeURIComponent(task.id), class: 'mono'}, taskKey)
          : el('span', {class: 'mono'}, taskKey)),
        isPickle(value)
          ? el('div', {},
            el('p', {}, 'A value JSON cannot carry, kept as a pickle: ', el('code', {}, value.type),
              task ? ' (its task’s page downloads it)' : ''),
            el('pre', {class: 'block'}, String(value.repr)))
          : el('pre', {class: 'block output-json'}, JSON.stringify(value, null, 2)));
    }));
  }

  return stop;
}

/** Whether nothing more will change: the workflow and every one of its tasks have ended. */
function ended(w) {
  return isFinal(w.status) && Object.values(w.tasks || {}).every((t) => isFinal(t.status));
}
