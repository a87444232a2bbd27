// #/workflows/{id}: a workflow — for now its status and a plain list of its tasks, each linking
// to the task's page.

import {getJson, seg} from '../api.js';
import {definitions, el, errorText, formatTime, notice, replace, shortId} from '../dom.js';
import {statusBadge} from '../status.js';

export async function render(container, ctx, params) {
  ctx.setTitle('Workflow ' + shortId(params.id));
  const body = el('div', {id: 'workflow'});
  container.append(body);
  let workflow;
  try {
    workflow = await getJson('/api/v1/workflows/' + seg(params.id));
  } catch (e) {
    if (!ctx.disposed()) replace(body, notice('error', 'Could not load the workflow: ' + errorText(e)));
    return undefined;
  }
  if (ctx.disposed()) return undefined;
  ctx.setTitle(workflow.name || 'Workflow ' + shortId(workflow.id));
  replace(body,
    el('div', {class: 'page-head'},
      el('h1', {}, workflow.name || '(unnamed workflow)'), statusBadge(workflow.status)),
    definitions([
      ['Id', el('span', {class: 'mono'}, workflow.id)],
      ['Created', formatTime(workflow.created_at)],
      ['Finished', formatTime(workflow.finished_at)],
    ]),
    el('h2', {}, 'Tasks'),
    el('ul', {class: 'plain-list', id: 'workflow-tasks'},
      Object.entries(workflow.tasks || {}).map(([key, task]) =>
        el('li', {dataset: {key, status: task.status}},
          el('a', {href: '#/tasks/' + encodeURIComponent(task.id)}, key), ' ',
          statusBadge(task.status)))));
  return undefined;
}
