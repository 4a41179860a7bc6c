/**
 * Whoever reaches Temporal without the payload keys (dev server, real workers, the API): a worker
 * refusing plaintext drops their signal, rejects their update and fails their workflow start, while
 * the same messages encrypted are taken; the refusal replays the same whether the setting is on or
 * off; failure messages are encrypted in the history; a worker with the setting off takes plaintext.
 */
import { INestApplication } from '@nestjs/common';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { loadConfig } from '../../libs/config/config';
import { connectClient, workerDataConverter } from '../../libs/temporal/connection';
import { ENCRYPTED_ENCODING } from '../../libs/temporal/payload-codec';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../libs/temporal/worker-launch';
import { REFUSE_PLAINTEXT_PATCH } from '../../workflows/shared/plaintext-guard';
import { deviceEventSignal, observationStateQuery, observationWorkflowId, takeMeasureUpdate } from '../../workflows/observation/observation.messages';
import { systemProbeWorkflow } from '../../workflows/system/system-probe.workflow';
import { supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { enrolmentRequest } from '../support/observation-fixtures';

jest.setTimeout(180_000);

const { EventType } = temporal.api.enums.v1;

describe('plaintext payloads from clients (dev server, workers with the setting on and off)', () => {
  const refusing = testConfig();
  const accepting = testConfig({ temporal: { ...testConfig().temporal, refusePlaintextPayloads: false } });
  let workers: RunningWorker[] = [];
  let api: INestApplication;
  let client: Client;
  /** Someone with access to Temporal but not to the keys. */
  let plain: Client;

  beforeAll(async () => {
    expect(refusing.temporal.refusePlaintextPayloads).toBe(true); // the default
    workers = [await startWorker(refusing), await startWorker(accepting)];
    api = await createApi(refusing);
    await api.init();
    client = await connectClient(refusing.temporal);
    plain = new Client({ connection: client.connection, namespace: refusing.temporal.namespace });
  });

  afterAll(async () => {
    await client?.connection.close();
    await api?.close();
    for (const worker of workers) await worker.shutdown();
  });

  it('drops a signal and rejects an update sent unencrypted, takes the same encrypted, and replays the refusal either way', async () => {
    const http = await supervisorHttp(api);
    const { body } = await http.post('/persons').send({ ...enrolmentRequest(), address: { subdistrict: 'XYL', community: `plain-${randomUUID().slice(0, 6)}`, building: '1', unit: '1' } }).expect(201);
    const workflowId = observationWorkflowId(body.observationNumber);
    const sealed = client.workflow.getHandle(workflowId);
    const open = plain.workflow.getHandle(workflowId);
    // A door opened outside the allowed windows (the default policy allows none) opens an escalation.
    const doorOpened = (eventId: string) => ({ eventId, deviceId: 'DS-plain', kind: 'door_opened' as const, at: Date.now() });

    await open.signal(deviceEventSignal, doorOpened('plain-1'));
    // Rejected; even the reason is encrypted, so the sender cannot read it.
    await expect(open.executeUpdate(takeMeasureUpdate, { args: [{ measure: 'warning_talk', by: 'intruder' }] })).rejects.toThrow(/binary\/encrypted/);
    await sealed.signal(deviceEventSignal, doorOpened('sealed-1'));
    const view = await eventually(() => sealed.query(observationStateQuery), (v) => v.escalations.length > 0, { what: 'the encrypted door event' });
    expect(view.escalations).toHaveLength(1);
    expect(view.escalations[0].reason).toMatch(/door opened/);
    expect(view.measuresTaken).toEqual([]);

    const history = await sealed.fetchHistory();
    const markers = history.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED);
    // The refusal is recorded as the patch marker a replay decides by.
    expect(markers.some((e) => Buffer.from(temporal.api.history.v1.HistoryEvent.encode(e).finish()).includes(REFUSE_PLAINTEXT_PATCH))).toBe(true);
    for (const setting of ['true', 'false']) {
      const temporalConfig = loadConfig({ ...process.env, EPI_REFUSE_PLAINTEXT_PAYLOADS: setting }).temporal;
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }, dataConverter: workerDataConverter(temporalConfig) }, history, workflowId);
    }
  });

  it('fails a workflow started with plaintext input, its failure message encrypted in the history; a worker with the setting off runs it', async () => {
    const start = (taskQueue: string) =>
      plain.workflow.start(systemProbeWorkflow, { workflowId: `system-probe-${randomUUID()}`, taskQueue, args: [{ requestedBy: 'intruder' }], workflowExecutionTimeout: '1 minute' });
    const refused = await start(refusing.temporal.taskQueue);
    const outcome = client.workflow.getHandle(refused.workflowId).result();
    await expect(outcome).rejects.toBeInstanceOf(WorkflowFailedError);
    await expect(outcome).rejects.toMatchObject({ cause: { message: expect.stringContaining('the workflow input was sent unencrypted') } });
    const { events } = await client.workflow.getHandle(refused.workflowId).fetchHistory();
    const failed = events!.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)!.workflowExecutionFailedEventAttributes!.failure!;
    expect(failed.message).toBe('Encoded failure');
    expect(Buffer.from(failed.encodedAttributes!.metadata![METADATA_ENCODING_KEY]!).toString()).toBe(ENCRYPTED_ENCODING);

    const taken = await start(accepting.temporal.taskQueue);
    await expect(client.workflow.getHandle(taken.workflowId).result()).resolves.toMatchObject({ workflowId: taken.workflowId });
  });
});
