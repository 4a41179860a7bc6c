/**
 * The transfer routes' contract in the OpenAPI document: every operation documents the body it
 * answers with (a schema whose properties are documented, or the file types of a download), and
 * the commands name the Idempotency-Key header they take.
 */
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { systemPerFile } from '../support/system';

jest.setTimeout(60_000);

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  additionalProperties?: Schema | boolean;
}
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  parameters?: Array<{ name: string; in: string }>;
}

/** The transfer family's paths: runs and their trips, the resources, the dispatch system's webhook. */
const TRANSFER_PATH = /^\/(transfer-runs|transfer\/|dispatch\/)/;

describe('the transfer routes in the OpenAPI document', () => {
  let api: INestApplication;
  let paths: Record<string, Record<string, Operation>>;
  let schemas: Record<string, Schema>;

  systemPerFile(async (system) => {
    ({ api } = system);
    const document = (await request(api.getHttpServer()).get('/docs-json').expect(200)).body;
    ({ paths } = document);
    schemas = document.components.schemas;
  }, { worker: false });

  const operations = () =>
    Object.entries(paths)
      .filter(([path]) => TRANSFER_PATH.test(path))
      .flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })));

  /** Why a schema does not document a body: a reference to nothing, an object without properties. */
  function problemOf(schema: Schema | undefined, seen = new Set<string>()): string | undefined {
    if (!schema) return 'no schema';
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (seen.has(name)) return undefined;
      seen.add(name);
      const target = schemas[name];
      if (!target) return `${name} is not in the document`;
      if (!target.properties || !Object.keys(target.properties).length) return `${name} documents no properties`;
      return Object.values(target.properties).map((property) => problemOf(property, seen)).find(Boolean);
    }
    if (schema.allOf) return schema.allOf.map((part) => problemOf(part, seen)).find(Boolean);
    if (schema.items) return problemOf(schema.items, seen);
    if (typeof schema.additionalProperties === 'object') return problemOf(schema.additionalProperties, seen);
    if (schema.type === 'object' && !schema.properties) return 'an object without properties';
    return undefined;
  }

  it('documents the answer of every operation: a schema with documented properties, or the file types of a download', () => {
    const all = operations();
    // 18 on runs and trips, the manifest template and a manifest file read, 16 on resources, the webhook.
    expect(all).toHaveLength(37);
    const undocumented = all.flatMap(({ name, operation }) => {
      const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      if (!successes.length) return [`${name}: no 2xx response`];
      return successes.flatMap(([status, response]) => {
        if (status === '204') return response.content ? [`${name} ${status}: a body on No Content`] : [];
        if (!response.content) return [`${name} ${status}: no body documented`];
        return Object.entries(response.content).flatMap(([type, { schema }]) => {
          const problem = problemOf(schema);
          return problem ? [`${name} ${status} ${type}: ${problem}`] : [];
        });
      });
    });
    expect(undocumented).toEqual([]);
  });

  it('answers lists as pages and names the Idempotency-Key header on every command to a run or a trip', () => {
    const lists = operations().filter(({ name }) => name.startsWith('GET ') && !/\{(runId|tripId)\}$|hand-over-sheet$|manifest-template$/.test(name));
    expect(lists.map(({ name }) => name).sort()).toEqual(
      ['GET /transfer-runs', 'GET /transfer/destinations', 'GET /transfer/escorts', 'GET /transfer/sorting-points', 'GET /transfer/vehicles'].sort(),
    );
    for (const { name, operation } of lists) {
      const schema = operation.responses['200'].content!['application/json'].schema!;
      expect({ name, properties: Object.keys(schema.allOf!.find((part) => part.properties)!.properties!) }).toEqual({ name, properties: ['items'] });
      expect({ name, page: operation.parameters!.map((p) => p.name) }).toEqual({ name, page: expect.arrayContaining(['page', 'pageSize']) });
    }
    // Reading a manifest file records nothing: it is no command.
    const commands = operations().filter(({ name }) => name.startsWith('POST /transfer-runs') && name !== 'POST /transfer-runs/manifest');
    expect(commands).toHaveLength(14);
    const withoutKey = commands.filter(({ operation }) => !operation.parameters?.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')).map(({ name }) => name);
    expect(withoutKey).toEqual([]);
  });
});
