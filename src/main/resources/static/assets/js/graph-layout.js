// The layout of a workflow's graph: a pure function from nodes and edges to positions, no DOM.
//
// Layered, left to right (a simplified Sugiyama layout, without dummy nodes for long edges):
//   1. layers: each node's layer is the length of the longest path to it from a source (a node
//      nothing points to), found in one pass over a topological order (Kahn's algorithm): O(V+E).
//      Every edge then points to a later layer.
//   2. order within layers: a few barycenter sweeps, down (each node placed at the mean position
//      of the nodes pointing to it, in whatever earlier layer they are) then up (at the mean of the
//      nodes it points to); ties keep the order before the sweep. Each sweep is O(V+E) plus the
//      sort of each layer.
//   3. coordinates: a layer is a column; down the layers, each column's heights are the closest
//      (least squares) to the mean heights of the nodes pointing to each of its nodes, with the
//      nodes in their order at least a row apart: an isotonic regression, O(n) per column.
// The service refuses a workflow with a cycle; should one come anyway, the nodes on or after it
// go to one last layer, so the layout still ends.

export const DEFAULTS = {
  nodeWidth: 168,
  nodeHeight: 40,
  layerGap: 64,
  rowGap: 14,
  margin: 16,
  sweeps: 4,
};

/**
 * Lays out a directed graph.
 *
 * ids      the nodes' ids (strings), in the order to keep where nothing else decides
 * edges    [{from, to}]: `to` depends on `from` (an arrow from → to); edges naming an unknown id,
 *          and an edge from a node to itself, are left out
 * options  sizes in pixels, see DEFAULTS
 *
 * Answers {nodes: Map id → {x, y, layer, order} (the top-left corner of the node's box),
 * width, height, layers (how many)}.
 */
export function layout(ids, edges, options) {
  const o = Object.assign({}, DEFAULTS, options || {});
  const n = ids.length;
  const index = new Map();
  ids.forEach((id, i) => index.set(id, i));
  const preds = Array.from({length: n}, () => []);
  const succs = Array.from({length: n}, () => []);
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    succs[a].push(b);
    preds[b].push(a);
  }

  const layerOf = assignLayers(n, preds, succs);
  let layerCount = 0;
  for (let v = 0; v < n; v++) layerCount = Math.max(layerCount, layerOf[v] + 1);
  const layers = Array.from({length: layerCount}, () => []);
  for (let v = 0; v < n; v++) layers[layerOf[v]].push(v);

  const pos = new Float64Array(n); // a node's place in its layer, centred on 0
  const place = (layer) => {
    const mid = (layer.length - 1) / 2;
    layer.forEach((v, i) => {
      pos[v] = i - mid;
    });
  };
  layers.forEach(place);

  const key = new Float64Array(n);
  const sortLayer = (layer, neighbours) => {
    for (const v of layer) {
      const list = neighbours[v];
      if (list.length) {
        let sum = 0;
        for (const w of list) sum += pos[w];
        key[v] = sum / list.length;
      } else {
        key[v] = pos[v];
      }
    }
    layer.sort((a, b) => key[a] - key[b] || pos[a] - pos[b]);
    place(layer);
  };
  for (let s = 0; s < o.sweeps; s++) {
    for (let k = 1; k < layerCount; k++) sortLayer(layers[k], preds);
    for (let k = layerCount - 2; k >= 0; k--) sortLayer(layers[k], succs);
  }
  for (let k = 1; k < layerCount; k++) sortLayer(layers[k], preds);

  // heights: column 0 stacked; each later column as close as it can be to where the nodes pointing
  // to it are, in its order and a row apart
  const pitch = o.nodeHeight + o.rowGap;
  const y = new Float64Array(n);
  layers.forEach((layer, k) => {
    const wanted = layer.map((v, i) => {
      const list = preds[v];
      if (!k || !list.length) return i * pitch;
      let sum = 0;
      for (const w of list) sum += y[w];
      return sum / list.length;
    });
    const placed = k ? spaced(wanted, pitch) : wanted;
    layer.forEach((v, i) => {
      y[v] = placed[i];
    });
  });

  let top = Infinity;
  let bottom = -Infinity;
  for (let v = 0; v < n; v++) {
    top = Math.min(top, y[v]);
    bottom = Math.max(bottom, y[v]);
  }
  if (!n) {
    top = 0;
    bottom = 0;
  }
  const nodes = new Map();
  layers.forEach((layer, k) => {
    layer.forEach((v, order) => {
      nodes.set(ids[v], {
        x: o.margin + k * (o.nodeWidth + o.layerGap),
        y: Math.round(o.margin + y[v] - top),
        layer: k,
        order,
      });
    });
  });
  return {
    nodes,
    width: layerCount ? 2 * o.margin + layerCount * o.nodeWidth + (layerCount - 1) * o.layerGap
      : 2 * o.margin,
    height: n ? Math.round(2 * o.margin + bottom - top + o.nodeHeight) : 2 * o.margin,
    layers: layerCount,
  };
}

/**
 * Heights as close to `wanted` as they can be (least squares) while each is at least `pitch` below
 * the one before: with z_i = y_i - i * pitch that is an isotonic regression (z non-decreasing),
 * solved in O(n) by pooling adjacent violators.
 */
function spaced(wanted, pitch) {
  const sums = [];
  const counts = [];
  for (let i = 0; i < wanted.length; i++) {
    let sum = wanted[i] - i * pitch;
    let count = 1;
    while (sums.length && sums[sums.length - 1] / counts[counts.length - 1] > sum / count) {
      sum += sums.pop();
      count += counts.pop();
    }
    sums.push(sum);
    counts.push(count);
  }
  const y = new Array(wanted.length);
  let i = 0;
  sums.forEach((sum, b) => {
    const z = sum / counts[b];
    for (let c = 0; c < counts[b]; c++, i++) y[i] = z + i * pitch;
  });
  return y;
}

/** Each node's layer: the length of the longest path to it from a source (Kahn's order). */
function assignLayers(n, preds, succs) {
  const layer = new Int32Array(n);
  const remaining = new Int32Array(n);
  const order = [];
  for (let v = 0; v < n; v++) {
    remaining[v] = preds[v].length;
    if (!remaining[v]) order.push(v);
  }
  for (let head = 0; head < order.length; head++) {
    const v = order[head];
    for (const w of succs[v]) {
      if (layer[v] + 1 > layer[w]) layer[w] = layer[v] + 1;
      if (--remaining[w] === 0) order.push(w);
    }
  }
  if (order.length < n) {
    // a cycle: what is on it or after it goes to one layer after all the others
    let last = 0;
    for (const v of order) last = Math.max(last, layer[v]);
    for (let v = 0; v < n; v++) {
      if (remaining[v] > 0) layer[v] = last + 1;
    }
  }
  return layer;
}
