// #/tasks/{id}: one task.

import {getJson, seg} from '../api.js';
import {definitions, el, errorText, formatTime, notice, replace, shortId} from '../dom.js';
import {statusBadge} from '../status.js';

export async function render(container, ctx, params) {
  ctx.setTitle('Task ' + shortId(params.id));
  const body = el('div', {id: 'task'});
  container.append(body);
  let task;
  try {
    task = await getJson('/api/v1/tasks/' + seg(params.id));
  } catch (e) {
    if (!ctx.disposed()) replace(body, notice('error', 'Could not load the task: ' + errorText(e)));
    return undefined;
  }
  if (ctx.disposed()) return undefined;
  replace(body,
    el('div', {class: 'page-head'}, el('h1', {id: 'task-name'}, task.name || '(unnamed)'),
      statusBadge(task.status)),
    definitions([
      ['Id', el('span', {class: 'mono'}, task.id)],
      ['Reason', task.status_reason],
      ['Created', formatTime(task.created_at)],
      ['Finished', formatTime(task.finished_at)],
    ]));
  return undefined;
}
