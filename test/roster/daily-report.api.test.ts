/**
 * The daily report goes up (issue #21): the `daily-report` Schedule that every worker creates runs
 * at EPI_DAILY_REPORT_AT in the district's zone, writes the day before's report and puts it in the
 * district's inboxes (not a subdistrict's), once; a district account confirms receipt; missing and
 * late reports show as such. Real API, worker, dev server and PostgreSQL.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { addDays, localDate } from '../../libs/domain/local-time';
import { DAILY_REPORT_SCHEDULE_ID, ensureSchedules } from '../../libs/temporal/schedules';
import { Http, httpAs, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);

describe('the daily report goes up to the district (dev server, worker, PostgreSQL)', () => {
  const base = testConfig();
  const config = { ...base, timeZone: 'Asia/Shanghai', schedules: { ...base.schedules, dailyReportAt: { hour: 8, minute: 0 } } };
  let api: INestApplication;
  let db: DataSource;
  let client: Client;
  let district: Http;
  let districtEn: Http;
  let subdistrict: Http;
  const yesterday = addDays(localDate(Date.now(), 480), -1);

  // Declared before the system: after-all hooks run in order, so this runs while the API's client is open.
  afterAll(async () => {
    await client?.schedule.getHandle(DAILY_REPORT_SCHEDULE_ID).delete().catch(() => undefined);
  });

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    district = httpAs(api, await signIn(api, 'supervisor'));
    districtEn = httpAs(api, await signIn(api, 'supervisor'));
    subdistrict = httpAs(api, await signIn(api, 'supervisor', { subdistrict: 'XYL' }));
    const enId = (await districtEn.get('/auth/me').expect(200)).body.userId;
    await db.query(`UPDATE app_user SET language = 'en' WHERE id = $1`, [enId]);
  }, { config });

  it('is scheduled by every worker at its local time, and sends the day before’s report to the district’s inboxes once', async () => {
    // Other tests on the shared database may have sent and confirmed yesterday's report already.
    await db.query(`UPDATE daily_report SET sent_at = NULL, received_at = NULL, received_by = NULL WHERE report_date = $1`, [yesterday]);
    expect(await ensureSchedules(client, config)).toContain(DAILY_REPORT_SCHEDULE_ID);
    const schedule = await client.schedule.getHandle(DAILY_REPORT_SCHEDULE_ID).describe();
    expect(schedule.spec.timezone).toBe('Asia/Shanghai');
    expect(schedule.spec.calendars).toMatchObject([{ hour: [{ start: 8, end: 8 }], minute: [{ start: 0, end: 0 }] }]);
    expect(schedule.state).toMatchObject({ paused: false, note: 'daily at 08:00 Asia/Shanghai (EPI_DAILY_REPORT_AT)' });
    // The next run is the next 08:00 in Shanghai (00:00 UTC).
    expect(schedule.info.nextActionTimes[0].toISOString()).toMatch(/T00:00:00\.000Z$/);

    await client.schedule.getHandle(DAILY_REPORT_SCHEDULE_ID).trigger();
    const status = await eventually(
      async () => (await district.get('/reports/daily').query({ from: yesterday, to: yesterday }).expect(200)).body[0],
      (s) => s.state === 'sent',
      { what: 'the report sent', timeoutMs: 30_000 },
    );
    expect(status).toMatchObject({ date: yesterday, late: expect.any(Boolean), sentAt: expect.stringMatching(/Z$/), receivedAt: null });

    const inbox = async (http: Http) => {
      const me = (await http.get('/auth/me').expect(200)).body.userId;
      return db.query(`SELECT subject, language, concerns_kind AS kind, concerns_id AS id FROM notification WHERE account_id = $1 AND channel = 'outbox' AND template = 'daily_report'`, [me]);
    };
    expect(await inbox(district)).toEqual([{ subject: `日报 ${yesterday}`, language: 'zh-CN', kind: 'daily_report', id: yesterday }]);
    expect(await inbox(districtEn)).toEqual([{ subject: `Daily report ${yesterday}`, language: 'en', kind: 'daily_report', id: yesterday }]);
    expect(await inbox(subdistrict)).toEqual([]);

    // Run again the same day: the figures are rewritten, nothing is sent twice.
    await client.schedule.getHandle(DAILY_REPORT_SCHEDULE_ID).trigger();
    await eventually(async () => countRuns(client, config.temporal.taskQueue), (n) => n >= 2, { what: 'two completed runs', timeoutMs: 30_000 });
    expect(await inbox(district)).toHaveLength(1);
  });

  it('is confirmed by a district account, not a subdistrict’s; the first confirmation counts', async () => {
    await subdistrict.post(`/reports/daily/${yesterday}/received`).expect(403);
    const received = await district.post(`/reports/daily/${yesterday}/received`).expect(200);
    const me = (await district.get('/auth/me').expect(200)).body.username;
    expect(received.body).toMatchObject({ date: yesterday, state: 'received', receivedBy: me, receivedAt: expect.stringMatching(/Z$/) });
    expect((await districtEn.post(`/reports/daily/${yesterday}/received`).expect(200)).body.receivedBy).toBe(me);
    await district.post('/reports/daily/1999-01-01/received').expect(404);
  });

  it('shows days without a report as missing and late; checks the range', async () => {
    const old = await district.get('/reports/daily').query({ from: '1999-01-01', to: '1999-01-02' }).expect(200);
    expect(old.body).toEqual([
      { date: '1999-01-02', state: 'missing', late: true, dueAt: '1999-01-03T00:00:00.000Z', generatedAt: null, sentAt: null, receivedAt: null, receivedBy: null },
      { date: '1999-01-01', state: 'missing', late: true, dueAt: '1999-01-02T00:00:00.000Z', generatedAt: null, sentAt: null, receivedAt: null, receivedBy: null },
    ]);
    expect((await district.get('/reports/daily').query({ from: '2026-12-02', to: '2026-12-01' }).expect(422)).body.errors).toEqual([{ field: 'from', reason: 'must not be after to' }]);
    expect((await district.get('/reports/daily').query({ from: '2026-01-01', to: '2026-12-01' }).expect(422)).body.errors).toEqual([{ field: 'from', reason: 'at most 62 days at once' }]);
    expect((await district.get('/reports/daily').query({ to: '2026-13-45' }).expect(422)).body.errors[0].field).toBe('to');
    await district.get('/reports/daily/2026-13-45').expect(422);
    await district.get('/reports/daily/1999-01-01').expect(404);
    await subdistrict.get('/reports/daily').expect(403);
  });
});

async function countRuns(client: Client, taskQueue: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowType = 'dailyReportWorkflow' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'` })) n++;
  return n;
}
