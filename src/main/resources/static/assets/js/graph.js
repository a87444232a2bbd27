// A workflow's graph, drawn as SVG: each task a rounded box coloured by its status (the class
// st-<STATUS>, as everywhere) with its key and status as text, each `$task` reference an arrow
// from the task whose result is taken to the task that takes it. The positions come from
// graph-layout.js. Each box is a link to its task's page (focusable; Enter opens it too). The
// drawing scrolls inside its frame and can be dragged to pan, or fitted into the frame.
// A client's text (keys, names, reasons) goes in as text only.

import {el, svg} from './dom.js';
import {DEFAULTS, layout} from './graph-layout.js';
import {TASK_STATUSES, statusClass} from './status.js';

const MAX_LABEL = 21;

/** The graph's nodes and edges from a workflow answer: [{key, id, name, status, reason}], [{from, to}]. */
export function graphOf(workflow) {
  const nodes = [];
  const edges = [];
  for (const [key, task] of Object.entries(workflow.tasks || {})) {
    nodes.push({key, id: task.id, name: task.name || null, status: task.status,
      reason: task.status_reason || null, reusedFrom: task.reused_from || null});
    for (const from of task.depends_on || []) edges.push({from, to: key});
  }
  return {nodes, edges};
}

/** What decides the drawing's shape: the nodes, their ids and the edges (not their statuses). */
export function shapeOf(nodes, edges) {
  return JSON.stringify([nodes.map((n) => [n.key, n.id]), edges.map((e) => [e.from, e.to])]);
}

/**
 * Draws the graph. navigate(hash) opens a task (for Enter on a node; a click follows the link).
 * Answers {element, shape, order, update(nodes), shown()}: update() recolours the nodes in place,
 * for the same shape; shown() is called once the element is in the page; order is the keys as
 * the drawing has them.
 */
export function drawGraph(nodes, edges, navigate) {
  const started = performance.now();
  const placed = layout(nodes.map((n) => n.key), edges);
  const laidOut = performance.now();
  const w = DEFAULTS.nodeWidth;
  const h = DEFAULTS.nodeHeight;

  const chart = svg('svg', {id: 'workflow-graph', class: 'graph', width: placed.width,
    height: placed.height, viewBox: `0 0 ${placed.width} ${placed.height}`, role: 'group',
    'aria-label': `Graph of ${nodes.length} tasks`});
  chart.append(svg('defs', {},
    svg('marker', {id: 'graph-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
      markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse'},
    svg('path', {class: 'arrow-head', d: 'M 0 0 L 10 5 L 0 10 z'}))));

  const edgeLayer = svg('g', {class: 'edges'});
  const nodeLayer = svg('g', {class: 'nodes'});
  const edgesOf = new Map(); // key → the paths of its edges, to highlight them
  const keep = (key, path) => {
    if (!edgesOf.has(key)) edgesOf.set(key, []);
    edgesOf.get(key).push(path);
  };
  for (const e of edges) {
    const a = placed.nodes.get(e.from);
    const b = placed.nodes.get(e.to);
    if (!a || !b || e.from === e.to) continue;
    const x1 = a.x + w;
    const y1 = a.y + h / 2;
    const x2 = b.x - 2;
    const y2 = b.y + h / 2;
    const bend = Math.max(24, (x2 - x1) / 2);
    const path = svg('path', {class: 'edge', dataset: {from: e.from, to: e.to},
      d: `M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`,
      'marker-end': 'url(#graph-arrow)'});
    edgeLayer.append(path);
    keep(e.from, path);
    keep(e.to, path);
  }

  const boxes = new Map(); // key → {link, status text, title}
  for (const node of nodes) {
    const p = placed.nodes.get(node.key);
    const label = svg('text', {class: 'node-key', x: p.x + 10, y: p.y + 17}, short(node.key));
    const state = svg('text', {class: 'node-status', x: p.x + 10, y: p.y + 32});
    const title = svg('title');
    const link = svg('a', {href: '#/tasks/' + encodeURIComponent(node.id), class: 'node',
      dataset: {key: node.key, id: node.id}},
    title,
    svg('rect', {class: 'node-box', x: p.x, y: p.y, width: w, height: h, rx: 7, ry: 7}),
    label, state);
    const hot = (on) => {
      for (const path of edgesOf.get(node.key) || []) path.classList.toggle('hot', on);
    };
    link.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        navigate(link.getAttribute('href'));
      }
    });
    link.addEventListener('mouseenter', () => hot(true));
    link.addEventListener('mouseleave', () => hot(false));
    link.addEventListener('focus', () => hot(true));
    link.addEventListener('blur', () => hot(false));
    const entry = {link, state, title, status: null};
    boxes.set(node.key, entry);
    paint(entry, node);
    nodeLayer.append(link);
  }
  chart.append(edgeLayer, nodeLayer);
  const drawn = performance.now();
  chart.dataset.layoutMs = (laidOut - started).toFixed(1);
  chart.dataset.drawMs = (drawn - started).toFixed(1);
  chart.dataset.nodes = String(nodes.length);
  chart.dataset.layers = String(placed.layers);

  const frame = el('div', {class: 'graph-frame', id: 'graph-frame'}, chart);
  panByDragging(frame);
  // a drawing larger than the frame can be fitted into it, for an overview
  const large = placed.width > 1100 || placed.height > 640;
  const fit = el('button', {type: 'button', class: 'link', id: 'graph-fit', hidden: !large,
    on: {click: () => {
      const fitted = frame.classList.toggle('fit');
      fit.textContent = fitted ? 'Actual size' : 'Fit to the frame';
    }}}, 'Fit to the frame');
  const legend = el('div', {class: 'legend graph-legend', id: 'graph-legend'});
  const element = el('div', {class: 'graph-view'},
    el('div', {class: 'graph-tools muted'},
      el('span', {}, `${nodes.length} ${nodes.length === 1 ? 'task' : 'tasks'} in ` +
        `${placed.layers} ${placed.layers === 1 ? 'layer' : 'layers'}; an arrow goes from a task ` +
        'to one that takes its result. Drag or scroll to move around.'),
      el('span', {class: 'spacer'}), fit),
    frame, legend);

  function update(latest) {
    for (const node of latest) {
      const entry = boxes.get(node.key);
      if (entry) paint(entry, node);
    }
    showLegend(latest);
  }

  function showLegend(list) {
    const present = new Set(list.map((n) => n.status));
    const key = TASK_STATUSES.filter((s) => present.has(s)).join();
    if (legend.dataset.key === key) return;
    legend.dataset.key = key;
    legend.replaceChildren(...TASK_STATUSES.filter((s) => present.has(s)).map((s) =>
      el('span', {class: ['chip', statusClass(s)], dataset: {status: s}}, s.toLowerCase())));
  }
  showLegend(nodes);

  /**
   * Once the element is in the page: scrolls the frame to the first task of the first layer, and
   * records on the svg (data-shown-ms) the time from the start of the layout to the first frame
   * painted with the drawing.
   */
  function shown() {
    const first = nodes.map((n) => placed.nodes.get(n.key)).find((p) => p.layer === 0 && !p.order);
    if (first && frame.scrollHeight > frame.clientHeight) {
      frame.scrollTop = Math.max(0, first.y + h / 2 - frame.clientHeight / 2);
    }
    requestAnimationFrame(() => setTimeout(() => {
      chart.dataset.shownMs = (performance.now() - started).toFixed(1);
    }, 0));
  }

  // the keys in the drawing's order: by layer, then from the top
  const order = nodes.map((n) => n.key).sort((a, b) => {
    const p = placed.nodes.get(a);
    const q = placed.nodes.get(b);
    return p.layer - q.layer || p.order - q.order;
  });

  return {element, shape: shapeOf(nodes, edges), order, update, shown};
}

/** Puts a node's status on its box: its class (the colour), its status line and its tooltip. */
function paint(entry, node) {
  const tip = [node.key, node.name && node.name !== node.key ? node.name : null,
    node.status + (node.reason ? ': ' + node.reason : '')].filter(Boolean).join('\n');
  if (entry.status === node.status && entry.tip === tip) return;
  entry.status = node.status;
  entry.tip = tip;
  entry.link.setAttribute('class', 'node ' + statusClass(node.status));
  entry.link.dataset.status = node.status;
  entry.link.setAttribute('aria-label', `${node.key}: ${String(node.status).toLowerCase()}`);
  entry.state.textContent = String(node.status).toLowerCase();
  entry.title.textContent = tip;
}

function short(text) {
  return text.length > MAX_LABEL ? text.slice(0, MAX_LABEL - 1) + '…' : text;
}

/** Dragging the frame's background scrolls it (a drag that starts on a task is left alone). */
function panByDragging(frame) {
  let from = null;
  frame.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || event.target.closest('a')) return;
    from = {x: event.clientX, y: event.clientY, left: frame.scrollLeft, top: frame.scrollTop};
    frame.setPointerCapture(event.pointerId);
    frame.classList.add('dragging');
  });
  frame.addEventListener('pointermove', (event) => {
    if (!from) return;
    frame.scrollLeft = from.left - (event.clientX - from.x);
    frame.scrollTop = from.top - (event.clientY - from.y);
  });
  const end = () => {
    from = null;
    frame.classList.remove('dragging');
  };
  frame.addEventListener('pointerup', end);
  frame.addEventListener('pointercancel', end);
}
