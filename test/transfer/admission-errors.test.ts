/**
 * A hand-over whose admission is refused (the person is already under observation) raises an
 * exception for the run with a reason; that reason goes into a notice and the run's records, so it
 * names the open observation, never the person's document number (dev server, worker, PostgreSQL).
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransferActivities } from '../../activities/transfer/transfer.activities';
import { MINUTE } from '../../libs/domain/local-time';
import { Http, httpAs, signIn, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { enrolmentRequest, freshResidentId } from '../support/observation-fixtures';
import { manifestRow, registerResources } from './transfer-fixtures';
import { systemPerFile } from '../support/system';
import type { RunningWorker } from '../../apps/worker/worker';

jest.setTimeout(120_000);

describe('admission after a hand-over: refusal reasons without document numbers', () => {
  const config = testConfig();
  let api: INestApplication;
  let worker: RunningWorker;
  let db: DataSource;
  let supervisor: Http;
  let dispatcher: Http;

  systemPerFile(async (system) => {
    ({ api, db } = system);
    worker = system.worker!;
    supervisor = await supervisorHttp(api);
    dispatcher = httpAs(api, await signIn(api, 'dispatcher'));
  }, { config });

  it('refuses to admit someone already under observation, naming the observation only', async () => {
    const registry = await registerResources(db, { destinations: [{ destinationId: 'home', kind: 'community', name: 'Home', travelMinutes: 20 }], vehicles: [{ vehicleId: 'v', seats: 4 }], escorts: [{ escortId: 'e' }] });
    const documentNumber = freshResidentId();
    const community = registry.destination('home');
    const enrolled = await supervisor.post('/persons').send({ ...enrolmentRequest({ documentNumber, category: 'C' }), address: { subdistrict: 'XYL', community, building: '3', unit: '2' } }).expect(201);
    const run = await dispatcher
      .post('/transfer-runs')
      .send({
        sortingPointId: registry.sortingPointId,
        vehicleIds: registry.vehicleIds,
        escortIds: registry.escortIds,
        dispatcher: '赵调度',
        supervisor: '王主任',
        travellers: [manifestRow(community, true, Date.now() - 5 * MINUTE, { documentNumber })],
      })
      .expect(201);

    const admission = await worker.app.get(TransferActivities).admitAfterHandOver({ runId: run.body.runId, travellerId: 'T001', destinationId: community });
    expect(admission).toEqual({ kind: 'failed', reason: expect.stringContaining(`already under observation as ${enrolled.body.observationNumber}`) });
    expect(JSON.stringify(admission)).not.toContain(documentNumber);
  });
});
