/**
 * The API contract: every 2xx answer of every operation in the OpenAPI document says what its body
 * is (a schema, or a content type for a file or text), or that it has none (204).
 */
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApi } from '../../apps/api/api';
import { testConfig } from '../support/environment';

type Operation = { responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }> };

/** The platform's routes (not observation, roster or transfer). */
const PLATFORM = /^\/(auth|users|audit|system|health|metrics|dashboard|codec)(\/|$)/;

/**
 * Platform operations whose body is another family's: the dashboard's list is the observation list
 * with names masked, documented once the observation family's list item is (issue 17).
 */
const AWAITING_OTHER_FAMILIES = ['GET /dashboard/observations'];

/** `METHOD /path` of every operation with a 2xx answer whose body is not documented. */
function undocumented(document: { paths: Record<string, Record<string, Operation>> }): { operations: number; missing: string[] } {
  let operations = 0;
  const missing: string[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations++;
      const answers = Object.entries(operation.responses ?? {}).filter(([status]) => /^2/.test(status));
      const documented = (status: string, content?: Record<string, { schema?: unknown }>) =>
        status === '204' || (content !== undefined && Object.entries(content).some(([type, media]) => media.schema !== undefined || !type.includes('json')));
      if (!answers.length || answers.some(([status, answer]) => !documented(status, answer.content))) missing.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return { operations, missing: missing.sort() };
}

describe('OpenAPI: a documented body for every 2xx answer (dev server, PostgreSQL)', () => {
  let api: INestApplication;
  let document: { paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    api = await createApi(testConfig());
    await api.init();
    document = (await request(api.getHttpServer()).get('/docs-json').expect(200)).body;
  });

  afterAll(async () => {
    await api?.close();
  });

  it('documents every answer of the platform’s operations (accounts, audit, system, health, metrics, dashboard, codec)', () => {
    const { missing } = undocumented(document);
    const platform = missing.filter((operation) => PLATFORM.test(operation.split(' ')[1]));
    expect(platform).toEqual(AWAITING_OTHER_FAMILIES);
  });

  it('finds an answer without a body documented where there is one', () => {
    const probe = { paths: { '/x': { get: { responses: { '200': { description: '' } } }, post: { responses: { '204': {} } } }, '/y': { get: { responses: { '200': { content: { 'text/csv': {} } } } } } } };
    expect(undocumented(probe)).toEqual({ operations: 3, missing: ['GET /x'] });
  });

  // LISTS, not yet a failure: the other families document theirs in their own branches (issue 17);
  // once all are merged this is meant to become `expect(missing).toEqual([])`.
  it('LISTS the operations of the whole API still without a documented answer body (for the lead; not a failure until every family is merged)', () => {
    const { operations, missing } = undocumented(document);
    console.log(`[openapi] ${missing.length} of ${operations} operations have a 2xx answer without a documented body:\n  ${missing.join('\n  ')}`);
    expect(operations).toBeGreaterThan(0);
  });
});
