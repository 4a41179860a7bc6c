/**
 * The application's processes as a deployment runs them: `node dist/apps/worker/main.js` and
 * `node dist/apps/api/main.js` (what `npm run worker` and `npm run api` run), each with its own
 * environment and log file.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { PROJECT_ROOT } from '../../libs/config/checkout';
import { eventually } from '../../test/support/eventually';

const STOP_GRACE_MS = 15_000;

export interface AppProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a built entry point (`apps/worker/main`) with `env` and `args`; its stdout and stderr go to
 * `logFile`, and `onLine` sees each stdout line.
 */
export function startApp(name: string, entry: string, env: NodeJS.ProcessEnv, logFile: string, options: { nodeArgs?: string[]; args?: string[]; onLine?: (line: string) => void } = {}): AppProcess {
  const { nodeArgs = [], args = [], onLine } = options;
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeArgs, path.join(PROJECT_ROOT, 'dist', `${entry}.js`), ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(log, { end: false });
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    log.write(`${line}\n`);
    onLine?.(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    logFile,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // An API closing waits for its open requests; past this it is ended.
      const late = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(late);
    },
  };
}

/** A worker process, resolved once it polls its task queue. */
export function startWorkerProcess(name: string, env: NodeJS.ProcessEnv, logFile: string, maxHeapMiB: number, timeoutMs = 180_000): Promise<AppProcess> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not poll within ${timeoutMs / 1000} s (its log: ${logFile})`)), timeoutMs);
    const app = startApp(name, 'apps/worker/main', env, logFile, {
      nodeArgs: [`--max-old-space-size=${maxHeapMiB}`],
      onLine: (line) => {
        if (line.includes('"msg":"worker polling"')) {
          clearTimeout(timer);
          resolve(app);
        }
      },
    });
    void app.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${app.child.exitCode ?? app.child.signalCode}) before polling (its log: ${logFile})`));
    });
  });
}

/** An API process on `port`, resolved once GET /health answers 200. */
export async function startApiProcess(name: string, env: NodeJS.ProcessEnv, port: number, logFile: string, timeoutMs = 180_000): Promise<AppProcess & { url: string }> {
  const app = startApp(name, 'apps/api/main', { ...env, API_PORT: String(port) }, logFile);
  const url = `http://127.0.0.1:${port}`;
  const exitedEarly = app.exited.then(() => {
    throw new Error(`${name} exited (${app.child.exitCode ?? app.child.signalCode}) before answering (its log: ${logFile})`);
  });
  const healthy = eventually(
    () => fetch(`${url}/health`).then((r) => r.status, () => 0),
    (status) => status === 200,
    { what: `${name} healthy on ${url} (its log: ${logFile})`, timeoutMs, intervalMs: 500 },
  );
  await Promise.race([healthy, exitedEarly]);
  return { ...app, url };
}
