/**
 * Records one observation's whole history, run by the workflow code as it stands, for the replay
 * test (observation.replay.test.ts). Run it and commit its output before a change that could break
 * observations already running:
 *   npx ts-node --transpile-only test/observation/histories/capture-observation-history.ts <name>
 * The time-skipping server runs 14 days in seconds: reports on most slots, two missed, a door opened
 * outside the allowed windows, the escalations resolved, release. No payload codec, so the file replays without a key.
 */
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { registerSearchAttributes } from '../../../libs/temporal/connection';
import { DEFAULT_RULES } from '../../../workflows/observation/observation-policy';
import { deviceEventSignal, ObservationInput, observationStateQuery, reportSignal, resolveEscalationUpdate } from '../../../workflows/observation/observation.messages';
import { localDate, periodOf, slotsOf } from '../../../workflows/observation/observation-schedule';
import { observationWorkflow } from '../../../workflows/observation/observation.workflow';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { testServer } = require('../../../scripts/tools');

async function main(name: string) {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer() } } });
  await registerSearchAttributes(env.connection, 'default');
  const taskQueue = 'capture';
  // The history keeps activity results, not what they did: stand-ins that write nothing serve.
  const activities = { recordObservationChanges: async () => ({ toDeliver: [] }), deliverNotification: async () => undefined };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: require.resolve('../../../workflows'), activities });
  const history = await worker.runUntil(async () => {
    const startedAt = await env.currentTimeMs();
    const input: ObservationInput = {
      number: 'HIST-C-000001',
      personId: '00000000-0000-4000-8000-000000000001',
      category: 'C',
      subdistrict: 'HIST',
      community: 'history',
      responsibleWorker: 'worker-li',
      anchorDate: localDate(startedAt, 480),
      startedAt,
      utcOffsetMinutes: 480,
      policy: { id: 'C-v1', category: 'C', version: 1, effectiveFrom: '2020-01-01', rules: DEFAULT_RULES },
    };
    const handle = await env.client.workflow.start(observationWorkflow, { taskQueue, workflowId: `observation-${input.number}`, args: [input] });
    const slots = slotsOf(periodOf(input)).filter((slot) => slot.owed);
    for (const [i, slot] of slots.entries()) {
      const now = await env.currentTimeMs();
      if (slot.opensAt + 10 * 60_000 > now) await env.sleep(slot.opensAt + 10 * 60_000 - now);
      if (i === 3 || i === 4) continue; // two missed in a row: worker, then supervisor
      if (i === 6) await handle.signal(deviceEventSignal, { eventId: 'door-1', deviceId: 'DS-1', kind: 'door_opened', at: await env.currentTimeMs() });
      await handle.signal(reportSignal, { requestId: `r-${i}`, at: await env.currentTimeMs(), temperature: 36.5, source: 'person' });
    }
    // Open escalations hold the release: the community worker closes them on the last day.
    for (const escalation of (await handle.query(observationStateQuery)).escalations.filter((e) => e.state !== 'resolved')) {
      await handle.executeUpdate(resolveEscalationUpdate, { args: [{ escalationId: escalation.id, by: 'worker-li', note: 'spoken to' }] });
    }
    await handle.result();
    return handle.fetchHistory();
  });
  await env.teardown();
  const file = path.join(__dirname, `${name}.json`);
  // protobufjs's object form (enum names, 64-bit ids as text), which History.fromObject reads back.
  writeFileSync(file, `${JSON.stringify(temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String }), null, 1)}\n`);
  console.log(`${history.events?.length} events written to ${file}`);
}

void main(process.argv[2] ?? 'observation').catch((error) => {
  console.error(error);
  process.exit(1);
});
