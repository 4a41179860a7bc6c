/**
 * What the dashboard's drill-downs open, made through the HTTP API as a supervisor would: a transfer
 * run that is running (resources, a dispatched run, one person on board), and a post with a shift
 * happening now (staff, a roster for today, published, so its shift workflows run).
 */
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { MINUTE, localDate } from '../../libs/domain/local-time';
import { Http } from '../support/auth';
import { answered } from '../support/eventually';
import { freshResidentId } from '../support/observation-fixtures';
import { solvedPlan } from '../roster/roster-fixtures';


async function ok<T = any>(request: PromiseLike<{ status: number; body: unknown }>, ...expected: number[]): Promise<T> {
  const response = await request;
  if (!expected.includes(response.status)) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as T;
}

export interface RunningTransfer {
  runId: string;
  trips: Array<{ tripId: string; destinationId: string; travellerIds: string[] }>;
  /** The community trip: the one the test boards and reports a no-show on. */
  homeTrip: { tripId: string; travellerIds: string[] };
  plate: string;
  escort: string;
  destination: string;
  /** Traveller id → full name (the manifest's order: T001, T002, …). */
  names: Map<string, string>;
}

/**
 * Registers a sorting point, a community and a hotel, a van and a bus, two escorts; starts a run
 * dispatched at once for two people going home and two going to the hotel, and waits until its
 * trips' workflows run.
 */
export async function startRunningTransfer(http: Http, tag: string, address: { subdistrict: string; community: string }, people: { home: string[]; hotel: string[] }, by: { dispatcher: string; supervisor: string }): Promise<RunningTransfer> {
  const id = (x: string) => `dash-${x}-${tag}`;
  const destination = `${address.community}接收点`;
  const plate = `京A·D${tag}`;
  const escort = '周干部';
  await ok(http.post('/transfer/sorting-points').send({ id: id('sp'), name: '顺义新国展分拣点', address: '裕翔路88号' }), 201);
  await ok(http.post('/transfer/destinations').send({ id: id('home'), kind: 'community', name: destination, travelMinutes: 30, receiver: '社区值班', worker: '李社工' }), 201);
  await ok(http.post('/transfer/destinations').send({ id: id('hotel'), kind: 'hotel', name: '锦江隔离酒店', travelMinutes: 40, capacity: 50, receiver: '前台' }), 201);
  await ok(http.post('/transfer/vehicles').send({ id: id('van'), plate, seats: 4, driverName: '孙师傅', driverContact: '13900000001' }), 201);
  await ok(http.post('/transfer/vehicles').send({ id: id('bus'), plate: `京B·D${tag}`, seats: 14, driverName: '钱师傅', driverContact: '13900000002' }), 201);
  await ok(http.post('/transfer/escorts').send({ id: id('e1'), name: escort, contact: '13700000001' }), 201);
  await ok(http.post('/transfer/escorts').send({ id: id('e2'), name: '吴干部', contact: '13700000002' }), 201);

  const arrivalTime = new Date(Date.now() - 5 * MINUTE).toISOString();
  const row = (name: string, home: boolean) => ({
    name,
    documentType: 'resident_id',
    documentNumber: freshResidentId(),
    mobile: '13800138000',
    arrivalTime,
    destinationId: home ? id('home') : id('hotel'),
    disposition: home ? 'home_observation' : 'centralized_quarantine',
    address: home ? { ...address, building: '3', unit: '2' } : undefined,
  });
  const travellers = [...people.home.map((name) => row(name, true)), ...people.hotel.map((name) => row(name, false))];
  const started = await ok<{ runId: string; plan: { trips: RunningTransfer['trips'] } }>(
    http
      .post('/transfer-runs')
      .send({ sortingPointId: id('sp'), ...by, vehicleIds: [id('van'), id('bus')], escortIds: [id('e1'), id('e2')], dispatch: true, rules: { dispatchLeadMinutes: 2880 }, travellers }),
    201,
  );
  const { runId } = started;
  const trips = started.plan.trips;
  for (const trip of trips) await waitFor(http, `/transfer-runs/${runId}/trips/${trip.tripId}`);
  const homeTrip = trips.find((trip) => trip.destinationId === id('home'))!;
  const names = new Map(travellers.map((t, i) => [`T${String(i + 1).padStart(3, '0')}`, t.name]));
  return { runId, trips, homeTrip, plate, escort, destination, names };
}

async function waitFor(http: Http, route: string): Promise<unknown> {
  return (await answered(() => http.get(route), `${route} answers 200`, { timeoutMs: 30_000 })).body;
}

export interface PostNow {
  postId: string;
  /** The post's shifts covering now, by seat (their workflows started by the publish). */
  current: Array<{ id: string; seatNo: number; staffId: string | null }>;
}

/**
 * A community gate with two seats per shift and the day in three 8-hour shifts, staff with its
 * skill, and a roster for today published: the shift covering now starts at once.
 */
export async function publishPostNow(http: Http, tag: string, jurisdiction: string, timeZone: string, supervisor: string): Promise<PostNow> {
  const postId = `gate-${tag}`;
  const skill = `gate-${tag}`;
  const staff = ['li', 'wang', 'zhang', 'liu', 'chen', 'yang', 'zhao'].map((s) => `${s}-${tag}`);
  await ok(
    http.post('/roster/posts').send({
      id: postId,
      kind: 'community_gate',
      name: `学院路东门卡口 ${tag}`,
      jurisdiction,
      requirements: { peace: [{ skill, headcount: 2 }], war: [{ skill, headcount: 3 }] },
      pattern: [
        { start: '00:00', hours: 8 },
        { start: '08:00', hours: 8 },
        { start: '16:00', hours: 8 },
      ],
      supervisor,
      onCall: [staff[6]],
    }),
    200,
  );
  for (const id of staff) await ok(http.post('/roster/staff').send({ id, name: `值守 ${id}`, role: 'guard', skills: [skill] }), 200);
  const today = localDate(Date.now(), utcOffsetMinutes(timeZone));
  const plan = await solvedPlan(http, { from: today, to: today, postIds: [postId], by: supervisor });
  await ok(http.post(`/rosters/${plan.id}/publish`).send({ by: supervisor }), 200);
  const now = Date.now();
  const { items: shifts } = await ok<{ items: Array<{ id: string; seatNo: number; staffId: string | null; status: string; startAt: string; endAt: string; workflowStarted: boolean }> }>(http.get('/shifts').query({ postId }), 200);
  const current = shifts
    .filter((s) => s.status === 'published' && s.workflowStarted && Date.parse(s.startAt) <= now && Date.parse(s.endAt) > now)
    .sort((a, b) => a.seatNo - b.seatNo)
    .map(({ id, seatNo, staffId }) => ({ id, seatNo, staffId }));
  if (current.length !== 2) throw new Error(`expected two seats now on ${postId}, found ${JSON.stringify(shifts)}`);
  return { postId, current };
}
