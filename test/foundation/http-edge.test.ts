/**
 * The API's edge over HTTP (dev server, worker, PostgreSQL): query parameters, bodies and their
 * content types and sizes are checked before any handler or statement sees them, and every refusal
 * is one RFC 9457 problem shape with a stable code.
 */
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { DEFAULT_BODY_LIMIT } from '../../libs/nest/request-body';
import { createDataSource } from '../../libs/persistence/data-source';
import { DAY_START, transferDay } from '../../bench/transfer-plan-bench';
import { MINUTE } from '../../libs/domain/local-time';
import { Http, supervisorHttp, signIn, httpAs } from '../support/auth';
import { testConfig } from '../support/environment';
import { enrolmentRequest, freshResidentId } from '../support/observation-fixtures';
import { manifestRow, registerResources } from '../transfer/transfer-fixtures';

jest.setTimeout(180_000);

describe('the HTTP edge: inputs checked before they reach a handler, one problem shape', () => {
  const config = testConfig();
  let worker: RunningWorker;
  let api: INestApplication;
  let db: DataSource;
  let http: Http;
  let dispatcher: Http;

  beforeAll(async () => {
    worker = await startWorker(config);
    api = await createApi(config);
    await api.init();
    http = await supervisorHttp(api);
    dispatcher = httpAs(api, await signIn(api, 'dispatcher'));
    db = await createDataSource(config.databaseUrl!).initialize();
  });

  afterAll(async () => {
    await api?.close();
    await worker?.shutdown();
    await db?.destroy();
  });

  /** A refusal as RFC 9457 describes it, with the project's stable code and the field at fault. */
  function expectProblem(response: request.Response, status: number, code: string, field?: string) {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: `tag:epi-ops,2026:problem:${code}`, title: expect.any(String), status, detail: expect.any(String), code });
    if (field) expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  }

  it('refuses query parameters out of range or not on the calendar, naming them (they used to reach PostgreSQL: 500)', async () => {
    expectProblem(await http.get('/observations?page=1e300'), 422, 'invalid', 'page');
    expectProblem(await dispatcher.get('/transfer-runs?page=1e308'), 422, 'invalid', 'page');
    expectProblem(await http.get('/audit?before=9999999999999999999'), 422, 'invalid', 'before');
    expectProblem(await http.get('/audit?from=-271821-04-20T00:00:00Z'), 422, 'invalid', 'from');
    expectProblem(await http.get('/shifts?date=2026-02-30'), 422, 'invalid', 'date');
    await http.get('/observations?page=2&pageSize=5').expect(200);
    await http.get('/audit?before=9223372036854775807').expect(200);
    await http.get('/shifts?date=2028-02-29').expect(200);
  });

  it('answers a wrong type and a wrong value alike: 422, code invalid, each field named', async () => {
    expectProblem(await http.post('/roster/staff').send({ id: 'x', name: 'x', role: 'guard', skills: 'gate' }), 422, 'invalid', 'skills');
    expectProblem(await http.post('/roster/staff').send({ id: 'x', name: 'x', role: 'mayor', skills: [] }), 422, 'invalid', 'role');
    // A null is not "left out": it reached a NOT NULL column (500) before.
    expectProblem(await http.post('/transfer/vehicles').send({ id: 'V-null', plate: 'x', seats: 4, driverName: 'x', driverContact: 'y', available: null }), 422, 'invalid', 'available');
    expectProblem(await http.post('/persons').send([enrolmentRequest()]), 422, 'invalid', 'body');
    expectProblem(await http.post('/persons').send({ ...enrolmentRequest(), name: 'a\u0000b' }), 422, 'invalid', 'name');
  });

  it('refuses a body that is not JSON (415) or not well-formed JSON (400), before the handler', async () => {
    const plain = await http.post('/persons').set('content-type', 'text/plain').send(JSON.stringify(enrolmentRequest()));
    expectProblem(plain, 415, 'unsupported_media_type');
    expect(plain.body.detail).toContain('text/plain');
    expectProblem(await http.post('/persons').set('content-type', 'application/x-www-form-urlencoded').send('name=x'), 415, 'unsupported_media_type');
    expectProblem(await http.post('/persons/import').set('content-type', 'application/json').send({ file: 'x' }), 422, 'invalid', 'file');
    expectProblem(await http.post('/persons').set('content-type', 'application/json').send('{"name": '), 400, 'malformed_request');
  });

  it('answers an oversized body with 413 naming the limit (a 10 MB body was a 500)', async () => {
    const huge = await http.post('/persons').set('content-type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024) }));
    expectProblem(huge, 413, 'payload_too_large');
    expect(huge.body.limit).toBe(DEFAULT_BODY_LIMIT);
    expect(huge.body.detail).toContain(String(DEFAULT_BODY_LIMIT));
    const run = await dispatcher.post('/transfer-runs').set('content-type', 'application/json').send(JSON.stringify({ travellers: ['x'.repeat(6 * 1024 * 1024)] }));
    expectProblem(run, 413, 'payload_too_large');
    expect(run.body.limit).toBeGreaterThan(DEFAULT_BODY_LIMIT);
  });

  it('accepts a 5,000-traveller manifest (over 100 kB, it was a 500)', async () => {
    const day = transferDay({ travellers: 5000, vehicles: 100 });
    const registry = await registerResources(db, day);
    const shift = Date.now() - DAY_START + 60 * MINUTE;
    const documents = new Set<string>();
    while (documents.size < day.travellers.length) documents.add(freshResidentId());
    const documentNumbers = [...documents];
    const travellers = day.travellers.map((t, i) =>
      manifestRow(registry.destination(t.destinationId), t.disposition === 'home_observation', t.arrivalTime + shift, {
        keyPerson: t.keyPerson || undefined,
        familyGroup: t.familyGroup,
        documentNumber: documentNumbers[i],
      }),
    );
    const body = { sortingPointId: registry.sortingPointId, vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, dispatcher: '赵调度', supervisor: '王主任', travellers };
    expect(JSON.stringify(body).length).toBeGreaterThan(1024 * 1024);
    const response = await dispatcher.post('/transfer-runs').send(body);
    expect(response.status).toBe(201);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM transfer_traveller WHERE run_id = $1`, [response.body.runId]);
    expect(n).toBe(5000);
  });

  it('tells a missing route from a missing record by code, not by wording', async () => {
    expectProblem(await http.get('/no/such/route'), 404, 'route_not_found');
    expectProblem(await http.get('/observations/XYL-C-999999'), 404, 'not_found');
    expectProblem(await request(api.getHttpServer()).get('/observations'), 401, 'unauthenticated');
  });
});
