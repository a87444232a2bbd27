// #/tasks/{id}/runs/{index}: one run of a parameter sweep.

import {el} from '../dom.js';

export function render(container, ctx, params) {
  ctx.setTitle('Run ' + params.index);
  container.append(el('h1', {}, 'Run ' + params.index));
}
