import {test} from 'node:test';
import assert from 'node:assert/strict';
import {load} from './modules.mjs';

const {phases} = await load('timeline.js');

const status = (at, to, reason) => ({kind: 'STATUS', at, to_status: to, reason});

test('each status is a phase until the next, the final one is where the task ended', () => {
  const events = [
    status('2026-01-01T00:00:00Z', 'QUEUED'),
    {kind: 'CLAIMED', at: '2026-01-01T00:00:01Z'},
    status('2026-01-01T00:00:02Z', 'RUNNING'),
    status('2026-01-01T00:00:05Z', 'SUCCEEDED', 'exit 0'),
  ];
  const {phases: bars, ended} = phases(events, Date.parse('2026-01-01T01:00:00Z'));
  assert.deepEqual(bars.map((b) => [b.status, b.end - b.start, b.open]),
    [['QUEUED', 2000, false], ['RUNNING', 3000, false]]);
  assert.deepEqual(ended, {status: 'SUCCEEDED', at: Date.parse('2026-01-01T00:00:05Z'),
    reason: 'exit 0'});
});

test('while a task runs, its current phase is open and grows up to now', () => {
  const now = Date.parse('2026-01-01T00:00:10Z');
  const {phases: bars, ended} = phases([status('2026-01-01T00:00:00Z', 'QUEUED'),
    status('2026-01-01T00:00:04Z', 'RUNNING')], now);
  assert.equal(ended, null);
  assert.equal(bars[1].open, true);
  assert.equal(bars[1].end, now);
});
