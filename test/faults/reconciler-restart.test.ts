/**
 * A reconciler pass whose answer is lost while the Temporal server restarts. The schedule skips a
 * pass while the last one runs, so a lost attempt that waited out its five-minute start-to-close
 * timeout held every pass back that long (a CI run once saw no orphan started in 112 s). With the
 * heartbeat timeout the attempt is retried within half a minute.
 *
 * The reconciler's own activities need the whole application; here they are stand-ins that find
 * nothing, written with the same `heartbeating` helper: what is under test is the workflow's
 * activity options against a real server that loses the answer.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { heartbeating } from '../../libs/temporal/heartbeat';
import { DevServer, freePort, startDevServer } from '../../libs/temporal/dev-server';
import type { Reconciled, ReconcilerActivities } from '../../activities/system/reconciler.activities';
import { reconcilerWorkflow } from '../../workflows/system/reconciler.workflow';
import { ActivityHolds } from '../support/activity-holds';

jest.setTimeout(180_000);

describe('reconciler: a pass whose answer is lost with a server restart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-reconciler-'));
  const taskQueue = 'reconciler-restart';
  const holds = new ActivityHolds();
  let port: number;
  let temporal: DevServer;
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  const calls: string[] = [];
  const nothingFound = (name: string) => () =>
    heartbeating(async (): Promise<Reconciled> => {
      calls.push(name);
      return { started: [], closed: [] };
    });
  const activities: Record<keyof ReconcilerActivities, () => Promise<Reconciled>> = {
    reconcileObservations: nothingFound('reconcileObservations'),
    reconcileTransferRuns: nothingFound('reconcileTransferRuns'),
    reconcileShifts: nothingFound('reconcileShifts'),
    reconcileImports: nothingFound('reconcileImports'),
  };
  const startTemporal = () => startDevServer({ cli: process.env.TEMPORAL_CLI!, port, dbFile: path.join(dir, 'temporal.sqlite') });

  beforeAll(async () => {
    port = await freePort();
    temporal = await startTemporal();
    connection = await NativeConnection.connect({ address: temporal.address });
    worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows/system/reconciler.workflow'),
      activities,
      interceptors: holds.interceptors,
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await connection?.close();
    await temporal?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is tried again within its heartbeat timeout, not held for its start-to-close timeout', async () => {
    const hold = holds.hold((type) => type === 'reconcileObservations');
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    const handle = await client.workflow.start(reconcilerWorkflow, { taskQueue, workflowId: `reconciler-${Date.now()}` });
    await hold.started;
    await client.connection.close();

    // The attempt is running on the worker when the server stops; it finishes while the server is
    // down, so its answer goes nowhere.
    await temporal.stop();
    hold.release();
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const restartedAt = Date.now();
    temporal = await startTemporal();

    const again = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    try {
      const outcome = await again.workflow.getHandle(handle.workflowId).result();
      const seconds = (Date.now() - restartedAt) / 1000;
      expect(outcome.observations).toEqual({ started: [], closed: [] });
      // Heartbeat timeout 30 s, retry backoff 1 s, and the server's catching up after its start.
      expect(seconds).toBeLessThan(90);
      expect(calls.filter((name) => name === 'reconcileObservations').length).toBe(2);
    } finally {
      await again.connection.close();
    }
  });
});
