// A task's timeline, drawn as SVG from its events (GET /api/v1/tasks/{id}/events): one row per
// status it went through (queued, building, ..., running), each time in that status a bar on the
// row, with the total time in it at the right; the final status as a point where the task ended;
// each attempt a vertical mark, a retry's in red with its reason. While the task runs, its current
// status's bar grows up to now.

import {el, formatDuration, formatTime, svg} from './dom.js';
import {isFinal, statusClass} from './status.js';

const W = 900;
const LABEL_W = 112;
const TOTAL_W = 96;
const ROW_H = 24;
const TOP = 22;
const AXIS_H = 24;

/** The phases of a history: [{status, start, end, reason}] in ms, plus where it ended. */
export function phases(events, now = Date.now()) {
  const changes = events.filter((e) => e.kind === 'STATUS' && e.to_status);
  const result = [];
  let ended = null;
  changes.forEach((e, i) => {
    const start = Date.parse(e.at);
    if (isFinal(e.to_status)) {
      ended = {status: e.to_status, at: start, reason: e.reason};
      return;
    }
    const next = changes[i + 1];
    result.push({status: e.to_status, start, end: next ? Date.parse(next.at) : now,
      reason: e.reason, open: !next});
  });
  return {phases: result, ended};
}

/** The timeline of events as an element (an SVG chart with a table of every event below it). */
export function timeline(events, now = Date.now()) {
  if (!events.length) {
    return el('p', {class: 'muted'}, 'No events yet.');
  }
  const {phases: bars, ended} = phases(events, now);
  const t0 = Date.parse(events[0].at);
  const t1 = ended ? ended.at : Math.max(now, ...bars.map((b) => b.end));
  const span = Math.max(t1 - t0, 1);
  const rows = [];
  for (const bar of bars) {
    let row = rows.find((r) => r.status === bar.status);
    if (!row) {
      row = {status: bar.status, bars: [], total: 0};
      rows.push(row);
    }
    row.bars.push(bar);
    row.total += bar.end - bar.start;
  }
  const rowCount = rows.length + (ended ? 1 : 0);
  const height = TOP + rowCount * ROW_H + AXIS_H;
  const plotW = W - LABEL_W - TOTAL_W - 8;
  const x = (t) => LABEL_W + ((t - t0) / span) * plotW;

  const chart = svg('svg', {viewBox: `0 0 ${W} ${height}`, role: 'img',
    'aria-label': 'Timeline of the task', id: 'timeline-chart'});

  // axis with ticks
  const axisY = TOP + rowCount * ROW_H + 4;
  chart.append(svg('line', {class: 'axis', x1: LABEL_W, x2: LABEL_W + plotW, y1: axisY, y2: axisY}));
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (span * i) / 4;
    chart.append(svg('text', {class: 'tick', x: x(t), y: axisY + 14,
      'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle'},
    i === 0 ? formatTime(events[0].at) : '+' + formatDuration(t - t0)));
  }

  rows.forEach((row, i) => {
    const y = TOP + i * ROW_H;
    const group = svg('g', {class: ['phase', statusClass(row.status)], dataset: {status: row.status}});
    group.append(svg('text', {class: 'label', x: 0, y: y + 16}, row.status.toLowerCase()));
    for (const bar of row.bars) {
      const left = x(bar.start);
      const width = Math.max(2, x(bar.end) - left);
      group.append(svg('rect', {class: 'bar', x: left, y: y + 4, width, height: ROW_H - 8, rx: 3},
        svg('title', {}, `${row.status} for ${formatDuration(bar.end - bar.start)}` +
          (bar.reason ? ': ' + bar.reason : '') + (bar.open ? ' (so far)' : ''))));
    }
    group.append(svg('text', {class: 'dur', x: W, y: y + 16, 'text-anchor': 'end'},
      formatDuration(row.total)));
    chart.append(group);
  });

  if (ended) {
    const y = TOP + rows.length * ROW_H;
    chart.append(svg('g', {class: ['phase', 'ended', statusClass(ended.status)],
      dataset: {status: ended.status}},
    svg('text', {class: 'label', x: 0, y: y + 16}, ended.status.toLowerCase()),
    svg('circle', {class: 'end', cx: x(ended.at), cy: y + ROW_H / 2, r: 6},
      svg('title', {}, `${ended.status} at ${formatTime(new Date(ended.at).toISOString())}` +
        (ended.reason ? ': ' + ended.reason : ''))),
    svg('text', {class: 'dur', x: W, y: y + 16, 'text-anchor': 'end'},
      'total ' + formatDuration(ended.at - t0))));
  }

  // attempts and retries
  for (const e of events) {
    const attempt = e.kind === 'ATTEMPT' ? Number(e.details && e.details.attempt) : null;
    if (e.kind !== 'ATTEMPT' && e.kind !== 'RETRY') continue;
    const retry = e.kind === 'RETRY' || attempt > 1;
    const at = x(Date.parse(e.at));
    const mark = svg('g', {class: ['attempt', retry ? 'retry' : null],
      dataset: {kind: e.kind, attempt: attempt || null}},
    svg('rect', {class: ['mark', retry ? 'retry' : null], x: at - 0.75, y: TOP - 4, width: 1.5,
      height: rowCount * ROW_H + 8}),
    svg('title', {}, e.reason || e.kind));
    if (e.kind === 'ATTEMPT') {
      mark.append(svg('text', {class: ['mark-label', retry ? 'retry' : null], x: at + 3, y: 12},
        retry ? `retry: attempt ${attempt}` : `attempt ${attempt}`));
    }
    chart.append(mark);
  }

  return el('div', {class: 'timeline'}, chart, eventTable(events));
}

function eventTable(events) {
  return el('details', {},
    el('summary', {}, `All events (${events.length})`),
    el('table', {class: 'events', id: 'events'},
      el('tbody', {}, events.map((e) => el('tr', {dataset: {kind: e.kind}},
        el('td', {}, formatTime(e.at)),
        el('td', {}, e.kind === 'STATUS'
          ? (e.from_status ? e.from_status + ' → ' : '') + e.to_status : e.kind),
        el('td', {}, e.reason || ''),
        el('td', {class: 'mono'},
          e.details && Object.keys(e.details).length ? JSON.stringify(e.details) : ''))))));
}
