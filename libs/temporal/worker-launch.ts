import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import { nodeEntry, PROJECT_ROOT } from '../config/checkout';
import type { AppConfig } from '../config/config';
import { FAILURE_CONVERTER_PATH } from './connection';

/**
 * The production workflow bundle's entry: every workflow type the worker runs. Resolved like any module, so the
 * bundle is made from the same tree as the process that makes it: the build's JavaScript in dist/
 * (`npm start`, the bench, a worker started by hand), the TypeScript sources under Jest and ts-node.
 */
export const WORKFLOWS_PATH = require.resolve('../../workflows');

/** Interceptors every workflow runs with: the guard against plaintext messages (README "Personal data in Temporal"). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../../workflows/shared/plaintext-guard')];

/** What a workflow bundle made ahead is made of (a worker bundling at start is given the same), and webpack's chatter left out. */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  failureConverterPath: FAILURE_CONVERTER_PATH,
  logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
};

export interface WorkerLaunch {
  /** Node flags for the worker process. */
  nodeArgs: string[];
  /** Variables to add to its environment. */
  env: Record<string, string>;
}

/**
 * How a launcher (`npm start`, the bench) starts a worker process. The workflow bundle is made
 * ahead, in a short-lived process, so the worker does not carry webpack's memory (about 125 MiB)
 * for its lifetime; and the worker's V8 heap is limited to `WORKER_MAX_HEAP_MIB`, because without a
 * limit V8 lets the heap grow far past what the workflow cache holds before collecting it
 * (README "Worker memory").
 */
export async function prepareWorkerLaunch(config: AppConfig, bundlePath: string, workflowsPath = WORKFLOWS_PATH): Promise<WorkerLaunch> {
  const bundle = config.worker.workflowBundle ?? bundlePath;
  if (!config.worker.workflowBundle) await bundleWorkflows(bundle, workflowsPath);
  return { nodeArgs: [`--max-old-space-size=${config.worker.maxHeapMiB}`], env: { WORKER_WORKFLOW_BUNDLE: bundle } };
}

/** Starts the worker (`apps/worker/main.ts`) as its own process, launched as prepared. */
export function spawnWorkerProcess(launch: WorkerLaunch, env: NodeJS.ProcessEnv, options: { stdio: StdioOptions; nodeArgs?: string[] }): ChildProcess {
  return spawn(process.execPath, [...launch.nodeArgs, ...(options.nodeArgs ?? []), ...nodeEntry('apps/worker/main')], {
    cwd: PROJECT_ROOT,
    env: { ...env, ...launch.env },
    stdio: options.stdio,
  });
}

function bundleWorkflows(out: string, workflowsPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeEntry('apps/cli/bundle-workflows'), `--workflows=${workflowsPath}`, out], { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bundling the workflows failed (exit code ${code}, see above)`))));
  });
}
