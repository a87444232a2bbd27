// Where the dashboard's modules are, for the tests beside this file.
import {fileURLToPath, pathToFileURL} from 'node:url';
import {dirname, resolve} from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../main/resources/static/assets/js');

/** Imports one of the dashboard's modules by its path under assets/js. */
export function load(path) {
  return import(pathToFileURL(resolve(root, path)).href);
}
