/**
 * Vehicle dispatch through a dispatch system, against a little fake one served on a free port in
 * this process, with the real API (listening), worker, dev server and PostgreSQL: a dispatched trip
 * reaches it as one order under its Idempotency-Key (through a 503 and the retry), a refused order
 * falls back to the notification channels, and the fake posts signed leg events back to the API's
 * webhook, which checks each against the trip, takes each once and refuses bad signatures.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { AppConfig } from '../../libs/config/config';
import { createDataSource } from '../../libs/persistence/data-source';
import { connectClient } from '../../libs/temporal/connection';
import { AesGcmPayloadCodec } from '../../libs/temporal/payload-codec';
import { MINUTE } from '../../libs/domain/local-time';
import { transferRunWorkflowId, transferTripWorkflowId } from '../../workflows/transfer/transfer.messages';
import { Http, httpAs, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { answered, eventually } from '../support/eventually';
import { driveTrip, handOverAll, manifestRow } from './transfer-fixtures';

jest.setTimeout(180_000);

interface OrderCall {
  status: number;
  key: string | undefined;
  authorization: string | undefined;
  body: Record<string, any>;
}

/**
 * A fleet dispatch platform as the adapter meets one: takes orders at POST /orders, answers each
 * Idempotency-Key with the one order it made for it, and answers the statuses scripted in `next`
 * first. It posts its leg events, signed with the shared secret, to the URL each order names.
 */
class FakeDispatchSystem {
  readonly calls: OrderCall[] = [];
  readonly orders = new Map<string, { reference: string; body: Record<string, any> }>();
  /** Statuses to answer the next calls with, before taking orders again. */
  next: number[] = [];
  private server!: http.Server;
  url = '';

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        const key = request.headers['idempotency-key'] as string | undefined;
        const status = this.next.shift() ?? (this.orders.has(key!) ? 200 : 201);
        this.calls.push({ status, key, authorization: request.headers.authorization, body: JSON.parse(text) });
        if (status >= 300) return void response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 503 ? 'try again later' : 'plate not in our fleet');
        if (!this.orders.has(key!)) this.orders.set(key!, { reference: `FLEET-${this.orders.size + 1}`, body: JSON.parse(text) });
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ reference: this.orders.get(key!)!.reference }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/orders`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  callsFor(orderId: string): OrderCall[] {
    return this.calls.filter((c) => c.key === orderId);
  }

  /** Posts an event for an order to the webhook the order named, signed unless told otherwise. */
  async post(orderId: string, event: Record<string, unknown>, sign: { secret?: string; timestamp?: number; unsigned?: boolean; tamper?: (body: string) => string } = {}) {
    const body = JSON.stringify(event);
    const timestamp = String(sign.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = `sha256=${createHmac('sha256', sign.secret ?? this.secret).update(`${timestamp}.${body}`).digest('hex')}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!sign.unsigned) Object.assign(headers, { 'x-dispatch-timestamp': timestamp, 'x-dispatch-signature': signature });
    const response = await fetch(this.orders.get(orderId)!.body.eventsUrl, { method: 'POST', headers, body: sign.tamper ? sign.tamper(body) : body });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }
}

describe('vehicle dispatch through a dispatch system (fake system on a free port, dev server, PostgreSQL)', () => {
  const secret = randomBytes(32).toString('hex');
  const token = `token-${randomUUID()}`;
  const tag = randomUUID().slice(0, 8);
  const ids = { sp: `SP-${tag}`, hotel: `hotel-${tag}`, van: `V-${tag}`, escort: `E-${tag}` };
  const fake = new FakeDispatchSystem(secret);
  let config: AppConfig;
  let api: INestApplication;
  let worker: RunningWorker;
  let db: DataSource;
  let client: Client;
  let district: Http;
  let supervisor: Http;

  beforeAll(async () => {
    await fake.start();
    const base = testConfig();
    api = await createApi({ ...base, dispatch: { ...base.dispatch, webhookSecret: secret } });
    await api.listen(0, '127.0.0.1');
    const apiPort = (api.getHttpServer().address() as AddressInfo).port;
    config = { ...base, dispatch: { url: fake.url, token, webhookUrl: `http://127.0.0.1:${apiPort}/dispatch/events`, webhookSecret: secret } };
    worker = await startWorker(config);
    db = await createDataSource(config.databaseUrl!).initialize();
    client = await connectClient(config.temporal);
    district = httpAs(api, await signIn(api, 'supervisor'));
    supervisor = httpAs(api, await signIn(api, 'supervisor', { subdistrict: 'XYL' }));
    await district.post('/transfer/sorting-points').send({ id: ids.sp, name: '顺义新国展', address: '裕翔路88号' }).expect(201);
    await district.post('/transfer/destinations').send({ id: ids.hotel, kind: 'hotel', name: '锦江隔离酒店', travelMinutes: 40, capacity: 50, receiver: '前台' }).expect(201);
    await district.post('/transfer/vehicles').send({ id: ids.van, plate: `京B·${tag}`, seats: 4, driverName: '孙师傅', driverContact: '13900000001' }).expect(201);
    await district.post('/transfer/escorts').send({ id: ids.escort, name: '周干部', contact: '13700000001' }).expect(201);
  });

  afterAll(async () => {
    await api?.close();
    await worker?.shutdown();
    await client?.connection.close();
    await db?.destroy();
    await fake.stop();
  });

  /** A run of two people in one van, dispatched at once; its trip's order once the fake has taken or refused it. */
  async function dispatchedRun() {
    const travellers = [0, 1].map(() => manifestRow(ids.hotel, false, Date.now() - 5 * MINUTE));
    const created = await supervisor
      .post('/transfer-runs')
      .send({ sortingPointId: ids.sp, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: [ids.van], escortIds: [ids.escort], dispatch: true, rules: { dispatchLeadMinutes: 2880 }, travellers })
      .expect(201);
    const { runId, plan } = created.body;
    const trip = plan.trips[0] as { tripId: string; travellerIds: string[] };
    const orderId = `${runId}/${trip.tripId}`;
    const route = `/transfer-runs/${runId}/trips/${trip.tripId}`;
    const view = await eventually(
      async () => (await answered(() => supervisor.get(route), `${route} dispatched`)).body,
      (body) => body.dispatchOrder !== null,
      { what: `order ${orderId} sent`, timeoutMs: 30_000 },
    );
    return { runId, trip, orderId, route, view };
  }

  const event = (run: { runId: string; trip: { tripId: string }; orderId: string }, kind: string, extra: Record<string, unknown> = {}) => ({
    eventId: `evt-${randomUUID()}`,
    kind,
    orderId: run.orderId,
    runId: run.runId,
    tripId: run.trip.tripId,
    at: new Date().toISOString(),
    ...extra,
  });
  const recorded = async (eventId: string) => (await db.query(`SELECT count(*)::int AS n FROM dispatch_event WHERE event_id = $1`, [eventId]))[0].n as number;
  const legOf = async (route: string) => (await supervisor.get(route).expect(200)).body.leg as string;

  /** The commands of the updates named `name` that the trip's workflow accepted, from its history. */
  async function acceptedCommands(name: string): Promise<unknown[]> {
    const history = await client.workflow.getHandle(transferTripWorkflowId(run.runId, run.trip.tripId)).fetchHistory();
    const inputs = history.events!.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input).filter((input) => input?.name === name);
    const codec = new AesGcmPayloadCodec(config.temporal.payloadKeys!);
    return Promise.all(inputs.map(async (input) => defaultPayloadConverter.fromPayload((await codec.decode(input!.args!.payloads!))[0])));
  }

  let run: Awaited<ReturnType<typeof dispatchedRun>>;

  it('sends a dispatched trip as one order under its Idempotency-Key, the same key again after a 503', async () => {
    fake.next = [503];
    run = await dispatchedRun();
    const calls = fake.callsFor(run.orderId);
    expect(calls.map((c) => c.status)).toEqual([503, 201]);
    expect(calls.every((c) => c.authorization === `Bearer ${token}`)).toBe(true);
    expect(fake.orders.get(run.orderId)).toBeDefined();
    expect([...fake.orders.keys()].filter((key) => key.startsWith(run.runId))).toEqual([run.orderId]);
    expect(calls[1].body).toEqual({
      orderId: run.orderId,
      runId: run.runId,
      tripId: run.trip.tripId,
      vehicle: { plate: `京B·${tag}` },
      driver: { name: '孙师傅', contact: '13900000001' },
      escorts: [{ name: '周干部', contact: '13700000001' }],
      pickup: { address: '顺义新国展 裕翔路88号', at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/) },
      destination: '锦江隔离酒店',
      people: 2,
      eventsUrl: config.dispatch.webhookUrl,
    });
    expect(run.view.dispatchOrder).toMatchObject({ orderId: run.orderId, state: 'accepted', reference: fake.orders.get(run.orderId)!.reference, reason: null });
    expect(run.view.position).toBeNull();
    // The dispatch system called the vehicle: no message went to the driver's or escort's name instead.
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM notification WHERE id LIKE $1`, [`transfer:${run.orderId}:dispatch:%`]);
    expect(n).toBe(0);
  });

  it('refuses an unsigned, wrongly signed, stale or altered event with 401, recording nothing', async () => {
    const departed = event(run, 'departed');
    const refusals = [
      await fake.post(run.orderId, departed, { unsigned: true }),
      await fake.post(run.orderId, departed, { secret: randomBytes(32).toString('hex') }),
      await fake.post(run.orderId, departed, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      await fake.post(run.orderId, departed, { tamper: (body) => body.replace('departed', 'arrived') }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(refusals[0].body.detail).toContain('X-Dispatch-Timestamp');
    expect(refusals[1].body.detail).toContain('does not match');
    expect(refusals[2].body.detail).toContain('more than 300 s from now');
    expect(await recorded(departed.eventId)).toBe(0);
    expect(await legOf(run.route)).toBe('dispatched');
    const audited = await db.query(`SELECT actor, status FROM audit_log WHERE action = 'POST /dispatch/events' AND record_id = $1`, [departed.eventId]);
    expect(audited).toEqual(Array(4).fill({ actor: 'dispatch-system', status: 401 }));
  });

  it('refuses with 409 an event for a trip that does not exist, under another order, or in a leg the trip is not in, recording nothing', async () => {
    const noTrip = await fake.post(run.orderId, event(run, 'position', { tripId: 'trip-99', position: { lat: 40, lon: 116.3 } }));
    expect(noTrip.status).toBe(409);
    expect(noTrip.body.errors).toEqual([{ field: 'tripId', reason: `no trip trip-99 in run ${run.runId}` }]);
    const otherOrder = await fake.post(run.orderId, event(run, 'departed', { orderId: `${run.runId}/trip-99` }));
    expect(otherOrder.status).toBe(409);
    expect(otherOrder.body.errors).toEqual([{ field: 'orderId', reason: `trip ${run.orderId} was sent as order ${run.orderId}` }]);
    // Nobody has boarded yet, so the vehicle cannot have left, let alone arrived.
    const early = [await fake.post(run.orderId, event(run, 'departed')), await fake.post(run.orderId, event(run, 'arrived'))];
    expect(early.map((r) => r.status)).toEqual([409, 409]);
    expect(early[0].body.errors[0].reason).toContain('not boarded');
    expect(early[1].body.errors[0]).toEqual({ field: 'leg', reason: `trip ${run.trip.tripId} is dispatched; this needs it departed` });
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM dispatch_event WHERE run_id = $1`, [run.runId]);
    expect(n).toBe(0);
    expect(await legOf(run.route)).toBe('dispatched');
  });

  it('moves the trip on departed and arrived as the escort would, shows the latest position, and takes a repeated event once', async () => {
    for (const travellerId of run.trip.travellerIds) await supervisor.post(`${run.route}/boarded`).send({ travellerId, by: '周干部' }).expect(200);
    const atGate = event(run, 'position', { position: { lat: 40.0702, lon: 116.6126 } });
    expect(await fake.post(run.orderId, atGate)).toMatchObject({ status: 200, body: { eventId: atGate.eventId, kind: 'position', leg: 'boarding' } });

    const departed = event(run, 'departed');
    const first = await fake.post(run.orderId, departed);
    expect(first).toMatchObject({ status: 200, body: { eventId: departed.eventId, orderId: run.orderId, kind: 'departed', leg: 'departed' } });
    const again = await fake.post(run.orderId, departed);
    expect(again).toEqual(first);
    expect(await recorded(departed.eventId)).toBe(1);
    const reused = await fake.post(run.orderId, { ...departed, kind: 'arrived' });
    expect(reused.status).toBe(409);
    expect(reused.body.errors).toEqual([{ field: 'eventId', reason: 'used by another event' }]);

    // The trip took one departure, the dispatch system's.
    expect(await acceptedCommands('depart')).toEqual([{ by: 'dispatch-system', note: `dispatch event ${departed.eventId}` }]);

    const onTheWay = event(run, 'position', { at: new Date(Date.now() + 1000).toISOString(), position: { lat: 39.9903, lon: 116.3461 } });
    expect((await fake.post(run.orderId, onTheWay)).status).toBe(200);
    // A position reported late, from before the latest one, is kept as an event but does not move the vehicle back.
    const late = event(run, 'position', { at: new Date(Date.now() - 60_000).toISOString(), position: { lat: 40.1, lon: 116.5 } });
    expect((await fake.post(run.orderId, late)).status).toBe(200);
    const trip = (await supervisor.get(run.route).expect(200)).body;
    expect(trip).toMatchObject({ leg: 'departed', position: { lat: 39.9903, lon: 116.3461, at: onTheWay.at } });

    // The same event sent twice at once: one arrival, both answered alike.
    const arrived = event(run, 'arrived');
    const [one, other] = await Promise.all([fake.post(run.orderId, arrived), fake.post(run.orderId, arrived)]);
    expect(one).toMatchObject({ status: 200, body: { kind: 'arrived', leg: 'arrived' } });
    expect(other).toEqual(one);
    expect(await recorded(arrived.eventId)).toBe(1);
    expect(await acceptedCommands('arrive')).toEqual([{ by: 'dispatch-system', note: `dispatch event ${arrived.eventId}` }]);
    const audited = await db.query(`SELECT actor, status, record_type, subdistrict FROM audit_log WHERE action = 'POST /dispatch/events' AND record_id = $1 ORDER BY id`, [departed.eventId]);
    expect(audited).toEqual([
      { actor: 'dispatch-system', status: 200, record_type: 'dispatch-event', subdistrict: 'XYL' },
      { actor: 'dispatch-system', status: 200, record_type: 'dispatch-event', subdistrict: 'XYL' },
      { actor: 'dispatch-system', status: 409, record_type: 'dispatch-event', subdistrict: 'XYL' },
    ]);

    await handOverAll(client, run.runId, run.trip.tripId);
    await expect(client.workflow.getHandle(transferRunWorkflowId(run.runId)).result()).resolves.toMatchObject({ status: 'completed', handedOver: 2 });
    const late409 = await fake.post(run.orderId, event(run, 'position', { position: { lat: 40, lon: 116 } }));
    expect(late409.status).toBe(409);
  });

  it('falls back to the notification channels when the dispatch system refuses an order (no retry), and the trip goes on', async () => {
    // The driver has an account: the trip goes to its inbox; the escort has none: an SMS to their own number.
    const [driver] = await db.query(`INSERT INTO app_user (username, display_name, password_hash, role) VALUES ($1, '司机', 'x', 'duty_staff') RETURNING id`, [`driver-${tag}`]);
    await db.query(`UPDATE transfer_vehicle SET driver_account_id = $2 WHERE id = $1`, [ids.van, driver.id]);
    fake.next = [422];
    const refused = await dispatchedRun();
    expect(fake.callsFor(refused.orderId).map((c) => c.status)).toEqual([422]);
    expect(refused.view.dispatchOrder).toMatchObject({ state: 'refused', reference: null, reason: 'dispatch system answered 422: plate not in our fleet' });
    const messages = await db.query(`SELECT id FROM notification WHERE id LIKE $1 ORDER BY id`, [`transfer:${refused.orderId}:dispatch:%`]);
    expect(messages.map((m: { id: string }) => m.id)).toEqual([`transfer:${refused.orderId}:dispatch:13700000001`, `transfer:${refused.orderId}:dispatch:13900000001`]);
    const addressed = await db.query(`SELECT recipient, channel, body, concerns_kind, concerns_id FROM notification WHERE id LIKE $1 ORDER BY id`, [`transfer:${refused.orderId}:dispatch:%`]);
    const link = `${config.selfReport.publicUrl}/app/trips/${refused.runId}/${refused.trip.tripId}`;
    expect(addressed).toEqual([
      { recipient: 'mobile:13700000001', channel: 'sms', body: expect.stringContaining(link), concerns_kind: 'trip', concerns_id: refused.orderId },
      { recipient: `account:${driver.id}`, channel: 'outbox', body: expect.stringContaining(link), concerns_kind: 'trip', concerns_id: refused.orderId },
    ]);
    const departed = await fake.post(run.orderId, event(refused, 'departed'));
    expect(departed.status).toBe(409);
    expect(departed.body.errors).toEqual([{ field: 'orderId', reason: 'the dispatch system refused this order' }]);
    await driveTrip(client, refused.runId, refused.trip.tripId);
    await expect(client.workflow.getHandle(transferRunWorkflowId(refused.runId)).result()).resolves.toMatchObject({ status: 'completed', handedOver: 2 });
  });

  it('documents the webhook in the OpenAPI document', async () => {
    const docs = (await district.get('/docs-json').expect(200)).body;
    const operation = docs.paths['/dispatch/events'].post;
    expect(operation.requestBody.content['application/json'].schema.$ref).toMatch(/DispatchEventDto$/);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '409', '503']));
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['X-Dispatch-Timestamp', 'X-Dispatch-Signature']));
  });
});
