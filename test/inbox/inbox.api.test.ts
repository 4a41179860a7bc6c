/**
 * The inbox over HTTP against the real API, worker, dev server and PostgreSQL: my messages unread
 * first then newest, read marks, another account's message not found, acknowledging and taking a
 * real fever escalation from a message about it, and the live unread count (count and stream).
 */
import { INestApplication } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import type { Role } from '../../libs/auth/roles';
import { NotificationConcern, NotificationOutbox } from '../../libs/notifications/notification-outbox';
import { Http, httpAs, Scope, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { allDayPolicy, enrolmentRequest, moveToPolicy } from '../support/observation-fixtures';
import { driveTrip, manifestRow, registerResources } from '../transfer/transfer-fixtures';
import { MINUTE } from '../../libs/domain/local-time';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);

interface Account {
  http: Http;
  token: string;
  id: string;
  username: string;
}

describe('inbox (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const tag = randomUUID().slice(0, 6);
  const place = { subdistrict: 'XYL', community: `Inbox-${tag}` };
  let api: INestApplication;
  let db: DataSource;
  let client: Client;
  let outbox: NotificationOutbox;
  let supervisor: Account;

  async function account(role: Role, scope: Scope = {}): Promise<Account> {
    const token = await signIn(api, role, scope);
    const http = httpAs(api, token);
    const me = (await http.get('/auth/me').expect(200)).body;
    return { http, token, id: me.userId, username: me.username };
  }

  /** A message to the account, stored as the senders store them (its own transaction, so each is newer than the last). */
  async function send(to: Account, concerns?: NotificationConcern): Promise<string> {
    const id = `inbox-test:${randomUUID()}`;
    await db.transaction((m) => outbox.enqueue(m, [{ id, recipient: { account: to.id }, template: 'fever_alert', params: { observationNumber: 'XYL-C-1', personName: '张伟', temperature: 38.4, reportedAt: '08:10', symptoms: '-' }, concerns }]));
    return id;
  }

  const inbox = async (who: Account) => (await who.http.get('/inbox?pageSize=500').expect(200)).body;
  const item = async (who: Account, id: string) => (await inbox(who)).items.find((i: { id: string }) => i.id === id);
  const path = (id: string, action: string) => `/inbox/${encodeURIComponent(id)}/${action}`;

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    outbox = api.get(NotificationOutbox, { strict: false });
    supervisor = await account('supervisor', { subdistrict: 'XYL' });
  }, { config });

  it('lists my messages unread first then newest, marks them read (idempotently) and never shows or touches another account’s', async () => {
    // Dispatchers of a subdistrict of their own: runs of other tests still under way notify XYL's.
    const own = { subdistrict: `IB${tag.slice(0, 4)}` };
    const me = await account('dispatcher', own);
    const other = await account('dispatcher', own);
    const first = await send(me, { kind: 'transfer_run', id: `run-${tag}` });
    const second = await send(me, { kind: 'trip', id: `run-${tag}/trip-01` });
    const third = await send(me);
    const theirs = await send(other);

    let page = await inbox(me);
    expect(page).toMatchObject({ page: 1, pageSize: 500, total: 3 });
    expect(page.items.map((i: { id: string }) => i.id)).toEqual([third, second, first]);
    expect(page.items[1]).toMatchObject({
      template: 'fever_alert',
      subject: expect.any(String),
      body: expect.stringContaining('38.4'),
      createdAt: expect.stringMatching(/Z$/),
      readAt: null,
      concerns: { kind: 'trip', id: `run-${tag}/trip-01` },
      link: `/app/trips/run-${tag}/trip-01`,
      actions: ['read'],
    });
    expect(page.items[0]).toMatchObject({ concerns: null, link: null });
    expect((await me.http.get('/inbox/count').expect(200)).body).toEqual({ unread: 3 });

    const read = await me.http.post(path(second, 'read')).expect(200);
    expect(read.body).toMatchObject({ id: second, readAt: expect.stringMatching(/Z$/), actions: [] });
    const again = await me.http.post(path(second, 'read')).expect(200);
    expect(again.body.readAt).toBe(read.body.readAt);
    page = await inbox(me);
    expect(page.items.map((i: { id: string }) => i.id)).toEqual([third, first, second]);

    // Another account's message, one by id and in a list, is not found, and nothing is marked.
    const notMine = await me.http.post(path(theirs, 'read')).expect(404);
    expect(notMine.body.errors).toEqual([{ field: 'id', reason: `no message ${theirs}` }]);
    const listed = await me.http.post('/inbox/read').send({ ids: [first, theirs] }).expect(404);
    expect(listed.body.errors).toEqual([{ field: 'ids[1]', reason: `no message ${theirs} in your inbox` }]);
    expect((await me.http.get('/inbox/count').expect(200)).body).toEqual({ unread: 2 });
    await me.http.post(path(theirs, 'take')).expect(404);
    expect((await other.http.get('/inbox/count').expect(200)).body).toEqual({ unread: 1 });

    const neither = await me.http.post('/inbox/read').send({}).expect(422);
    expect(neither.body.errors[0].field).toBe('ids');
    const both = await me.http.post('/inbox/read').send({ ids: [first], all: true }).expect(422);
    expect(both.body.errors[0].field).toBe('ids');
    await me.http.post('/inbox/read').send({ all: false }).expect(422);
    await me.http.post(path('x'.repeat(201), 'read')).expect(422);
    const nothingToDo = await me.http.post(path(first, 'acknowledge')).expect(409);
    expect(nothingToDo.body.errors[0].field).toBe('id');

    expect((await me.http.post('/inbox/read').send({ ids: [first] }).expect(200)).body).toEqual({ marked: 1, unread: 1 });
    expect((await me.http.post('/inbox/read').send({ all: true }).expect(200)).body).toEqual({ marked: 1, unread: 0 });
    expect((await other.http.get('/inbox/count').expect(200)).body).toEqual({ unread: 1 });
  });

  it('acknowledges a fever escalation from a supervisor’s message and lets the medical desk take it; another subdistrict’s desk may not; a resolved one cannot be taken', async () => {
    // Policies are the district's.
    const policyId = await allDayPolicy((await account('supervisor')).http, db, 'C');
    const number = (await supervisor.http.post('/persons').send(enrolmentRequest({ address: { ...place, building: '1', unit: '1' } })).expect(201)).body.observationNumber;
    await moveToPolicy(supervisor.http, db, number, policyId);
    await supervisor.http.post(`/observations/${number}/reports`).send({ temperature: 38.4 }).expect(201);
    const [fever] = await eventually(() => db.query(`SELECT id, state, owner_role FROM escalation WHERE observation_number = $1 AND kind = 'fever'`, [number]), (rows) => rows.length === 1, {
      what: 'the fever escalation recorded',
    });
    expect(fever).toMatchObject({ state: 'open', owner_role: 'medical' });
    const concerns: NotificationConcern = { kind: 'escalation', id: fever.id };

    const medical = await account('medical', { subdistrict: 'XYL' });
    const farMedical = await account('medical', { subdistrict: 'QTL' });
    const toSupervisor = await send(supervisor, concerns);
    const toMedical = await send(medical, concerns);
    const toFarMedical = await send(farMedical, concerns);

    // The supervisor may acknowledge it (as on its own route) but not take it: it belongs to the medical desk.
    expect(await item(supervisor, toSupervisor)).toMatchObject({ link: `/app/supervisor/#/person/${number}`, actions: ['read', 'acknowledge'] });
    expect(await item(medical, toMedical)).toMatchObject({ actions: ['read', 'take'] });
    expect(await item(farMedical, toFarMedical)).toMatchObject({ actions: ['read'] });

    const refusedAck = await medical.http.post(path(toMedical, 'acknowledge')).expect(403);
    expect(refusedAck.body.detail).toContain('a medical may not acknowledge escalation');
    const acknowledged = await supervisor.http.post(path(toSupervisor, 'acknowledge')).expect(200);
    expect(acknowledged.body).toMatchObject({ id: toSupervisor, readAt: expect.any(String), actions: [] });
    const [state] = await eventually(() => db.query(`SELECT state, decided_by FROM escalation WHERE id = $1`, [fever.id]), (rows) => rows[0].state === 'acknowledged', { what: 'the escalation acknowledged' });
    const me = (await supervisor.http.get('/auth/me').expect(200)).body;
    expect(state.decided_by).toBe(me.displayName);
    // The workflow's own check: it is no longer open.
    await supervisor.http.post(path(toSupervisor, 'acknowledge')).expect(409);

    const far = await farMedical.http.post(path(toFarMedical, 'take')).expect(403);
    expect(far.body.detail).toContain('outside your jurisdiction');
    const taken = await medical.http.post(path(toMedical, 'take')).expect(200);
    expect(taken.body).toMatchObject({ id: toMedical, actions: [] });
    expect((await db.query(`SELECT owner_account FROM escalation WHERE id = $1`, [fever.id]))[0].owner_account).toBe(medical.id);
    const [audited] = await db.query(`SELECT actor, record_type, record_id, status FROM audit_log WHERE actor_id = $1 AND action = 'POST /inbox/:id/take' ORDER BY id DESC LIMIT 1`, [medical.id]);
    expect(audited).toEqual({ actor: medical.username, record_type: 'escalation', record_id: fever.id, status: 200 });

    await supervisor.http.post(`/observations/${number}/escalations/${fever.id.split('/')[1]}/decision`).send({ decision: 'continue', by: 'supervisor-wang' }).expect(200);
    await eventually(() => db.query(`SELECT state FROM escalation WHERE id = $1`, [fever.id]), (rows) => rows[0].state === 'resolved', { what: 'the escalation resolved' });
    const other = await account('medical', { subdistrict: 'XYL' });
    const late = await send(other, concerns);
    expect(await item(other, late)).toMatchObject({ actions: ['read'] });
    const resolved = await other.http.post(path(late, 'take')).expect(409);
    expect(resolved.body.errors[0]).toMatchObject({ field: 'id' });
  });

  it('acknowledges a full hotel from a dispatcher’s message through the run’s own command, and lets a dispatcher of the run’s subdistrict take it', async () => {
    const registry = await registerResources(db, {
      destinations: [{ destinationId: 'hotel', kind: 'hotel', name: 'Jinjiang quarantine hotel', travelMinutes: 20, capacity: 10 }],
      vehicles: [{ vehicleId: 'V1', seats: 4 }],
      escorts: [{ escortId: 'E1' }],
    });
    // The run names its dispatcher, who owns its exceptions; another dispatcher of XYL may take one.
    const runDispatcher = await account('dispatcher', { subdistrict: 'XYL' });
    const dispatcher = await account('dispatcher', { subdistrict: 'XYL' });
    const farDispatcher = await account('dispatcher', { subdistrict: 'QTL' });
    const travellers = [manifestRow(registry.destination('hotel'), false, Date.now() - 5 * MINUTE)];
    const created = await dispatcher.http
      .post('/transfer-runs')
      .send({ sortingPointId: registry.sortingPointId, dispatcher: runDispatcher.username, supervisor: '王主任', vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, dispatch: true, travellers })
      .expect(201);
    const { runId, plan } = created.body;
    const tripId = plan.trips[0].tripId;
    await driveTrip(client, runId, tripId, { stopAfter: 'arrived' });
    await dispatcher.http.post(`/transfer-runs/${runId}/trips/${tripId}/hotel-full`).send({ by: '周干部' }).expect(200);
    const [fullHotel] = await eventually(() => db.query(`SELECT id, state, owner_role, owner_account FROM transfer_exception WHERE run_id = $1 AND kind = 'hotel_full'`, [runId]), (rows) => rows.length === 1, {
      what: 'the full hotel recorded',
    });
    expect(fullHotel).toMatchObject({ state: 'open', owner_role: 'dispatcher', owner_account: runDispatcher.id });
    const concerns: NotificationConcern = { kind: 'transfer_exception', id: fullHotel.id };
    const mine = await send(dispatcher, concerns);
    const far = await send(farDispatcher, concerns);
    expect(await item(dispatcher, mine)).toMatchObject({ link: `/dashboard?open=${encodeURIComponent(`run:${runId}`)}`, actions: ['read', 'acknowledge', 'take'] });
    expect(await item(farDispatcher, far)).toMatchObject({ actions: ['read'] });
    await farDispatcher.http.post(path(far, 'acknowledge')).expect(403);

    const acknowledged = await dispatcher.http.post(path(mine, 'acknowledge')).expect(200);
    expect(acknowledged.body.actions).toEqual(['take']);
    const [state] = await eventually(() => db.query(`SELECT state, decided_by FROM transfer_exception WHERE id = $1`, [fullHotel.id]), (rows) => rows[0].state === 'acknowledged', {
      what: 'the full hotel acknowledged',
    });
    expect(state.decided_by).toBe((await dispatcher.http.get('/auth/me').expect(200)).body.displayName);
    await dispatcher.http.post(path(mine, 'take')).expect(200);
    expect((await db.query(`SELECT owner_account FROM transfer_exception WHERE id = $1`, [fullHotel.id]))[0].owner_account).toBe(dispatcher.id);
    expect((await item(dispatcher, mine)).actions).toEqual([]);
  });

  it('streams my unread count on connect and when it changes, to the session cookie, until I go', async () => {
    const me = await account('duty_staff', { subdistrict: 'XYL' });
    await send(me);
    const server = api.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const abort = new AbortController();
    // As a page's EventSource opens it: the session cookie, no bearer token.
    const response = await fetch(`http://127.0.0.1:${port}/inbox/stream`, { headers: { cookie: `epi_session=${me.token}` }, signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    /** The next event's unread count. */
    const nextCount = async (): Promise<number> => {
      for (;;) {
        const event = buffered.match(/data: (\{.*\})\n/);
        if (event) {
          buffered = buffered.slice(event.index! + event[0].length);
          return JSON.parse(event[1]).unread;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffered += decoder.decode(value, { stream: true });
      }
    };
    try {
      expect(await nextCount()).toBe(1);
      await send(me);
      expect(await nextCount()).toBe(2);
      await me.http.post('/inbox/read').send({ all: true }).expect(200);
      expect(await nextCount()).toBe(0);
    } finally {
      abort.abort();
    }
    await expect(reader.read()).rejects.toThrow();
  });
});
