/**
 * `npm run bundle-workflows [-- <file>]`: bundles the workflows for the worker ahead of its start
 * (default dist/workflow-bundle.js); a worker given it as WORKER_WORKFLOW_BUNDLE loads it as is.
 * The bench bundles its own entry (`--workflows`), the production workflows and its baselines.
 * Make it again whenever workflow code changes: a worker runs the bundle it is given.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../libs/config/checkout';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../libs/temporal/worker-launch';
import { commandLine } from './command-line';

const { values, positionals } = commandLine('bundle-workflows', {
  usage: 'npm run bundle-workflows [-- [options] <file>]',
  about: 'Bundles the workflows for a worker started with WORKER_WORKFLOW_BUNDLE=<file> (default dist/workflow-bundle.js).',
  options: {
    workflows: { type: 'string', value: 'MODULE', description: 'the entry module of the workflows bundled (default: the production workflows, workflows/index)' },
  },
  positionals: [{ name: 'file', description: 'where the bundle is written', optional: true }],
});

async function main(): Promise<void> {
  const out = path.resolve(positionals[0] ?? path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js'));
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, ...(values.workflows && { workflowsPath: path.resolve(values.workflows) }) });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`[bundle-workflows] ${out} (${(code.length / 1024 / 1024).toFixed(1)} MiB)`);
}

main().catch((error) => {
  console.error(`[bundle-workflows] ${(error as Error).stack ?? error}`);
  process.exit(1);
});
