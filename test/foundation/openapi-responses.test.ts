/**
 * The API contract: every 2xx answer of every operation in the OpenAPI document says what its body
 * is (a schema, or a content type for a file or text), or that it has none (204).
 */
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApi } from '../../apps/api/api';
import { testConfig } from '../support/environment';

type Operation = { responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }> };

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

  it('documents every answer of every operation', () => {
    const { operations, missing } = undocumented(document);
    expect(operations).toBeGreaterThan(90);
    expect(missing).toEqual([]);
  });

  it('finds an answer without a body documented where there is one', () => {
    const probe = { paths: { '/x': { get: { responses: { '200': { description: '' } } }, post: { responses: { '204': {} } } }, '/y': { get: { responses: { '200': { content: { 'text/csv': {} } } } } } } };
    expect(undocumented(probe)).toEqual({ operations: 3, missing: ['GET /x'] });
  });
});
