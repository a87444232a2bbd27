import {test} from 'node:test';
import assert from 'node:assert/strict';
import {load} from './modules.mjs';

const {parseHash} = await load('router.js');
const {query, seg} = await load('api.js');

test('a hash is a path and its query', () => {
  assert.deepEqual(parseHash('#/tasks?status=FAILED&page=2'),
    {path: '/tasks', query: {status: 'FAILED', page: '2'}});
  assert.deepEqual(parseHash('#/workflows/abc'), {path: '/workflows/abc', query: {}});
  assert.deepEqual(parseHash(''), {path: '/tasks', query: {}});
  assert.deepEqual(parseHash('#/sign-in?next=%23%2Ftasks%2F1'),
    {path: '/sign-in', query: {next: '#/tasks/1'}});
});

test('a query leaves out what is not given and encodes the rest', () => {
  assert.equal(query({status: 'RUNNING', page: 0, size: null, name: '', x: undefined}),
    '?status=RUNNING&page=0');
  assert.equal(query({}), '');
  assert.equal(query({name: 'a b&c'}), '?name=a+b%26c');
  assert.equal(seg('../x y'), '..%2Fx%20y');
});
