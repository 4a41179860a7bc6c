import * as path from 'node:path';

/**
 * Whether this process runs the build (`npm run build`: JavaScript in dist/, as `npm start` does) or
 * the TypeScript sources through ts-node or ts-jest (the tests, the fuzzer).
 */
export const RUNS_COMPILED = __filename.endsWith('.js');

/**
 * The checkout's root, the same either way: dist/ mirrors the sources' tree, and what is not
 * compiled (data/, the dashboard's pages, scripts/tools.js) is read from the checkout itself.
 */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', ...(RUNS_COMPILED ? ['..'] : []));

/**
 * The node arguments that run one of the project's entry points (`apps/worker/main`, a path from the
 * root without extension) in the same form as this process: its build under dist/, or its source
 * through ts-node.
 */
export function nodeEntry(entry: string): string[] {
  return RUNS_COMPILED ? [path.join(PROJECT_ROOT, 'dist', `${entry}.js`)] : ['-r', 'ts-node/register/transpile-only', path.join(PROJECT_ROOT, `${entry}.ts`)];
}

/**
 * scripts/tools.js, which finds the Temporal CLI: plain JavaScript that `scripts/setup.js` runs before
 * any build, so the build loads it from the checkout rather than from a copy.
 */
export function projectTools(): typeof import('../../scripts/tools') {
  return require(path.join(PROJECT_ROOT, 'scripts', 'tools.js'));
}
