import {test} from 'node:test';
import assert from 'node:assert/strict';
import {load} from './modules.mjs';

const {combinations, combinationAt, describe, runCount, short} = await load('sweep.js');

test('combinations are in the service order: the names as given, the last varying fastest', () => {
  assert.deepEqual(combinations({C: [1, 10], gamma: ['a', 'b', 'c']}), [
    {C: 1, gamma: 'a'}, {C: 1, gamma: 'b'}, {C: 1, gamma: 'c'},
    {C: 10, gamma: 'a'}, {C: 10, gamma: 'b'}, {C: 10, gamma: 'c'},
  ]);
  assert.deepEqual(combinations({}), [{}]);
  assert.equal(combinations({a: [1, 2], b: [1, 2, 3], c: [1, 2, 3, 4]}).length, 24);
});

test('a combination reads as text and long values are shortened', () => {
  assert.equal(describe({C: 0.1, kernel: 'rbf'}), 'C=0.1, kernel="rbf"');
  assert.equal(short('abcdefghijklmnopq', 5), 'abcd…');
  assert.equal(short({a: 1}), '{"a":1}');
});

test('one run\'s combination is worked out from its index, as the list has it', () => {
  const sweep = {a: [1, 2], b: ['x', 'y', 'z'], c: [true, false]};
  const all = combinations(sweep);
  assert.equal(runCount(sweep), all.length);
  all.forEach((combination, i) => assert.deepEqual(combinationAt(sweep, i), combination));
});
