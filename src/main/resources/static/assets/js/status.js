// Task and workflow statuses: their order, which are final, and how they are shown. Colours are in
// app.css: the class `st-<STATUS>` sets the custom property --st to the status's colour, which
// badges use as background and SVG shapes as fill.

import {el} from './dom.js';

/** Every task status, in the order a task moves through them. */
export const TASK_STATUSES = [
  'WAITING', 'QUEUED', 'BUILDING', 'PUSHING', 'REGISTERING', 'SUBMITTED', 'PENDING', 'RUNNABLE',
  'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED',
];

/** Every workflow status. */
export const WORKFLOW_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Whether nothing more happens to a task (or workflow) in this status. */
export function isFinal(status) {
  return FINAL.has(status);
}

/** The CSS class that colours an element by status (unknown statuses get none). */
export function statusClass(status) {
  return TASK_STATUSES.includes(status) ? 'st-' + status : 'st-unknown';
}

/** A badge naming the status in its colour. */
export function statusBadge(status) {
  return el('span', {class: ['badge', statusClass(status)], dataset: {status}},
    String(status || 'unknown'));
}
