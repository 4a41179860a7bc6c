/**
 * The dashboard's JSON, /metrics and the request id, against the real dev server and PostgreSQL.
 * The summary's numbers are checked on rows written straight into PostgreSQL under a subdistrict
 * of this test's own, so every count is exact whatever else the run has enrolled.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Http, supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { maskDocumentNumber, maskName } from '../../apps/api/dashboard/dashboard.service';
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { HOUR, localDate, localMidnight } from '../../libs/domain/local-time';
import { testConfig } from '../support/environment';
import { enrolmentRequest, freshResidentId } from '../support/observation-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);


interface Row {
  key: string;
  category: 'A' | 'B' | 'C' | 'D';
  status: 'active' | 'escalated' | 'released' | 'ended';
  community: string;
  /** Hours after today's local midnight; null for no report owed. */
  dueInHours: number | null;
  escalations?: Array<{ kind: string; state: 'open' | 'acknowledged' | 'resolved' }>;
}

describe('dashboard summary, list, metrics and request id (dev server, PostgreSQL)', () => {
  const config = testConfig();
  const subdistrict = `DB${Date.now().toString(36).toUpperCase()}`;
  const east = '东区社区';
  const west = '西区社区';
  const numbers = new Map<string, string>();
  let api: INestApplication;
  let db: DataSource;
  let http: Http;

  const rows: Row[] = [
    { key: 'overdue-open', category: 'A', status: 'active', community: east, dueInHours: 11, escalations: [{ kind: 'missed_report', state: 'open' }] },
    { key: 'overdue-acknowledged', category: 'A', status: 'escalated', community: east, dueInHours: 24 + 11, escalations: [{ kind: 'missed_report_repeat', state: 'acknowledged' }, { kind: 'missed_report', state: 'resolved' }] },
    { key: 'fever', category: 'B', status: 'active', community: east, dueInHours: 17, escalations: [{ kind: 'fever', state: 'open' }] },
    { key: 'nothing-owed', category: 'C', status: 'active', community: east, dueInHours: null },
    { key: 'released', category: 'D', status: 'released', community: east, dueInHours: 11, escalations: [{ kind: 'missed_report', state: 'open' }] },
    { key: 'ended', category: 'B', status: 'ended', community: east, dueInHours: null },
    { key: 'west', category: 'C', status: 'active', community: west, dueInHours: 2 },
  ];

  systemPerFile(async (system) => {
    ({ api, db } = system);
    http = await supervisorHttp(api);
    const offset = utcOffsetMinutes(config.timeZone);
    const midnight = localMidnight(localDate(Date.now(), offset), offset);
    for (const [i, row] of rows.entries()) {
      const number = `${subdistrict}-${row.category}-${String(i + 1).padStart(6, '0')}`;
      numbers.set(row.key, number);
      const [person] = await db.query(
        `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit)
         VALUES ($1, 'resident_id', $2, '13800138000', $3, $4, '1', '1') RETURNING id`,
        [i === 0 ? '欧阳娜娜' : '张伟', freshResidentId(), subdistrict, row.community],
      );
      await db.query(
        `INSERT INTO observation (number, person_id, category, status, subdistrict, community, responsible_worker, anchor_date, policy_id, started_at, release_due_at, next_due_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'worker-li', $7, $8, now(), now() + interval '13 days', $9)`,
        [number, person.id, row.category, row.status, subdistrict, row.community, localDate(Date.now(), offset), `${row.category}-v1`, row.dueInHours === null ? null : new Date(midnight + row.dueInHours * HOUR)],
      );
      for (const [seq, escalation] of (row.escalations ?? []).entries()) {
        await db.query(
          `INSERT INTO escalation (id, observation_number, kind, owner_role, owner, state, reason, opened_at, updated_at)
           VALUES ($1, $2, $3, 'community_worker', 'worker-li', $4, 'test', now(), now())`,
          [`${number}/${seq + 1}`, number, escalation.kind, escalation.state],
        );
      }
    }
  }, { config, worker: false });

  it('counts a subdistrict by status, category, due today, overdue and open escalations', async () => {
    const { body } = await http.get('/dashboard/summary').query({ subdistrict }).expect(200);
    expect(body).toMatchObject({
      timeZone: config.timeZone,
      today: localDate(Date.now(), utcOffsetMinutes(config.timeZone)),
      scope: { subdistrict },
      observations: {
        underObservation: 5,
        byStatus: { active: 4, escalated: 1, released: 1, ended: 1 },
        byCategory: { A: 2, B: 1, C: 2, D: 0 },
        dueToday: 3,
        overdue: 2,
      },
      escalations: { unresolved: 4, byState: { open: 3, acknowledged: 1 }, byKind: { missed_report: 2, missed_report_repeat: 1, fever: 1 } },
    });
    expect(body.jurisdictions).toEqual(
      expect.arrayContaining([
        { subdistrict, community: east, underObservation: 4 },
        { subdistrict, community: west, underObservation: 1 },
      ]),
    );
  });

  it('narrows the counts to a community', async () => {
    const { body } = await http.get('/dashboard/summary').query({ subdistrict, community: west }).expect(200);
    expect(body.observations).toMatchObject({ underObservation: 1, byCategory: { C: 1 }, dueToday: 1, overdue: 0 });
    expect(body.escalations.unresolved).toBe(0);
  });

  it('counts what the list shows: due today and overdue agree with the filtered list', async () => {
    const { body: summary } = await http.get('/dashboard/summary').query({ subdistrict }).expect(200);
    const due = await http.get('/dashboard/observations').query({ subdistrict, dueToday: 'true' }).expect(200);
    const overdue = await http.get('/dashboard/observations').query({ subdistrict, overdue: 'true' }).expect(200);
    expect(due.body.total).toBe(summary.observations.dueToday);
    expect(overdue.body.items.map((i: { number: string }) => i.number).sort()).toEqual([numbers.get('overdue-acknowledged'), numbers.get('overdue-open')].sort());
  });

  it('lists observations with names and ID numbers masked, paged', async () => {
    const { body } = await http.get('/dashboard/observations').query({ subdistrict, pageSize: 3, page: 1 }).expect(200);
    expect(body).toMatchObject({ total: 7, page: 1, pageSize: 3 });
    expect(body.items).toHaveLength(3);
    for (const item of body.items) {
      expect(item.name).toMatch(/^(张\*|欧\*\*\*)$/);
      expect(item.documentNumber).toMatch(/^1101\*{10}[0-9X]{4}$/);
      expect(item).not.toHaveProperty('personId');
    }
    const { body: last } = await http.get('/dashboard/observations').query({ subdistrict, pageSize: 3, page: 3 }).expect(200);
    expect(last.items).toHaveLength(1);
  });

  it('refuses a bad list filter naming the field, never a 500', async () => {
    const response = await http.get('/dashboard/observations').query({ status: 'sleeping' }).expect(422);
    expect(JSON.stringify(response.body)).toContain('status');
  });

  it('masks names to the family name and ID numbers to region and check digits', () => {
    expect(maskName('张伟')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('李')).toBe('李');
    expect(maskDocumentNumber('11010819900101002X')).toBe('1101**********002X');
    expect(maskDocumentNumber('E12345678')).toBe('E1*****78');
  });

  it('serves the page and its files with a content security policy, and nothing outside them', async () => {
    const page = await http.get('/dashboard').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toContain('/dashboard/assets/dashboard.js');
    const script = await http.get('/dashboard/assets/dashboard.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    await http.get('/dashboard/assets/..%2Fdashboard.service.ts').expect(404);
    await http.get('/dashboard/assets/dashboard.service.ts').expect(404);
  });

  it('exposes process, HTTP and domain metrics in Prometheus format', async () => {
    await http.get('/dashboard/summary').expect(200);
    await http.get('/observations/NO-SUCH-000001').expect(404);
    await http.get('/no/such/route').expect(404);
    const response = await http.get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.text;
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/dashboard\/summary",status="200"\} [1-9]/m);
    // Routes are labelled by their pattern, and an unknown path by one label, so labels stay few.
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/observations\/:number",status="404"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/dashboard\/summary",status="200"\} [1-9]/m);
    expect(text).toMatch(/^epi_metrics_database_up 1$/m);

    const metric = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    const [totals] = await db.query(
      `SELECT (SELECT count(*) FROM observation WHERE category = 'A')::int AS a, (SELECT count(*) FROM escalation WHERE kind = 'fever')::int AS fever`,
    );
    // Other test files may enrol meanwhile: the scrape saw at least what this test wrote, at most what is there now.
    expect(metric(/^epi_observations_enrolled_total\{category="A"\} (\d+)$/m)).toBeGreaterThanOrEqual(2);
    expect(metric(/^epi_observations_enrolled_total\{category="A"\} (\d+)$/m)).toBeLessThanOrEqual(totals.a);
    expect(metric(/^epi_escalations_opened_total\{kind="fever"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(metric(/^epi_escalations_opened_total\{kind="fever"\} (\d+)$/m)).toBeLessThanOrEqual(totals.fever);
    expect(text).toMatch(/^epi_reports_received_total \d+$/m);
    expect(metric(/^epi_observations\{status="escalated"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
  });

  it('gives every response an x-request-id, keeping a usable one the caller sent', async () => {
    const generated = await http.get('/health');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const mine = `req-${randomUUID()}`;
    expect((await http.get('/dashboard/summary').set('x-request-id', mine)).headers['x-request-id']).toBe(mine);
    const unusable = await http.get('/dashboard/summary').set('x-request-id', 'has spaces and <html>');
    expect(unusable.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('JSON request log (EPI_HTTP_LOG=1)', () => {
  let api: INestApplication;
  const lines: string[] = [];
  let write: jest.SpyInstance;
  let http: Http;

  beforeAll(async () => {
    process.env.EPI_HTTP_LOG = '1';
    api = await createApi(testConfig());
    await api.init();
    http = await supervisorHttp(api);
    const original = process.stdout.write.bind(process.stdout);
    write = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (String(chunk).includes('"msg":"http"')) lines.push(String(chunk));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
  });

  afterAll(async () => {
    write?.mockRestore();
    delete process.env.EPI_HTTP_LOG;
    await api?.close();
  });

  it('writes one JSON line per request with method, path, status, ms, the request id and the user', async () => {
    await http.get('/dashboard/summary?community=secret').set('x-request-id', 'log-test-1').expect(200);
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'log-test-1');
    expect(line).toMatchObject({ msg: 'http', method: 'GET', path: '/dashboard/summary', status: 200, requestId: 'log-test-1', user: expect.stringMatching(/^supervisor-/) });
    expect(typeof line.ms).toBe('number');
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('names the workflow a request addresses', async () => {
    const enrolled = await http.post('/persons').send(enrolmentRequest()).expect(201);
    const number = enrolled.body.observationNumber;
    await http.get(`/observations/${number}/tracking-log`).set('x-request-id', 'log-test-2').expect(200);
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'log-test-2');
    expect(line).toMatchObject({ path: `/observations/${number}/tracking-log`, status: 200, workflowId: `observation-${number}` });
  });
});
