/**
 * Records and accounts for `npm run fuzz`, made through the API itself: one account per role, an
 * observation with an escalation, an import, a policy rollout, a published roster with shifts and a
 * shift request, transfer resources and a run with its trips, a system probe. Routes get real ids in
 * their path; commands that end or remove something get records of their own, and the operations that
 * end a login or change an account act on throwaway accounts, so the rest of the run keeps its own.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { UsersService } from '../libs/auth/users.service';
import { ROSTER_SCHEDULE_ID } from '../apps/api/roster/roster.service';
import { dailyReportWorkflow } from '../workflows/system/daily-report.workflow';
import type { Role } from '../libs/auth/roles';
import type { Route } from '../libs/nest/routes';
import { freshResidentId } from '../test/support/observation-fixtures';

const SUBDISTRICT = 'XYL';
const COMMUNITY = 'FUZZ-1';

export interface Seeded {
  /** The bearer token an operation runs with (undefined: public). */
  tokenFor(route: Route, role: Role | undefined): string | undefined;
  /** Real values for the route's path parameters. */
  pathParameters(route: Route): Record<string, string>;
}

class Api {
  constructor(
    private readonly base: string,
    private readonly token?: string,
  ) {}

  as(token: string): Api {
    return new Api(this.base, token);
  }

  async call<T = Record<string, unknown>>(method: string, url: string, body?: unknown, expect = [200, 201, 202, 204]): Promise<T> {
    const response = await fetch(`${this.base}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!expect.includes(response.status)) throw new Error(`seeding: ${method} ${url} answered ${response.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The status a GET answers with. */
  async status(url: string): Promise<number> {
    const response = await fetch(`${this.base}${url}`, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    await response.arrayBuffer();
    return response.status;
  }

  async upload(url: string, name: string, content: string): Promise<Record<string, unknown>> {
    const form = new FormData();
    form.append('file', new Blob([content], { type: 'text/csv' }), name);
    const response = await fetch(`${this.base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${this.token}` }, body: form });
    if (response.status !== 202) throw new Error(`seeding: POST ${url} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`seeding: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export async function seedForFuzzing(base: string, users: UsersService, temporal: Client): Promise<Seeded> {
  const anonymous = new Api(base);
  const login = async (role: Role, scope: { subdistrict?: string; community?: string } = {}) => {
    const username = `fuzz-${role}-${randomUUID().slice(0, 6)}`;
    const password = `pw-${randomUUID()}`;
    const user = await users.create({ username, displayName: username, password, role, subdistrict: scope.subdistrict ?? null, community: scope.community ?? null });
    const { accessToken } = await anonymous.call<{ accessToken: string }>('POST', '/auth/login', { username, password });
    return { id: user.id as string, token: accessToken };
  };
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'supervisor', 'dispatcher', 'duty_staff'] as const) tokens[role] = (await login(role)).token;
  tokens.community_worker = (await login('community_worker', { subdistrict: SUBDISTRICT, community: COMMUNITY })).token;
  // Logging out, changing one's password and an admin's change of an account act on these only.
  const leaving = await login('supervisor');
  const changing = await login('supervisor');
  const renamed = await login('duty_staff');
  const supervisor = anonymous.as(tokens.supervisor);
  const dispatcher = anonymous.as(tokens.dispatcher);

  // Observations: a policy whose one slot spans the day (so reports are accepted), two people, a fever report.
  const policy = await supervisor.call('POST', '/observation-policies', {
    category: 'C',
    effectiveFrom: '2099-01-01',
    rules: { periodDays: 14, slots: [{ start: '00:00', end: '23:59' }], reminderMinutes: 0, graceMinutes: 0, feverThreshold: 37.3, doorAllowedWindows: [] },
  });
  const enrol = async () => {
    const { observationNumber } = await supervisor.call<{ observationNumber: string }>('POST', '/persons', {
      name: '测试', documentType: 'resident_id', documentNumber: freshResidentId(), mobile: '13800138000',
      address: { subdistrict: SUBDISTRICT, community: COMMUNITY, building: '1', unit: '1' },
      category: 'C', anchorDate: today(), responsibleWorker: 'fuzz-worker', devices: { doorSensorId: `DS-${randomUUID().slice(0, 8)}` },
    });
    await supervisor.call('POST', `/observations/${observationNumber}/policy`, { policyId: policy.id, by: 'fuzz' });
    return observationNumber;
  };
  const observation = await enrol();
  const ending = await enrol();
  // The self-report routes' token: the link of someone whose link no other operation re-issues, nor observation ends.
  const reporting = await enrol();
  const reportLink = await supervisor.call<{ url: string }>('GET', `/observations/${reporting}/report-link`);
  await until('the policy move', async () => {
    const detail = await supervisor.call<{ observation: { policyId: string } }>('GET', `/observations/${observation}`);
    return detail.observation.policyId === policy.id ? true : undefined;
  });
  await supervisor.call('POST', `/observations/${observation}/reports`, { temperature: 38.5, requestId: randomUUID() });
  const rollout = await supervisor.call('POST', `/observation-policies/${policy.id}/rollouts`, { by: 'fuzz' });
  const header = 'name,documentType,documentNumber,mobile,subdistrict,community,building,unit,category,anchorDate,responsibleWorker';
  const imported = await supervisor.upload('/persons/import', 'fuzz.csv', `${header}\n测试,resident_id,${freshResidentId()},13800138000,${SUBDISTRICT},${COMMUNITY},1,1,C,${today()},fuzz-worker\n`);

  // Rosters: a post, its staff, a published plan for tomorrow, a request on one of its shifts.
  const postId = `fuzz-gate-${randomUUID().slice(0, 6)}`;
  const skill = 'gate';
  await supervisor.call('POST', '/roster/posts', {
    id: postId, kind: 'community_gate', name: 'Fuzz gate', jurisdiction: COMMUNITY, subdistrict: SUBDISTRICT,
    requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] }, supervisor: 'fuzz-sup', onCall: [],
  });
  const staff = ['a', 'b', 'c', 'd'].map((s) => `fuzz-staff-${s}`);
  for (const id of staff) await supervisor.call('POST', '/roster/staff', { id, name: id, role: 'guard', skills: [skill] });
  const tomorrow = addDays(today(), 1);
  const plan = await supervisor.call<{ id: string }>('POST', '/rosters', { from: tomorrow, to: addDays(tomorrow, 1), postIds: [postId], by: 'fuzz' });
  // The worker solves it: 202 with the plan solving, a draft by id once solved.
  await until('the roster solved', async () => ((await supervisor.call<{ state: string }>('GET', `/rosters/${plan.id}`)).state === 'draft' ? true : undefined));
  await supervisor.call('POST', `/rosters/${plan.id}/publish`, { by: 'fuzz' });
  const { items: shifts } = await supervisor.call<{ items: Array<{ id: string }> }>('GET', `/shifts?postId=${postId}`);
  if (shifts.length < 2) throw new Error(`seeding: the published roster has ${shifts.length} shifts`);
  // The daily run, triggered now; and the daily report of yesterday, on the same task queue and offset.
  await supervisor.call('POST', '/schedules/roster', {});
  await temporal.schedule.getHandle(ROSTER_SCHEDULE_ID).trigger();
  const { action } = await temporal.schedule.getHandle(ROSTER_SCHEDULE_ID).describe();
  if (action.type !== 'startWorkflow') throw new Error('seeding: the roster schedule starts no workflow');
  const [{ utcOffsetMinutes }] = action.args as [{ utcOffsetMinutes: number }];
  await temporal.workflow.start(dailyReportWorkflow, { taskQueue: action.taskQueue, workflowId: `fuzz-daily-report-${randomUUID()}`, args: [{ utcOffsetMinutes }] });
  const yesterday = addDays(today(), -1);
  await until('the daily report', async () => ((await supervisor.status(`/reports/daily/${yesterday}`)) === 200 ? true : undefined));
  const request = await supervisor.call('POST', '/shift-requests', { kind: 'swap', shiftId: shifts[0].id, otherShiftId: shifts[1].id, requestedBy: staff[0], note: 'fuzz' }, [200, 201, 422, 409]);
  const openShift = request.id ? request : await supervisor.call('POST', '/shift-requests', { kind: 'open_shift', shiftId: shifts[0].id, staffId: staff[3], requestedBy: staff[3] }, [200, 201, 409, 422]);

  // Transfers: resources (each kind once more to be deleted), a run of two travellers.
  const tag = randomUUID().slice(0, 6);
  const resources = async (suffix: string) => {
    const ids = { sortingPoint: `SP-${tag}${suffix}`, community: `C-${tag}${suffix}`, hotel: `H-${tag}${suffix}`, vehicle: `V-${tag}${suffix}`, escort: `E-${tag}${suffix}` };
    await supervisor.call('POST', '/transfer/sorting-points', { id: ids.sortingPoint, name: 'Fuzz sorting point', address: 'somewhere' });
    await supervisor.call('POST', '/transfer/destinations', { id: ids.community, kind: 'community', name: COMMUNITY, travelMinutes: 30, receiver: 'desk', worker: 'fuzz-worker' });
    await supervisor.call('POST', '/transfer/destinations', { id: ids.hotel, kind: 'hotel', name: 'Fuzz hotel', travelMinutes: 40, capacity: 50, receiver: 'desk' });
    await supervisor.call('POST', '/transfer/vehicles', { id: ids.vehicle, plate: `京A·${tag}${suffix}`, seats: 14, driverName: 'driver', driverContact: '13900000000' });
    await supervisor.call('POST', '/transfer/escorts', { id: ids.escort, name: 'escort', contact: '13700000000' });
    return ids;
  };
  const kept = await resources('');
  const removed = await resources('X');
  const arrival = new Date(Date.now() - 5 * 60_000).toISOString();
  const run = await dispatcher.call<{ runId: string }>('POST', '/transfer-runs', {
    sortingPointId: kept.sortingPoint, dispatcher: 'fuzz', supervisor: 'fuzz', vehicleIds: [kept.vehicle], escortIds: [kept.escort], dispatch: true,
    rules: { dispatchLeadMinutes: 2880 }, // every trip dispatched at once, so its workflow answers
    travellers: [
      { name: '旅客甲', documentType: 'resident_id', documentNumber: freshResidentId(), mobile: '13800138000', arrivalTime: arrival, destinationId: kept.community, disposition: 'home_observation', address: { subdistrict: SUBDISTRICT, community: COMMUNITY, building: '2', unit: '1' } },
      { name: 'John Smith', documentType: 'passport', documentNumber: `E${tag.toUpperCase().replace(/[^A-Z0-9]/g, '0')}1`, arrivalTime: arrival, destinationId: kept.hotel, disposition: 'centralized_quarantine' },
    ],
  });
  const runId = run.runId;
  const trips = await until('the run’s trips', async () => {
    const detail = await dispatcher.call<{ state?: { trips: Array<{ tripId: string }> } }>('GET', `/transfer-runs/${runId}`);
    return detail.state?.trips.length ? detail.state.trips : undefined;
  });
  await until('the first trip dispatched', async () => ((await dispatcher.status(`/transfer-runs/${runId}/trips/${trips[0].tripId}`)) === 200 ? true : undefined));
  const probe = await supervisor.call<{ workflowId: string }>('POST', '/system/probe', { requestedBy: 'fuzz' });

  const byName: Record<string, string> = {
    number: observation,
    id: '1',
    rolloutId: String(rollout.rolloutId ?? rollout.id),
    runId,
    tripId: trips[0].tripId,
    exceptionId: '1',
    jurisdiction: COMMUNITY,
    date: yesterday,
    workflowId: probe.workflowId,
    token: new URL(reportLink.url).pathname.split('/').pop()!,
  };
  /** The value of `:id` depends on what the route is about. */
  const idOf: Array<[RegExp, string]> = [
    [/^\/observation-policies\/:id/, String(policy.id)],
    [/^\/imports\//, String(imported.id)],
    [/^\/users\//, renamed.id],
    [/^\/roster\/posts\//, postId],
    [/^\/rosters\//, plan.id],
    [/^\/shifts\//, shifts[0].id],
    [/^\/shift-requests\//, String(openShift.id ?? request.id)],
    [/^\/transfer\/sorting-points\//, kept.sortingPoint],
    [/^\/transfer\/destinations\//, kept.hotel],
    [/^\/transfer\/vehicles\//, kept.vehicle],
    [/^\/transfer\/escorts\//, kept.escort],
  ];
  const deleted: Record<string, string> = {
    'sorting-points': removed.sortingPoint,
    destinations: removed.hotel,
    vehicles: removed.vehicle,
    escorts: removed.escort,
  };

  return {
    tokenFor(route, role) {
      if (route.isPublic || !role) return undefined;
      if (route.path === '/auth/logout') return leaving.token;
      if (route.path === '/auth/password') return changing.token;
      return tokens[role];
    },
    pathParameters(route) {
      const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
      const values: Record<string, string> = {};
      for (const name of names) {
        if (name === 'number') values[name] = /early-end|measures|extension|decision/.test(route.path) ? ending : observation;
        else if (name === 'id' && route.method === 'DELETE') values[name] = deleted[route.path.split('/')[2]];
        else if (name === 'id' && !route.path.startsWith('/observations/')) values[name] = idOf.find(([pattern]) => pattern.test(route.path))?.[1] ?? byName.id;
        else values[name] = byName[name];
      }
      return values;
    },
  };
}
