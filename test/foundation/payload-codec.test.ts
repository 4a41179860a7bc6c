/**
 * Personal data in Temporal: the AES-256-GCM codec on its own, then what the dev server really
 * stores when the worker and clients use it, then the codec endpoint the Web UI decodes through.
 */
import { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApi } from '../../apps/api/api';
import { SESSION_COOKIE } from '../../libs/auth/auth.guard';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { PayloadKeys } from '../../libs/config/config';
import { connectClient } from '../../libs/temporal/connection';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../libs/temporal/payload-codec';
import { PLAINTEXT_MARK } from '../../workflows/shared/plaintext-mark';
import { systemProbeWorkflow } from '../../workflows/system/system-probe.workflow';
import { signIn } from '../support/auth';
import { testConfig } from '../support/environment';

const NAME = '张三丰';
const ID_NUMBER = '110101199003074514';
const personal = { name: NAME, idNumber: ID_NUMBER, mobile: '13800138000' };

const keyring = (activeKeyId: string, keys: Record<string, Buffer>): PayloadKeys => ({ activeKeyId, keys });
const text = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('utf8');
const contains = (bytes: Uint8Array, needle: string) => Buffer.from(bytes).includes(Buffer.from(needle, 'utf8'));

/** Every payload in a history, except search attributes: the server indexes those, so they stay plain by design. */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return found;
  if ('metadata' in value && 'data' in value) return [...found, value as Payload];
  return Object.entries(value).reduce((all, [key, child]) => (key === 'searchAttributes' ? all : payloadsIn(child, all)), found);
}

async function rawHistory(connection: Connection, namespace: string, workflowId: string): Promise<temporal.api.history.v1.IHistory> {
  const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
  return history!;
}

/** The Web UI's JSON shape: every bytes field in base64. */
function asJson(payload: Payload) {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

describe('AesGcmPayloadCodec', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const codec = new AesGcmPayloadCodec(keyring('k1', { k1 }));
  const plain = defaultPayloadConverter.toPayload(personal);

  it('encrypts the whole payload under the active key id and decrypts it back', async () => {
    const [encrypted] = await codec.encode([plain]);
    expect(text(encrypted.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(encrypted.metadata ?? {})).toHaveLength(2); // not even json/plain shows
    expect(contains(encrypted.data!, ID_NUMBER) || contains(encrypted.data!, NAME)).toBe(false);
    const [decrypted] = await codec.decode([encrypted]);
    expect(defaultPayloadConverter.fromPayload(decrypted)).toEqual(personal);
  });

  it('uses a fresh IV each time: the same payload never encrypts to the same bytes', async () => {
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a.data!).subarray(0, 12)).not.toEqual(Buffer.from(b.data!).subarray(0, 12));
    expect(Buffer.from(a.data!)).not.toEqual(Buffer.from(b.data!));
  });

  it('refuses a payload whose ciphertext was altered', async () => {
    const [encrypted] = await codec.encode([plain]);
    const data = Buffer.from(encrypted.data!);
    data[20] ^= 0x01;
    await expect(codec.decode([{ ...encrypted, data }])).rejects.toThrow(/authenticate/);
  });

  it('rotates: an old payload decodes once a new key is active, and an unknown key id is named', async () => {
    const [old] = await codec.encode([plain]);
    const rotated = new AesGcmPayloadCodec(keyring('k2', { k2, k1 }));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0])).toEqual(personal);
    const [fresh] = await rotated.encode([plain]);
    expect(text(fresh.metadata?.[KEY_ID_METADATA])).toBe('k2');
    await expect(codec.decode([fresh])).rejects.toThrow(/key "k2", which is not in EPI_PAYLOAD_KEYS/);
  });

  it('passes a payload that is not encrypted through unchanged (histories from before encryption)', async () => {
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
  });

  it("a worker's codec marks a plaintext payload addressed to a workflow for its guard, saying whether it refuses it", async () => {
    const toWorkflow = { type: 'workflow', namespace: 'default', workflowId: 'w' } as const;
    const refusing = new AesGcmPayloadCodec(keyring('k1', { k1 }), { refusePlaintext: true });
    const [marked] = await refusing.decode([plain], toWorkflow);
    expect(defaultPayloadConverter.fromPayload(marked)).toEqual({ [PLAINTEXT_MARK]: { refuse: true, value: personal } });
    const accepting = new AesGcmPayloadCodec(keyring('k1', { k1 }), { refusePlaintext: false });
    expect(defaultPayloadConverter.fromPayload((await accepting.decode([plain], toWorkflow))[0])).toEqual({ [PLAINTEXT_MARK]: { refuse: false, value: personal } });
    // Activity payloads come from the worker itself; a client's codec (the API's, the Web UI's) reads plaintext as it is.
    expect((await refusing.decode([plain], { type: 'activity', namespace: 'default', isLocal: false }))[0]).toBe(plain);
    expect((await codec.decode([plain], toWorkflow))[0]).toBe(plain);
    // Encrypted payloads read as always.
    expect(defaultPayloadConverter.fromPayload((await refusing.decode(await codec.encode([plain]), toWorkflow))[0])).toEqual(personal);
  });
});

describe('payloads in Temporal history (dev server, worker with the codec)', () => {
  const config = testConfig();
  let worker: RunningWorker;
  let client: Client;
  let raw: Connection;

  beforeAll(async () => {
    worker = await startWorker(config);
    client = await connectClient(config.temporal);
    raw = await Connection.connect({ address: config.temporal.address });
  });

  afterAll(async () => {
    await raw?.close();
    await client?.connection.close();
    await worker?.shutdown();
  });

  it('stores no name or ID number in the history: every payload is binary/encrypted under the active key', async () => {
    const workflowId = `system-probe-${randomUUID()}`;
    const result = await client.workflow.execute(systemProbeWorkflow, {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [{ requestedBy: `${NAME} ${ID_NUMBER}` }],
      workflowExecutionTimeout: '1 minute',
    });
    expect(result.workflowId).toBe(workflowId);

    const history = await rawHistory(raw, config.temporal.namespace, workflowId);
    const bytes = temporal.api.history.v1.History.encode(history).finish();
    expect(contains(bytes, ID_NUMBER)).toBe(false);
    expect(contains(bytes, NAME)).toBe(false);
    // Workflow input, activity input, activity result, workflow result.
    const payloads = payloadsIn(history.events);
    expect(payloads.length).toBeGreaterThanOrEqual(4);
    for (const payload of payloads) {
      expect(text(payload.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
      expect(text(payload.metadata?.[KEY_ID_METADATA])).toBe(config.temporal.payloadKeys!.activeKeyId);
    }
    // A client without the keys cannot read the result.
    await expect(new Client({ connection: raw, namespace: config.temporal.namespace }).workflow.getHandle(workflowId).result()).rejects.toThrow(/binary\/encrypted/);
  });
});

describe('codec endpoint for the Temporal Web UI', () => {
  const config = testConfig();
  let api: INestApplication;
  let client: Client;
  let raw: Connection;
  let supervisor: string;

  beforeAll(async () => {
    api = await createApi(config);
    await api.init();
    client = await connectClient(config.temporal);
    raw = await Connection.connect({ address: config.temporal.address });
    supervisor = await signIn(api, 'supervisor');
  });

  afterAll(async () => {
    await raw?.close();
    await client?.connection.close();
    await api?.close();
  });

  const decode = (payloads: unknown[]) => request(api.getHttpServer()).post('/codec/decode').set('authorization', `Bearer ${supervisor}`).send({ payloads });

  it('decodes a workflow input read from the history, leaving one under an unknown key and a plain one as they are', async () => {
    // No worker polls this task queue: the started event alone holds the encrypted input.
    const handle = await client.workflow.start(systemProbeWorkflow, { workflowId: `codec-${randomUUID()}`, taskQueue: config.temporal.taskQueue, args: [{ requestedBy: `${NAME} ${ID_NUMBER}` }] });
    try {
      const history = await rawHistory(raw, config.temporal.namespace, handle.workflowId);
      const [input] = payloadsIn(history.events![0]);
      const [unknownKey] = await new AesGcmPayloadCodec(keyring('retired', { retired: randomBytes(32) })).encode([defaultPayloadConverter.toPayload(personal)]);
      const plain = asJson(defaultPayloadConverter.toPayload('no secrets here'));

      const response = await decode([asJson(input), asJson(unknownKey), plain]).expect(200);
      const [decoded, kept, untouched] = response.body.payloads;
      expect(Buffer.from(decoded.metadata.encoding, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toEqual({ requestedBy: `${NAME} ${ID_NUMBER}` });
      expect(kept).toEqual(asJson(unknownKey));
      expect(untouched).toEqual(plain);
    } finally {
      await handle.terminate('codec test done');
    }
  });

  it('encodes with the active key, and decodes that back', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload(personal));
    const encoded = await request(api.getHttpServer()).post('/codec/encode').set('authorization', `Bearer ${supervisor}`).send({ payloads: [plain] }).expect(200);
    const [encrypted] = encoded.body.payloads;
    expect(Buffer.from(encrypted.metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted.metadata[KEY_ID_METADATA], 'base64').toString()).toBe(config.temporal.payloadKeys!.activeKeyId);
    expect((await decode([encrypted]).expect(200)).body.payloads).toEqual([plain]);
    // Altered ciphertext is named, not a 500.
    const data = Buffer.from(encrypted.data, 'base64');
    data[data.length - 1] ^= 1;
    const altered = await decode([{ ...encrypted, data: data.toString('base64') }]).expect(422);
    expect(altered.body.errors).toEqual([{ field: 'payloads[0]', reason: expect.stringContaining('cannot be decrypted') }]);
  });

  it('accepts the session cookie (the Web UI sends no bearer token) and refuses anyone but district-wide supervisors and admins', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload('x'));
    await request(api.getHttpServer()).post('/codec/decode').set('cookie', `${SESSION_COOKIE}=${supervisor}`).send({ payloads: [plain] }).expect(200);
    await request(api.getHttpServer()).post('/codec/decode').send({ payloads: [plain] }).expect(401);
    const dispatcher = await signIn(api, 'dispatcher');
    await request(api.getHttpServer()).post('/codec/decode').set('authorization', `Bearer ${dispatcher}`).send({ payloads: [plain] }).expect(403);
    const local = await signIn(api, 'supervisor', { subdistrict: 'XYL' });
    await request(api.getHttpServer()).post('/codec/decode').set('authorization', `Bearer ${local}`).send({ payloads: [plain] }).expect(403);
  });

  it('refuses a body that is not payloads in base64, naming the field', async () => {
    const response = await decode([{ metadata: { encoding: 'not base64!' } }]).expect(422);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'payloads[0].metadata.encoding' })]);
  });

  it("answers the Web UI's preflight with credentials for an allowed origin only", async () => {
    const preflight = (origin: string) =>
      request(api.getHttpServer())
        .options('/codec/decode')
        .set('origin', origin)
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'content-type,x-namespace')
        .expect(204);
    const allowed = await preflight('http://localhost:8233');
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:8233',
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'content-type, x-namespace, authorization',
    });
    expect((await preflight('https://elsewhere.example')).headers['access-control-allow-origin']).toBeUndefined();
    const answered = await decode([asJson(defaultPayloadConverter.toPayload('x'))]).set('origin', 'http://127.0.0.1:8233').expect(200);
    expect(answered.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
  });
});
