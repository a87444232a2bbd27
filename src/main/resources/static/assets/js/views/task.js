// #/tasks/{id}: one task — status and reason, what it runs with (executor settings, image, Batch
// job, attempts), its timeline from its events, its result (or error and traceback), a sweep's
// grid, and its output, followed live while it runs. Cancel and delete ask for a confirmation.
// While the task has not ended, the task and its events are read again every 1.5 s.

import {ApiError, del, getJson, postJson, seg} from '../api.js';
import {between, containerId, definitions, el, errorText, formatDuration, formatTime, notice, replace, shortId}
  from '../dom.js';
import {confirmDialog, errorBlock, outputPanel, resultBlock} from '../parts.js';
import {poll} from '../poll.js';
import {isFinal, statusBadge} from '../status.js';
import {grid} from '../sweep.js';
import {timeline} from '../timeline.js';

const EVERY_MS = 1500;

export function render(container, ctx, params) {
  const id = params.id;
  const path = '/api/v1/tasks/' + seg(id);
  ctx.setTitle('Task ' + shortId(id));

  const title = el('h1', {id: 'task-name'}, '');
  const badge = el('span', {id: 'task-status'});
  const actions = el('div', {class: 'actions'});
  const reason = el('p', {class: 'reason-line', id: 'task-reason'});
  const message = el('div', {});
  const details = el('section', {class: 'section', id: 'details'});
  const settings = el('section', {class: 'section', id: 'settings'});
  const chart = el('div', {});
  const outcome = el('section', {class: 'section', id: 'outcome', hidden: true});
  const sweepSection = el('section', {class: 'section', id: 'sweep', hidden: true});
  const output = outputPanel(path + '/logs');

  container.append(
    el('p', {class: 'muted'}, el('a', {href: '#/tasks'}, '‹ Tasks')),
    el('div', {class: 'page-head'}, title, badge, el('span', {class: 'spacer'}), actions),
    reason, message,
    el('div', {class: 'columns'}, details, settings),
    el('section', {class: 'section', id: 'timeline'}, el('h2', {}, 'Timeline'), chart),
    sweepSection, outcome, output.element);

  let task = null;
  let lastEvents = null;
  let outcomeShownFor = null;
  let outputStarted = false;
  let busy = false;
  let factsKey = null;
  let actionsKey = null;
  let sweepOutcomes = null;

  const stop = poll(async () => {
    try {
      const [t, events] = await Promise.all([getJson(path), getJson(path + '/events')]);
      if (ctx.disposed()) return false;
      task = t;
      show(task, events);
      return !isFinal(task.status);
    } catch (e) {
      if (ctx.disposed()) return false;
      if (e instanceof ApiError && e.status === 404) {
        replace(message, notice('error', 'No such task (or not yours): ' + id));
        return false;
      }
      replace(message, notice('error', 'Could not load the task: ' + errorText(e)));
      return true;
    }
  }, EVERY_MS);

  function show(t, events) {
    ctx.setTitle(t.name || 'Task ' + shortId(t.id));
    replace(title, t.name || '(unnamed)');
    replace(badge, statusBadge(t.status));
    replace(reason, t.status_reason || '');
    replace(message);
    showActions(t);
    drawFacts(t);
    const key = JSON.stringify(events) + (isFinal(t.status) ? '' : Date.now());
    if (key !== lastEvents) {
      lastEvents = key;
      const open = chart.querySelector('details[open]') !== null;
      replace(chart, timeline(events));
      if (open) chart.querySelector('details').open = true;
    }
    if (t.sweep) showSweep(t, null);
    if (isFinal(t.status) && outcomeShownFor !== t.status) {
      outcomeShownFor = t.status;
      showOutcome(t);
    }
    startOutput(t);
  }

  function drawFacts(t) {
    const key = JSON.stringify(t) + (isFinal(t.status) ? '' : Date.now());
    if (key === factsKey) return;
    factsKey = key;
    replace(details, el('h2', {}, 'Task'), definitions([
      ['Id', el('span', {class: 'mono'}, t.id)],
      ['Workflow', t.workflow_id ? el('a', {href: '#/workflows/' + encodeURIComponent(t.workflow_id)},
        t.workflow_key || shortId(t.workflow_id)) : null],
      ['Created', formatTime(t.created_at)],
      ['Finished', formatTime(t.finished_at)],
      ['Duration', formatDuration(between(t.created_at, isFinal(t.status) ? t.finished_at : null)) +
        (isFinal(t.status) ? '' : ' so far')],
      ['Attempts', String(t.attempts)],
      ['Exit code', t.exit_code === null || t.exit_code === undefined ? null : String(t.exit_code)],
      ['Image', t.image ? el('span', {class: 'mono'}, t.image) : null],
      ['Batch job id', t.batch_job_id ? el('span', {class: 'mono'}, t.batch_job_id) : null],
      ['Job definition', t.job_definition_arn ? el('span', {class: 'mono'}, t.job_definition_arn)
        : null],
      ['Container', t.container_id ? el('span', {class: 'mono', title: t.container_id}, containerId(t.container_id)) : null],
      ['Cancel', t.cancel_requested ? 'requested' : null],
    ]));
    replace(settings, el('h2', {}, 'Executor settings'), definitions(
      Object.entries(t.executor || {}).map(([k, v]) =>
        [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]),
      {class: ['facts', 'settings']}));
  }

  function showActions(t) {
    // drawn again only when what they depend on changed, so a button is never swapped under a click
    const key = [isFinal(t.status), t.cancel_requested, busy, Boolean(t.workflow_id)].join();
    if (key === actionsKey) return;
    actionsKey = key;
    const buttons = [];
    if (!isFinal(t.status)) {
      buttons.push(el('button', {type: 'button', id: 'cancel-task', disabled: busy || t.cancel_requested,
        on: {click: () => cancel(t)}}, t.cancel_requested ? 'Cancelling…' : 'Cancel'));
    } else {
      buttons.push(el('button', {type: 'button', id: 'delete-task', class: 'danger',
        disabled: busy || Boolean(t.workflow_id),
        title: t.workflow_id ? 'A task of a workflow goes with its workflow' : null,
        on: {click: () => remove(t)}}, 'Delete'));
    }
    replace(actions, buttons);
  }

  async function cancel(t) {
    if (!await confirmDialog('Cancel this task?',
      `“${t.name || shortId(t.id)}” will be stopped${t.status === 'RUNNING' ? ' while it runs' : ''}` +
      ' and end CANCELLED.', 'Cancel the task')) return;
    busy = true;
    showActions(t);
    try {
      task = await postJson(path + '/cancel');
      if (ctx.disposed()) return;
    } catch (e) {
      replace(message, notice('error', 'Could not cancel: ' + errorText(e)));
    } finally {
      busy = false;
    }
    if (!ctx.disposed()) showActions(task); // the next read shows the rest
  }

  async function remove(t) {
    if (!await confirmDialog('Delete this task?',
      `“${t.name || shortId(t.id)}”, its history, result and output will be deleted for good.`,
      'Delete')) return;
    busy = true;
    showActions(t);
    try {
      await del(path);
      ctx.navigate('#/tasks');
    } catch (e) {
      busy = false;
      showActions(t);
      replace(message, notice('error', 'Could not delete: ' + errorText(e)));
    }
  }

  async function showOutcome(t) {
    outcome.hidden = false;
    if (t.status === 'SUCCEEDED') {
      replace(outcome, el('h2', {}, 'Result'), el('p', {class: 'muted'}, 'loading…'));
      try {
        const value = await getJson(path + '/result');
        if (ctx.disposed()) return;
        if (t.sweep) {
          showSweep(t, Array.isArray(value) ? value : null);
          replace(outcome, el('h2', {}, 'Result'),
            el('details', {}, el('summary', {}, 'Every combination’s outcome as JSON'),
              resultBlock(value, path + '/result', t.id + '.pickle')));
        } else {
          replace(outcome, el('h2', {}, 'Result'),
            resultBlock(value, path + '/result', (t.name || t.id) + '.pickle'));
        }
      } catch (e) {
        if (!ctx.disposed()) replace(outcome, el('h2', {}, 'Result'), notice('error', errorText(e)));
      }
    } else if (t.status === 'FAILED') {
      if (!t.error) {
        replace(outcome, el('h2', {}, 'Error'), el('p', {}, t.status_reason || 'It failed.'));
        return;
      }
      // the task's view carries the start of the message; the whole error, traceback too, is apart
      if (!t.error.has_traceback && !t.error.message_truncated) {
        replace(outcome, el('h2', {}, 'Error'), errorBlock(t.error));
        return;
      }
      replace(outcome, el('h2', {}, 'Error'), el('p', {class: 'muted'}, 'loading…'));
      try {
        const error = await getJson(path + '/error');
        if (!ctx.disposed()) replace(outcome, el('h2', {}, 'Error'), errorBlock(error));
      } catch (e) {
        if (!ctx.disposed()) {
          replace(outcome, el('h2', {}, 'Error'), errorBlock(t.error), notice('error', errorText(e)));
        }
      }
    } else {
      replace(outcome, el('h2', {}, 'Cancelled'), el('p', {}, t.status_reason || ''));
    }
  }

  function showSweep(t, outcomes) {
    if (outcomes) sweepOutcomes = outcomes;
    sweepSection.hidden = false;
    const pending = isFinal(t.status) ? 'no outcome' : 'not ended yet';
    replace(sweepSection, el('h2', {}, 'Sweep'),
      el('p', {class: 'muted'}, 'Each cell is one combination; open it for its result and output.'),
      grid(t.id, t.sweep, sweepOutcomes, pending));
  }

  async function startOutput(t) {
    if (outputStarted) return;
    outputStarted = true;
    if (!isFinal(t.status) && !t.sweep) {
      const ended = await output.follow();
      if (ctx.disposed() || (ended && output.received())) return;
    }
    // a sweep's runs have their own output, on each run's page; the whole is there once all ended
    if (t.sweep && !isFinal(t.status)) {
      output.note('Each run’s output is on its page (open a cell); all of it shows here once the ' +
        'sweep has ended.');
    }
    await waitForEnd();
    if (!ctx.disposed()) await output.load();
  }

  function waitForEnd() {
    return new Promise((resolve) => {
      const check = () => {
        if (ctx.disposed() || (task && isFinal(task.status))) resolve();
        else setTimeout(check, 500);
      };
      check();
    });
  }

  return () => {
    stop();
    output.stop();
  };
}
