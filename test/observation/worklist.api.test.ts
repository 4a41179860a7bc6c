/**
 * A community worker's day over HTTP (GET /worklist) against the real dev server, worker and
 * PostgreSQL: who owes a report in their open slot, the missed reports and the other open
 * escalations of the worker's own community only, each with the person's name; a worker's report
 * says how it was taken (phone call or visit).
 */
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import { localDate } from '../../libs/domain/local-time';
import { Http, httpAs, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { allDayPolicy, enrolmentRequest, ISO_UTC, moveToPolicy } from '../support/observation-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);

describe('worklist API (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const suffix = Date.now() % 1_000_000;
  const community = `worklist-${suffix}`;
  const worker = { username: `wl-cw-${suffix}`, displayName: `李社工${suffix}`, password: `cw-pass-${suffix}-x` };
  let api: INestApplication;
  let db: DataSource;
  let supervisor: Http;
  let communityWorker: Http;
  let policyId: string;

  systemPerFile(async (system) => {
    ({ api, db } = system);
    supervisor = await supervisorHttp(api);
    await api.get(UsersService).create({ ...worker, role: 'community_worker', subdistrict: 'XYL', community });
    const login = await request(api.getHttpServer()).post('/auth/login').send({ username: worker.username, password: worker.password }).expect(200);
    communityWorker = httpAs(api, login.body.accessToken);
    policyId = await allDayPolicy(supervisor, db, 'B');
  }, { config });

  /** Enrolled in the place, on the all-day policy (a slot open now), in the worker's care. */
  async function enrolReportable(name: string, place = community): Promise<string> {
    const body = { ...enrolmentRequest({ name, category: 'B', anchorDate: localDate(Date.now(), 480), responsibleWorker: worker.displayName }), address: { subdistrict: 'XYL', community: place, building: '1', unit: '1' } };
    const { observationNumber } = (await supervisor.post('/persons').send(body).expect(201)).body;
    await moveToPolicy(supervisor, db, observationNumber, policyId);
    return observationNumber;
  }

  it('lists who is due in the open slot, the missed reports and the other open escalations of the worker’s community', async () => {
    const due = await enrolReportable('张伟');
    const visited = await enrolReportable('王芳');
    const feverish = await enrolReportable('刘洋');
    await enrolReportable('孙丽', `${community}-other`);

    const taken = await communityWorker.post(`/observations/${visited}/reports`).send({ temperature: 36.6, channel: 'visit' }).expect(201);
    expect(taken.body).toMatchObject({ number: visited, temperature: 36.6, fever: false });
    await communityWorker.post(`/observations/${feverish}/reports`).send({ temperature: 38.5, channel: 'phone_call', symptoms: ['dry_cough'] }).expect(201);
    await eventually(() => db.query(`SELECT kind FROM escalation WHERE observation_number = $1`, [feverish]), (rows) => rows.some((r: { kind: string }) => r.kind === 'fever'), { what: 'fever escalation recorded' });
    // A missed report as the observation workflow records one when a slot closes unreported (a slot of
    // this policy closes at midnight), owned by the responsible worker's account as its write resolves it.
    await db.query(
      `INSERT INTO escalation (id, observation_number, kind, owner_role, owner, state, reason, opened_at, updated_at, owner_account)
       VALUES ($1, $2, 'missed_report', 'community_worker', $3, 'open', 'no report in the 08:00 slot', now(), now(), (SELECT id FROM app_user WHERE username = $4))`,
      [`${due}/90`, due, worker.displayName, worker.username],
    );

    const { body } = await communityWorker.get('/worklist').expect(200);
    expect(body.at).toMatch(ISO_UTC);
    expect(body.timeZone).toBe(config.timeZone);
    expect(body.due).toEqual([
      { number: due, name: '张伟', category: 'B', status: 'active', community, responsibleWorker: worker.displayName, slotKey: expect.any(String), deadline: expect.stringMatching(ISO_UTC), lastReportAt: null },
    ]);
    expect(Date.parse(body.due[0].deadline)).toBeGreaterThan(Date.now());
    expect(body.missed).toEqual([expect.objectContaining({ id: `${due}/90`, number: due, name: '张伟', community, kind: 'missed_report', state: 'open', mine: true })]);
    expect(body.escalations).toEqual([expect.objectContaining({ number: feverish, name: '刘洋', kind: 'fever', ownerRole: 'medical', mine: false })]);
    // Its owner is read as the account that owns it, never the role's name the workflow records (medical@XYL).
    const [{ recorded, account }] = await db.query(
      `SELECT e.owner AS recorded, u.display_name AS account FROM escalation e JOIN app_user u ON u.id = e.owner_account WHERE e.observation_number = $1 AND e.kind = 'fever'`,
      [feverish],
    );
    expect(recorded).toBe('medical@XYL');
    expect(body.escalations[0].owner).toBe(account);
    const detail = (await communityWorker.get(`/observations/${feverish}`).expect(200)).body;
    expect(detail.escalations.map((e: { owner: string }) => e.owner)).toEqual([account]);
    expect(detail.state.escalations.map((e: { owner: string }) => e.owner)).toEqual([account]);

    // The worker's own reports say how they were taken.
    const lines = await db.query(`SELECT observation_number AS number, detail FROM tracking_log WHERE kind = 'report' AND observation_number = ANY($1) ORDER BY observation_number`, [[visited, feverish]]);
    expect(lines.map((l: { detail: Record<string, unknown> }) => [l.detail.source, l.detail.channel])).toEqual(
      [visited, feverish].sort().map((n) => (n === visited ? ['worker', 'visit'] : ['worker', 'phone_call'])),
    );
  });

  it('keeps to the caller’s jurisdiction and names a wrong channel', async () => {
    await communityWorker.get('/worklist').query({ community: `${community}-other` }).expect(403);
    const { body } = await supervisor.get('/worklist').query({ subdistrict: 'XYL', community: `${community}-other` }).expect(200);
    expect(body.due.map((p: { name: string }) => p.name)).toEqual(['孙丽']);

    const number = await enrolReportable('赵敏');
    const person = await communityWorker.post(`/observations/${number}/reports`).send({ temperature: 36.5, source: 'person', channel: 'visit' }).expect(422);
    expect(person.body.errors).toEqual([{ field: 'channel', reason: 'is how a worker took the reading; a report by the person has none' }]);
    const unknown = await communityWorker.post(`/observations/${number}/reports`).send({ temperature: 36.5, channel: 'letter' }).expect(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'channel' })]);
  });
});
