import {test} from 'node:test';
import assert from 'node:assert/strict';
import {load} from './modules.mjs';

const {reusedKeys, reuseSummary} = await load('rerun.js');

const rerun = {
  rerun_of: 'w-1',
  tasks: {
    load: {id: 't-1', status: 'SUCCEEDED', reused_from: 'e-1'},
    train: {id: 't-2', status: 'SUCCEEDED', reused_from: 'e-2'},
    score: {id: 't-3', status: 'RUNNING', reused_from: null},
  },
};

test('the tasks that reused an earlier result are named in the workflow order', () => {
  assert.deepEqual(reusedKeys(rerun), ['load', 'train']);
  assert.deepEqual(reusedKeys({tasks: {a: {status: 'QUEUED'}}}), []);
  assert.deepEqual(reusedKeys({}), []);
});

test('a re-run says how many tasks reused a result and how many ran; a first run says nothing', () => {
  assert.equal(reuseSummary(rerun), '2 of 3 tasks reused an earlier result; 1 ran');
  assert.equal(reuseSummary({rerun_of: 'w', tasks: {a: {reused_from: null}}}),
    '0 of 1 task reused an earlier result; 1 ran');
  assert.equal(reuseSummary({rerun_of: null, tasks: rerun.tasks}), null);
});
