/**
 * Self-reporting over HTTP against the real dev server, a real worker and PostgreSQL: a person's
 * link from enrolment, the page's reads and the report through it (the worker's command, fever
 * escalation included), idempotency, the rate limit, re-issue, an ended observation, wrong tokens,
 * and the link in the enrolment message and the reminders, as a real SMS gateway (an HTTP server in
 * this process) receives them.
 */
import { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { maskName } from '../../apps/api/dashboard/dashboard.service';
import { RATE_LIMIT } from '../../apps/api/self-report/self-report.service';
import { NotificationActivities } from '../../activities/notifications/notification.activities';
import { ObservationActivities } from '../../activities/observation/observation.activities';
import { localDate } from '../../libs/domain/local-time';
import { SYMPTOMS } from '../../libs/domain/symptoms';
import { httpAs, Http, signIn, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { allDayPolicy, enrolmentRequest, ISO_UTC, moveToPolicy } from '../support/observation-fixtures';
import { gatewayInEnvironment } from '../support/sms-gateway';
import { systemPerFile } from '../support/system';
import type { RunningWorker } from '../../apps/worker/worker';

jest.setTimeout(120_000);

describe('self-reporting (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  // Read when used: a run can cross the local midnight.
  const today = () => localDate(Date.now(), 480);
  const community = `self-report-${Date.now()}`;
  let api: INestApplication;
  let worker: RunningWorker;
  let db: DataSource;
  let http: Http;
  let person: ReturnType<typeof request>;
  let allDayPolicyId: string;
  let gateway: Awaited<ReturnType<typeof gatewayInEnvironment>>;

  /** The texts the gateway received for a mobile. */
  const textsTo = (mobile: string) => gateway.received.filter((r) => r.body.to === mobile).map((r) => r.body.text);

  beforeAll(async () => {
    // People get their messages by SMS: the worker and the API take the gateway from the environment.
    gateway = await gatewayInEnvironment();
  });

  systemPerFile(async (system) => {
    ({ api, db } = system);
    worker = system.worker!;
    http = await supervisorHttp(api);
    person = request(api.getHttpServer());
    allDayPolicyId = await allDayPolicy(http, db, 'D');
  }, { config });

  afterAll(async () => {
    await gateway?.stop();
  });

  const NAME = '欧阳娜娜';
  /** Enrols someone on the all-day policy; their number, person id and report link as texted at enrolment. */
  let mobiles = 0;
  async function enrolReportable(overrides: Record<string, unknown> = {}): Promise<{ number: string; personId: string; mobile: string; link: string; token: string }> {
    const mobile = `139${String(Date.now() % 1e6).padStart(6, '0')}${String(++mobiles).padStart(2, '0')}`;
    const enrolled = await http
      .post('/persons')
      .send({ ...enrolmentRequest({ category: 'D', anchorDate: today(), name: NAME, mobile }), address: { subdistrict: 'XYL', community, building: '1', unit: '1' }, ...overrides })
      .expect(201);
    const number = enrolled.body.observationNumber;
    await moveToPolicy(http, db, number, allDayPolicyId);
    const [message] = await db.query(`SELECT body FROM notification WHERE id = $1`, [`${number}:enrolled`]);
    const link = /https?:\/\/\S+\/r\/[A-Za-z0-9_-]{43}/.exec(message.body)![0];
    return { number, personId: enrolled.body.personId, mobile, link, token: link.split('/').pop()! };
  }

  const report = (token: string, body: Record<string, unknown>) => person.post(`/self-report/${token}/reports`).send(body);

  it('texts the link at enrolment; the record keeps only its hash, and the workers read the same link', async () => {
    const { number, personId, mobile, link, token } = await enrolReportable();
    const [text] = await eventually(async () => textsTo(mobile), (texts) => texts.length > 0, { what: 'the enrolment SMS at the gateway' });
    expect(text).toBe(`${NAME}，您好：您已纳入居家医学观察（观察编号 ${number}）。请每天在上报时段内通过此链接上报体温：${link}`);
    expect(link.startsWith(`${config.selfReport.publicUrl}/r/`)).toBe(true);
    const [message] = await eventually(() => db.query(`SELECT recipient, channel, template, state FROM notification WHERE id = $1`, [`${number}:enrolled`]), (rows) => rows[0]?.state === 'sent');
    expect(message).toEqual({ recipient: `person:${personId}`, channel: 'sms', template: 'observation_enrolled', state: 'sent' });

    const rows = await db.query(`SELECT * FROM report_link WHERE observation_number = $1`, [number]);
    expect(rows).toEqual([expect.objectContaining({ generation: 1, revoked_at: null, issued_by: 'enrolment' })]);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0].token_hash).toHaveLength(32);

    const live = await http.get(`/observations/${number}/report-link`).expect(200);
    expect(live.body).toEqual({ observationNumber: number, url: link, generation: 1, issuedAt: expect.stringMatching(ISO_UTC) });
  });

  it('shows the page its masked name, the open slot and what a report may give, and nothing else of the person', async () => {
    const { number, mobile, token } = await enrolReportable();
    const view = await person.get(`/self-report/${token}`).expect(200);
    expect(view.body).toEqual({
      maskedName: '欧***',
      openSlot: { opensAt: expect.stringMatching(ISO_UTC), closesAt: expect.stringMatching(ISO_UTC) },
      nextSlotOpensAt: expect.stringMatching(ISO_UTC),
      temperature: { min: 34, max: 43 },
      symptoms: [...SYMPTOMS],
    });
    expect(Date.parse(view.body.openSlot.opensAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(view.body.nextSlotOpensAt)).toBeGreaterThan(Date.now());
    const [{ document_number: documentNumber }] = await db.query(`SELECT p.document_number FROM person p JOIN observation o ON o.person_id = p.id WHERE o.number = $1`, [number]);
    for (const secret of [NAME, mobile, documentNumber, number, community]) expect(JSON.stringify(view.body)).not.toContain(secret);
    expect(maskName('John Smith')).toBe('J*** S****');
  });

  it('takes a report through the link as the worker’s report: signalled, in the tracking log, audited as the link; a repeat answers the first', async () => {
    const { number, token } = await enrolReportable();
    const requestId = randomUUID();
    const first = await report(token, { temperature: 36.6, symptoms: [], requestId }).expect(201);
    expect(first.body).toEqual({ requestId, temperature: 36.6, fever: false, recordedAt: expect.stringMatching(ISO_UTC), nextSlotOpensAt: expect.stringMatching(ISO_UTC) });

    const [line] = await db.query(`SELECT temperature, detail FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect({ temperature: Number(line.temperature), source: line.detail.source, requestId: line.detail.requestId }).toEqual({ temperature: 36.6, source: 'person', requestId });
    const detail = await eventually(async () => (await http.get(`/observations/${number}`).expect(200)).body, (d) => d.state.reportsReceived === 1);
    expect(detail.observation.lastReportAt).toBe(first.body.recordedAt);

    // Sent again (a phone that lost the answer): the first answer, the report counted once.
    const again = await report(token, { temperature: 36.6, symptoms: [], requestId }).expect(201);
    expect(again.body).toEqual(first.body);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(count).toBe(1);

    const audit = await db.query(`SELECT actor, actor_id, action, record_type, record_id, subdistrict, community, status, detail FROM audit_log WHERE record_id = $1 AND actor = 'report-link'`, [number]);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor_id: null, action: 'POST /self-report/:token/reports', record_type: 'observation', subdistrict: 'XYL', community, status: 201 });
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('escalates a fever or symptoms reported through the link to the medical desk, as a worker’s report does', async () => {
    const { number, token } = await enrolReportable();
    const answer = await report(token, { temperature: 38.4, symptoms: ['dry_cough'], requestId: randomUUID() }).expect(201);
    expect(answer.body.fever).toBe(true);
    const detail = await eventually(async () => (await http.get(`/observations/${number}`)).body, (d) => d.state.status === 'escalated');
    expect(detail.state.escalations).toEqual([expect.objectContaining({ kind: 'fever', ownerRole: 'medical', state: 'open', reason: expect.stringContaining('symptoms: dry_cough') })]);
    await eventually(() => db.query(`SELECT template FROM notification WHERE observation_number = $1 AND template = 'fever_alert'`, [number]), (rows) => rows.length > 0);
  });

  it('refuses a wrong temperature, an unknown symptom and a missing request id with 422 naming the field', async () => {
    const { token } = await enrolReportable();
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ temperature: 33.9, requestId: randomUUID() }, 'temperature'],
      [{ temperature: 43.1, requestId: randomUUID() }, 'temperature'],
      [{ temperature: 'hot', requestId: randomUUID() }, 'temperature'],
      [{ temperature: 36.5, symptoms: ['headache'], requestId: randomUUID() }, 'symptoms'],
      [{ temperature: 36.5 }, 'requestId'],
    ];
    for (const [body, field] of refusals) {
      const response = await report(token, body).expect(422);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringMatching(new RegExp(`^${field}`)) })]));
    }
  });

  it(`takes at most ${RATE_LIMIT} reports a link in ten minutes, then 429 with Retry-After and a problem`, async () => {
    const { token } = await enrolReportable();
    const other = await enrolReportable();
    // Refused reports count too: the limit is on what comes through the link.
    for (let i = 0; i < RATE_LIMIT; i++) await report(token, { temperature: 30 + (i % 3), requestId: randomUUID() }).expect(422);
    const limited = await report(token, { temperature: 36.5, requestId: randomUUID() }).expect(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, code: 'too_many_requests', detail: expect.stringMatching(/^Too many reports through this link\. Please try again in \d+ minutes\.$/) });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // Another person's link is not held back by it.
    await report(other.token, { temperature: 36.5, requestId: randomUUID() }).expect(201);
  });

  it('re-issues a link: the old one answers 410, the new one works and is texted; only the observation’s worker or a supervisor may', async () => {
    const { number, mobile, token: old } = await enrolReportable();
    const worker = httpAs(api, await signIn(api, 'community_worker', { subdistrict: 'XYL', community }));
    const otherWorker = httpAs(api, await signIn(api, 'community_worker', { subdistrict: 'XYL', community: `${community}-next-door` }));
    await otherWorker.post(`/observations/${number}/report-link`).expect(403);
    await otherWorker.get(`/observations/${number}/report-link`).expect(403);

    const issued = await worker.post(`/observations/${number}/report-link`).expect(201);
    expect(issued.body).toEqual({ observationNumber: number, url: expect.stringMatching(/\/r\/[A-Za-z0-9_-]{43}$/), generation: 2, issuedAt: expect.stringMatching(ISO_UTC) });
    const fresh = issued.body.url.split('/').pop();
    expect(fresh).not.toBe(old);

    for (const refused of [await person.get(`/self-report/${old}`).expect(410), await report(old, { temperature: 36.5, requestId: randomUUID() }).expect(410)]) {
      expect(refused.body).toEqual({
        type: 'tag:epi-ops,2026:problem:gone',
        title: 'No longer available',
        status: 410,
        code: 'gone',
        reason: 'replaced',
        detail: 'This report link has been replaced by a newer one. Please use the link in your latest message.',
      });
    }
    await report(fresh, { temperature: 36.5, requestId: randomUUID() }).expect(201);
    const reissueText = `您的体温上报链接已更新（观察编号 ${number}），此前的链接已失效。请使用新链接：${issued.body.url}`;
    await eventually(async () => textsTo(mobile), (texts) => texts.includes(reissueText), { what: 'the new link at the gateway' });
    const rows = await db.query(`SELECT generation, revoked_at, revoked_by, issued_by FROM report_link WHERE observation_number = $1 ORDER BY generation`, [number]);
    expect(rows).toEqual([
      { generation: 1, revoked_at: expect.any(Date), revoked_by: expect.stringMatching(/^community_worker-/), issued_by: 'enrolment' },
      { generation: 2, revoked_at: null, revoked_by: null, issued_by: expect.stringMatching(/^community_worker-/) },
    ]);
    const audited = await db.query(`SELECT actor, status FROM audit_log WHERE action = 'POST /observations/:number/report-link' AND record_id = $1 ORDER BY id`, [number]);
    expect(audited).toEqual([
      { actor: expect.stringMatching(/^community_worker-/), status: 403 },
      { actor: rows[1].issued_by, status: 201 },
    ]);
  });

  it('puts the live link into each check-in reminder the workflow writes and sends', async () => {
    const { number, personId, mobile, link } = await enrolReportable();
    // What the observation workflow does at a slot's start: its write activity, then the delivery activity.
    const remind = async (key: string) => {
      const reminder = { id: `${number}:reminder:${key}`, recipient: { personId }, template: 'checkin_reminder' as const, params: { slotStart: '08:00', slotEnd: '10:00' } };
      const { toDeliver } = await worker.app.get(ObservationActivities).recordObservationChanges({ number, tracking: [], escalations: [], notifications: [reminder] });
      expect(toDeliver).toEqual([reminder.id]);
      await worker.app.get(NotificationActivities).deliverNotification({ id: reminder.id });
    };
    await remind('a');
    expect(textsTo(mobile)).toContain(`您好，请在 08:00–10:00 时段内上报体温（观察编号 ${number}）：${link}`);

    const reissued = await http.post(`/observations/${number}/report-link`).expect(201);
    await remind('b');
    expect(textsTo(mobile)).toContain(`您好，请在 08:00–10:00 时段内上报体温（观察编号 ${number}）：${reissued.body.url}`);
  });

  it('answers an ended observation’s link with one calm sentence (410)', async () => {
    const { number, token } = await enrolReportable();
    await http.post(`/observations/${number}/early-end`).send({ reason: 'moved_away', by: 'worker-li' }).expect(200);
    const ended = await eventually(() => person.get(`/self-report/${token}`), (response) => response.status === 410);
    expect(ended.body).toMatchObject({ code: 'gone', reason: 'ended', detail: 'Your home observation has ended, so no more reports are needed. Thank you.' });
    const refused = await report(token, { temperature: 36.5, requestId: randomUUID() }).expect(410);
    expect(refused.body.reason).toBe('ended');
  });

  it('answers a wrong or malformed token with one calm sentence (404), never a stack or anybody’s data', async () => {
    const sentence = 'This report link is not valid. Please use the link in your latest message, or ask your community worker for a new one.';
    for (const token of [randomBytes(32).toString('base64url'), 'abc', 'x'.repeat(2000), '..%2F..%2Fetc', "'; DROP TABLE report_link; --"]) {
      for (const response of [await person.get(`/self-report/${encodeURIComponent(token)}`), await report(encodeURIComponent(token), { temperature: 36.5, requestId: randomUUID() })]) {
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ type: 'tag:epi-ops,2026:problem:not_found', title: 'No such record', status: 404, code: 'not_found', detail: sentence });
      }
    }
  });

  it('serves the page for any link (it reads its token itself) with a content security policy', async () => {
    const page = await person.get(`/r/${randomBytes(32).toString('base64url')}`).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toContain('/self-report/assets/self-report.js');
    // The document's head shared with the staff's pages, put in its place.
    expect(page.text).toMatch(/^<!doctype html>\n<html lang="zh-CN">\n<head>\n[^]*<meta name="viewport"[^]*<title>/);
    expect(page.text).not.toContain('#include');
    await person.get('/self-report/assets/self-report.js').expect(200).expect('content-type', /javascript/);
    await person.get('/self-report/assets/index.html').expect(404);
  });

  it('documents the self-report routes in the OpenAPI document, public, with their answers', async () => {
    const document = (await http.get('/docs-json').expect(200)).body;
    const view = document.paths['/self-report/{token}'].get;
    const post = document.paths['/self-report/{token}/reports'].post;
    expect(view.security).toEqual([]);
    expect(post.security).toEqual([]);
    expect(view.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SelfReportViewDto' });
    expect(post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SelfReportAcceptedDto' });
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['404', '410', '422', '429']));
    expect(document.paths['/observations/{number}/report-link'].post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ReportLinkDto' });
    expect(document.paths['/r/{token}']).toBeUndefined();
    // Instants are ISO text, or null where there is none.
    for (const schema of ['SelfReportViewDto', 'SelfReportAcceptedDto']) {
      expect(document.components.schemas[schema].properties.nextSlotOpensAt).toMatchObject({ type: 'string', format: 'date-time', nullable: true });
    }
  });
});
