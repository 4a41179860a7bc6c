/**
 * The audit log over HTTP (dev server, worker, PostgreSQL): a command whose audit row cannot be
 * written is not answered as done (503), and once a write has failed, commands are refused before
 * they run until their row can be written; reads that export personal data are audited before the
 * data leaves, and not sent when they cannot be.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import { createDataSource } from '../../libs/persistence/data-source';
import { MINUTE } from '../../libs/domain/local-time';
import { Http, httpAs, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { enrolmentRequest } from '../support/observation-fixtures';
import { manifestRow, registerResources } from '../transfer/transfer-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);

describe('audit log: refused when it cannot be written, and reads of personal data audited', () => {
  const config = testConfig();
  const tag = randomUUID().slice(0, 8);
  // Rows of this account fail to insert, as on a full disk or a revoked grant, and only its rows.
  const broken = `audit-broken-${tag}`;
  const trigger = `audit_test_refuse_${tag.replace(/-/g, '')}`;
  let api: INestApplication;
  let db: DataSource;
  let supervisor: Http;
  let brokenHttp: Http;

  systemPerFile(async (system) => {
    ({ api } = system);
    // The test breaks the audit insert with a trigger of its own: DDL on audit_log is the owner's.
    db = await createDataSource(process.env.DATABASE_OWNER_URL ?? config.databaseUrl!).initialize();
    supervisor = await supervisorHttp(api);
    const password = `pw-${randomUUID()}`;
    await api.get(UsersService).create({ username: broken, displayName: broken, password, role: 'supervisor' });
    const login = await request(api.getHttpServer()).post('/auth/login').send({ username: broken, password }).expect(200);
    brokenHttp = httpAs(api, login.body.accessToken);
  }, { config });

  afterAll(async () => {
    await db?.query(`DROP TRIGGER IF EXISTS ${trigger} ON audit_log`);
    await db?.query(`DROP FUNCTION IF EXISTS ${trigger}()`);
    await db?.destroy();
  });

  async function breakAuditFor(actor: string): Promise<void> {
    await db.query(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.actor = '${actor}' THEN RAISE EXCEPTION 'could not extend file: No space left on device'; END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION ${trigger}()`);
  }

  const staff = (id: string) => ({ id, name: id, role: 'guard', skills: ['gate'] });
  const staffExists = async (id: string) => (await db.query(`SELECT 1 FROM roster_staff WHERE id = $1`, [id])).length === 1;
  const rowsOf = (action: string, recordId?: string) =>
    db.query(`SELECT actor, status, record_id AS "recordId" FROM audit_log WHERE action = $1 AND ($2::text IS NULL OR record_id = $2) ORDER BY id`, [action, recordId ?? null]);

  it('answers 503 when a command’s row cannot be written, then refuses commands before they run until a row can be', async () => {
    const { body } = await supervisor.post('/persons').send({ ...enrolmentRequest(), address: { subdistrict: 'XYL', community: `audit-${tag}`, building: '1', unit: '1' } }).expect(201);
    await breakAuditFor(broken);

    const first = await brokenHttp.post('/roster/staff').send(staff(`first-${tag}`));
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ code: 'audit_unavailable', detail: expect.stringContaining('No space left on device') });
    expect(first.body.detail).toContain('carried out, but is not confirmed');

    // The log failed at the last write: the next command is checked first and refused without running.
    const second = await brokenHttp.post('/roster/staff').send(staff(`second-${tag}`));
    expect(second.status).toBe(503);
    expect(second.body).toMatchObject({ code: 'audit_unavailable', detail: expect.stringContaining('refused before it runs') });
    expect(await staffExists(`second-${tag}`)).toBe(false);

    // Another account's row can be written: its command runs and is audited.
    await supervisor.post('/roster/staff').send(staff(`third-${tag}`)).expect(200);
    expect(await staffExists(`third-${tag}`)).toBe(true);

    // A read of a person's record is not sent when its audit row cannot be written.
    const read = await brokenHttp.get(`/observations/${body.observationNumber}`);
    expect(read.status).toBe(503);
    expect(JSON.stringify(read.body)).not.toContain('张伟');

    await db.query(`DROP TRIGGER ${trigger} ON audit_log`);
    await brokenHttp.post('/roster/staff').send(staff(`fourth-${tag}`)).expect(200);
    const [fourth] = await db.query(`SELECT status FROM audit_log WHERE actor = $1 AND action = 'POST /roster/staff' ORDER BY id DESC LIMIT 1`, [broken]);
    expect(fourth).toEqual({ status: 200 });
  });

  it('records reads that export personal data before they are sent: person detail, tracking log, exports, hand-over sheet', async () => {
    const community = `reads-${tag}`;
    const { body } = await supervisor.post('/persons').send({ ...enrolmentRequest(), address: { subdistrict: 'XYL', community, building: '1', unit: '1' } }).expect(201);
    const number = body.observationNumber as string;

    await supervisor.get(`/observations/${number}`).expect(200);
    await supervisor.get(`/observations/${number}`).expect(200);
    // A live page re-reads every few seconds: one row per account, record and query in a window.
    expect(await rowsOf('GET /observations/:number', number)).toEqual([{ actor: expect.stringMatching(/^supervisor-/), status: 200, recordId: number }]);
    await supervisor.get(`/observations/${number}/tracking-log?format=csv`).expect(200);
    expect(await rowsOf('GET /observations/:number/tracking-log', number)).toHaveLength(1);
    await supervisor.get(`/observations/export?format=csv&community=${community}`).expect(200);
    const [exported] = await db.query(`SELECT detail FROM audit_log WHERE action = 'GET /observations/export' ORDER BY id DESC LIMIT 1`);
    expect(exported.detail.query).toMatchObject({ format: 'csv', community });

    const registry = await registerResources(db, { destinations: [{ destinationId: 'hotel', kind: 'hotel', name: 'Hotel', travelMinutes: 30, capacity: 10 }], vehicles: [{ vehicleId: 'v', seats: 4 }], escorts: [{ escortId: 'e' }] });
    const run = await supervisor
      .post('/transfer-runs')
      .send({ sortingPointId: registry.sortingPointId, vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, dispatcher: '赵调度', supervisor: '王主任', travellers: [manifestRow(registry.destination('hotel'), false, Date.now() + 30 * MINUTE)] })
      .expect(201);
    await supervisor.get(`/transfer-runs/${run.body.runId}/hand-over-sheet?format=csv`).expect(200);
    expect(await rowsOf('GET /transfer-runs/:runId/hand-over-sheet', run.body.runId)).toHaveLength(1);

    // Reads that export nothing personal stay out of the log.
    await supervisor.get('/observation-policies').expect(200);
    expect(await rowsOf('GET /observation-policies')).toEqual([]);
  });
});
