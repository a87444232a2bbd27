// #/tasks/{id}/runs/{index}: one run of a parameter sweep — its combination, its outcome once the
// sweep has ended (the value, a pickle's type and repr with a download, or the error and its
// traceback), and its output, followed live while the sweep runs.

import {ApiError, getJson, seg} from '../api.js';
import {definitions, el, errorText, notice, replace, shortId} from '../dom.js';
import {errorBlock, outputPanel, resultBlock} from '../parts.js';
import {poll} from '../poll.js';
import {isFinal, statusBadge} from '../status.js';
import {combinationAt, describe, runCount} from '../sweep.js';

const EVERY_MS = 2000;

export function render(container, ctx, params) {
  const id = params.id;
  const index = parseInt(params.index, 10);
  const path = '/api/v1/tasks/' + seg(id);
  ctx.setTitle('Run ' + index + ' of ' + shortId(id));

  const back = el('a', {href: '#/tasks/' + encodeURIComponent(id)}, '‹ The sweep');
  const title = el('h1', {id: 'run-title'}, 'Run ' + index);
  const badge = el('span', {});
  const nav = el('div', {class: 'actions'});
  const message = el('div', {});
  const facts = el('section', {class: 'section', id: 'run'});
  const outcome = el('section', {class: 'section', id: 'outcome', hidden: true});
  const output = outputPanel(path + '/logs?index=' + index);
  container.append(el('p', {class: 'muted'}, back),
    el('div', {class: 'page-head'}, title, badge, el('span', {class: 'spacer'}), nav),
    message, facts, outcome, output.element);

  let started = false;
  let shownOutcome = false;
  let task = null;

  const stop = poll(async () => {
    try {
      task = await getJson(path);
      if (ctx.disposed()) return false;
    } catch (e) {
      if (!ctx.disposed()) {
        replace(message, notice('error', e instanceof ApiError && e.status === 404
          ? 'No such task (or not yours): ' + id : 'Could not load the task: ' + errorText(e)));
      }
      return !(e instanceof ApiError && e.status === 404);
    }
    if (!task.sweep) {
      replace(message, notice('error', 'This task is not a parameter sweep.'));
      return false;
    }
    const runs = runCount(task.sweep);
    if (!(index >= 0 && index < runs)) {
      replace(message, notice('error', `This sweep has runs 0 to ${runs - 1}.`));
      return false;
    }
    const combination = combinationAt(task.sweep, index);
    ctx.setTitle(`Run ${index} of ${task.name || shortId(task.id)}`);
    replace(title, `Run ${index} of ${runs}`);
    replace(back, '‹ ' + (task.name || 'The sweep'));
    replace(badge, statusBadge(task.status));
    replace(nav,
      index > 0 ? el('a', {class: 'button', href: runLink(id, index - 1)}, '‹ Run ' + (index - 1))
        : null,
      index + 1 < runs
        ? el('a', {class: 'button', href: runLink(id, index + 1)}, 'Run ' + (index + 1) + ' ›')
        : null);
    replace(facts, el('h2', {}, 'Combination'), definitions(
      Object.entries(combination).map(([k, v]) => [k, el('code', {}, JSON.stringify(v))])),
    el('p', {class: 'muted'}, 'Called with ' + describe(combination) +
      ' added to the task’s keyword arguments. The sweep is ' + task.status + ': ' +
      (task.status_reason || '')));
    if (!started) {
      started = true;
      follow();
    }
    if (isFinal(task.status) && !shownOutcome) {
      shownOutcome = true;
      showOutcome();
    }
    return !isFinal(task.status);
  }, EVERY_MS);

  async function follow() {
    if (!isFinal(task.status)) {
      const ended = await output.follow();
      if (ctx.disposed() || (ended && output.received())) return;
    }
    while (!ctx.disposed() && !isFinal(task.status)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!ctx.disposed()) await output.load();
  }

  async function showOutcome() {
    outcome.hidden = false;
    if (task.status !== 'SUCCEEDED') {
      let error = task.error;
      if (error && (error.has_traceback || error.message_truncated)) {
        // the task's view carries the start of the message; the whole error is apart
        try {
          error = await getJson(path + '/error');
        } catch (e) {
          // the summary is what there is
        }
        if (ctx.disposed()) return;
      }
      replace(outcome, el('h2', {}, 'Outcome'),
        el('p', {}, `The sweep ${task.status}: ${task.status_reason || ''}`),
        error ? errorBlock(error) : null);
      return;
    }
    try {
      const run = await getJson(path + '/result?index=' + index);
      if (ctx.disposed()) return;
      if (run.error) {
        replace(outcome, el('h2', {}, 'Error'), errorBlock(run.error));
      } else {
        const value = run.pickled ? {pickled: true, type: run.type, repr: run.repr} : run.result;
        replace(outcome, el('h2', {}, 'Result'),
          resultBlock(value, path + '/result?index=' + index, `${id}-run-${index}.pickle`));
      }
    } catch (e) {
      if (!ctx.disposed()) replace(outcome, el('h2', {}, 'Outcome'), notice('error', errorText(e)));
    }
  }

  return () => {
    stop();
    output.stop();
  };
}

function runLink(id, index) {
  return '#/tasks/' + encodeURIComponent(id) + '/runs/' + index;
}
