/**
 * Tests of the API on the run's dev server and PostgreSQL, with the real worker.
 */
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import type { AppConfig } from '../../libs/config/config';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { testConfig } from './environment';

export interface SystemUnderTest {
  config: AppConfig;
  api: INestApplication;
  /** The API's own connection pool, for the file's fixtures and checks. */
  db: DataSource;
  /** The API's own Temporal client (payloads encrypted, updates sent once), for driving and reading workflows. */
  client: Client;
  /** The file's worker, on the configuration's task queue of its own (none with `worker: false`). */
  worker?: RunningWorker;
  /** With `listen`, where the API answers (`http://127.0.0.1:<port>`), for a browser. */
  base: string;
}

export interface SystemOptions {
  config?: AppConfig;
  /** Start a worker (default); false for a file that only reads through the API. */
  worker?: boolean;
  /** Listen on a free local port (a browser's pages), rather than only taking requests in process. */
  listen?: boolean;
  /** How long the set-up, with the file's own in `ready`, may take (Jest's default otherwise). */
  timeoutMs?: number;
}

/**
 * The file's worker and API, started once before its tests and closed after them; `ready` gets them
 * for the file's own set-up (accounts, policies, fixtures). A `beforeAll` declared before this one
 * runs first (a gateway the worker and the API read from the environment).
 */
export function systemPerFile(ready: (system: SystemUnderTest) => Promise<void> | void, { config = testConfig(), worker = true, listen = false, timeoutMs }: SystemOptions = {}): void {
  const system: Partial<SystemUnderTest> = { config, base: '' };
  beforeAll(async () => {
    if (worker) system.worker = await startWorker(config);
    const api = (system.api = await createApi(config));
    if (listen) {
      await api.listen(0, '127.0.0.1');
      system.base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    } else {
      await api.init();
    }
    system.db = api.get(DataSource);
    system.client = api.get<Client>(TEMPORAL_CLIENT);
    await ready(system as SystemUnderTest);
  }, timeoutMs);
  afterAll(async () => {
    await system.api?.close();
    await system.worker?.shutdown();
  });
}
