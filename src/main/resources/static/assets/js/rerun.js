// What a workflow's page says of re-runs, as pure functions (tested under Node): which tasks of a
// re-run reused an earlier result instead of running, and how that reads.

/** The keys of the tasks that reused an earlier task's result, in the workflow's order. */
export function reusedKeys(workflow) {
  return Object.entries(workflow.tasks || {})
    .filter(([, task]) => task.reused_from)
    .map(([key]) => key);
}

/** A line on the re-run: how many tasks reused a result and how many run; null for none. */
export function reuseSummary(workflow) {
  const total = Object.keys(workflow.tasks || {}).length;
  if (!workflow.rerun_of) return null;
  const reused = reusedKeys(workflow).length;
  return `${reused} of ${total} task${total === 1 ? '' : 's'} reused an earlier result; ` +
    `${total - reused} ran`;
}
