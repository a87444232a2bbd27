import {test} from 'node:test';
import assert from 'node:assert/strict';
import {load} from './modules.mjs';

const {layout, DEFAULTS} = await load('graph-layout.js');

test('every edge points to a later layer, sources are in the first', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const edges = [{from: 'a', to: 'b'}, {from: 'b', to: 'c'}, {from: 'a', to: 'c'},
    {from: 'd', to: 'e'}];
  const {nodes, layers} = layout(ids, edges);
  for (const e of edges) {
    assert.ok(nodes.get(e.from).layer < nodes.get(e.to).layer, `${e.from} -> ${e.to}`);
  }
  assert.equal(nodes.get('a').layer, 0);
  assert.equal(nodes.get('d').layer, 0);
  assert.equal(nodes.get('c').layer, 2, 'the longest path decides the layer');
  assert.equal(layers, 3);
});

test('a layer is a column and its nodes are at least a row apart', () => {
  const ids = ['root', 'x', 'y', 'z'];
  const edges = ids.slice(1).map((id) => ({from: 'root', to: id}));
  const {nodes, width} = layout(ids, edges);
  const column = ['x', 'y', 'z'].map((id) => nodes.get(id));
  assert.ok(column.every((p) => p.x === column[0].x));
  const ys = column.map((p) => p.y).sort((a, b) => a - b);
  for (let i = 1; i < ys.length; i++) {
    assert.ok(ys[i] - ys[i - 1] >= DEFAULTS.nodeHeight + DEFAULTS.rowGap);
  }
  assert.equal(width, 2 * DEFAULTS.margin + 2 * DEFAULTS.nodeWidth + DEFAULTS.layerGap);
});

test('unknown ids, self edges and cycles do not stop the layout', () => {
  const {nodes} = layout(['a', 'b'],
    [{from: 'a', to: 'a'}, {from: 'a', to: 'nobody'}, {from: 'a', to: 'b'}, {from: 'b', to: 'a'}]);
  assert.equal(nodes.size, 2);
  assert.deepEqual(layout([], []).nodes.size, 0);
});

test('crossings are undone by the barycenter sweeps', () => {
  // a1 -> b2 and a2 -> b1 would cross if b kept its given order
  const {nodes} = layout(['a1', 'a2', 'b1', 'b2'], [{from: 'a1', to: 'b2'}, {from: 'a2', to: 'b1'}]);
  assert.ok(nodes.get('b2').y < nodes.get('b1').y);
});
