import { Connection } from '@temporalio/client';
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import { searchAttributeFlags } from './search-attributes';

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A port nobody listens on: `preferred` when it is free, else one the system picks. */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error) => (preferred ? resolve(freePort()) : reject(error)));
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Until a Temporal frontend (the dev server or the server binary) answers on `address`; throws if `child` exits first or time is up. */
export async function waitForFrontend(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode} before answering on ${address}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal did not answer on ${address} within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

/** How often a dev server that exits at start is started in all. */
const START_TRIES = 3;

/**
 * Starts the official dev server (`temporal server start-dev`) on loopback with the project's
 * search attributes. With `dbFile` workflows survive a restart; without it the state is in memory.
 * `codecEndpoint` is where the Web UI sends encrypted payloads to be shown decoded.
 */
export async function startDevServer(options: {
  cli: string;
  port: number;
  uiPort?: number;
  codecEndpoint?: string;
  dbFile?: string;
  logLevel?: string;
  timeoutMs?: number;
}): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--log-level', options.logLevel ?? 'error',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']),
    ...(options.uiPort && options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...searchAttributeFlags(),
  ];
  // The server picks its HTTP API's port itself, free when picked: another process can take it
  // before the server binds it ("address already in use"), so a server that exits at start is
  // started again, picking anew.
  for (let tried = 1; ; tried++) {
    const child = spawn(options.cli, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    try {
      await waitForFrontend(address, child, options.timeoutMs ?? 60_000);
    } catch (error) {
      const exitedAtStart = child.exitCode !== null;
      await stop();
      if (exitedAtStart && tried < START_TRIES) continue;
      throw error;
    }
    return { address, uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined, process: child, stop };
  }
}
