/**
 * Logins, roles, jurisdictions and the audit log, over HTTP against the real API, worker, dev
 * server and PostgreSQL: every route is declared (public, or roles plus a jurisdiction rule) and
 * refuses every other role; community workers, subdistrict supervisors and dispatchers see and
 * act only where they may; repeated failed logins lock an account; every command is audited and
 * the audit table refuses to be changed.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import { routesOf } from '../../libs/nest/routes';
import { Role, ROLES } from '../../libs/auth/roles';
import { parseUuid } from '../../libs/domain/ids';
import { httpAs, Http, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { enrolmentRequest } from '../support/observation-fixtures';
import { ALL_DAY_RULES } from '../../workflows/observation/observation-policy';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);

describe('access: logins, roles, jurisdictions, audit (dev server, worker, PostgreSQL)', () => {
  const base = testConfig();
  // As behind a reverse proxy on this host: X-Forwarded-For names the client, so tests can log in from several addresses.
  const config = { ...base, auth: { ...base.auth, trustProxy: 'loopback' } };
  const tag = randomUUID().slice(0, 6);
  const home = { subdistrict: 'XYL', community: `Home-${tag}` };
  const next = { subdistrict: 'XYL', community: `Next-${tag}` };
  const elsewhere = { subdistrict: 'QTL', community: `Far-${tag}` };
  let api: INestApplication;
  let db: DataSource;
  let anonymous: ReturnType<typeof request>;
  const as: Partial<Record<Role | 'homeWorker' | 'homeSupervisor' | 'farSupervisor' | 'homeDispatcher' | 'homeDuty' | 'farDuty', Http>> = {};
  const numbers: Record<'home' | 'next' | 'elsewhere', string> = { home: '', next: '', elsewhere: '' };

  const enrol = (http: Http, place: { subdistrict: string; community: string }) =>
    http.post('/persons').send({ ...enrolmentRequest(), address: { ...place, building: '1', unit: '1' } });

  systemPerFile(async (system) => {
    ({ api, db } = system);
    anonymous = request(api.getHttpServer());
    // District-wide, except a community worker, who always works in one community.
    for (const role of ROLES) as[role] = httpAs(api, await signIn(api, role, role === 'community_worker' ? home : {}));
    as.homeWorker = httpAs(api, await signIn(api, 'community_worker', home));
    as.homeSupervisor = httpAs(api, await signIn(api, 'supervisor', { subdistrict: home.subdistrict }));
    as.farSupervisor = httpAs(api, await signIn(api, 'supervisor', { subdistrict: elsewhere.subdistrict }));
    as.homeDispatcher = httpAs(api, await signIn(api, 'dispatcher', { subdistrict: home.subdistrict }));
    as.homeDuty = httpAs(api, await signIn(api, 'duty_staff', { subdistrict: home.subdistrict }));
    as.farDuty = httpAs(api, await signIn(api, 'duty_staff', { subdistrict: elsewhere.subdistrict }));
    numbers.home = (await enrol(as.homeWorker, home).expect(201)).body.observationNumber;
    numbers.next = (await enrol(as.supervisor!, next).expect(201)).body.observationNumber;
    numbers.elsewhere = (await enrol(as.supervisor!, elsewhere).expect(201)).body.observationNumber;
    // A later policy whose one slot spans the day, so the home person's reports are accepted whenever the test runs.
    // It must start after any C policy other suites sharing this database have stored.
    const [{ after }] = await db.query(`SELECT to_char(greatest(max(effective_from) + 1, '2097-01-01'), 'YYYY-MM-DD') AS after FROM observation_policy WHERE category = 'C'`);
    const policy = await as.supervisor!.post('/observation-policies')
      .send({ category: 'C', effectiveFrom: after, rules: ALL_DAY_RULES })
      .expect(201);
    await as.homeWorker.post(`/observations/${numbers.home}/policy`).send({ policyId: policy.body.id, by: '李社工' }).expect(403);
    await as.homeSupervisor.post(`/observations/${numbers.home}/policy`).send({ policyId: policy.body.id, by: '王主任' }).expect(200);
    await eventually(() => db.query(`SELECT policy_id FROM observation WHERE number = $1`, [numbers.home]), (rows) => rows[0].policy_id === policy.body.id, { what: 'the policy move recorded', timeoutMs: 10_000, intervalMs: 100 });
  }, { config });

  describe('every route', () => {
    it('is public, or declares its roles and its jurisdiction rule (a route without both is refused to everyone)', () => {
      const routes = routesOf(api);
      expect(routes.length).toBeGreaterThan(90);
      const undeclared = routes.filter((r) => !r.isPublic && (!r.roles?.length || !r.rule)).map((r) => `${r.method} ${r.path}`);
      expect(undeclared).toEqual([]);
      expect(routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
        [
          'GET /dashboard',
          'GET /dashboard/assets/:name',
          // The web front end's files (README "Web front end").
          'GET /app',
          'GET /app/:name',
          'GET /app/:area/:name',
          'GET /app/trips/:runId/:tripId',
          'GET /health',
          'GET /metrics',
          'POST /auth/login',
          'POST /dispatch/events',
          // The person under observation, by their report link (README "Self-reporting").
          'GET /r/:token',
          'GET /self-report/assets/:name',
          'GET /self-report/:token',
          'POST /self-report/:token/reports',
        ].sort(),
      );
    });

    it('declares its login in the OpenAPI document: the bearer token, or none where it is public', async () => {
      const document = (await anonymous.get('/docs-json').expect(200)).body;
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const wrong = routesOf(api)
        .map((r) => ({ r, operation: document.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()] }))
        // Pages (the dashboard) are not operations of the document.
        .filter(({ operation }) => operation !== undefined)
        .filter(({ r, operation }) => JSON.stringify(operation.security) !== JSON.stringify(r.isPublic ? [] : [{ bearer: [] }]))
        .map(({ r, operation }) => `${r.method} ${r.path}: ${JSON.stringify(operation.security)}`);
      expect(wrong).toEqual([]);
    });

    it('answers 401 without a login and 403 naming the role to every role it does not allow', async () => {
      const failures: string[] = [];
      for (const route of routesOf(api).filter((r) => !r.isPublic)) {
        const url = route.path.replace(/:[A-Za-z]+/g, 'x');
        const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
        const unauthenticated = await anonymous[method](url).send({});
        if (unauthenticated.status !== 401) failures.push(`${route.method} ${route.path} without login: ${unauthenticated.status}`);
        for (const role of ROLES.filter((r) => !route.roles!.includes(r))) {
          const response = await as[role]![method](url).send({});
          if (response.status !== 403 || !String(response.body.detail).includes(`a ${role} may not`)) {
            failures.push(`${route.method} ${route.path} as ${role}: ${response.status} ${response.body.detail}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  });

  describe('roles', () => {
    it('a dispatcher cannot release a person early, a community worker cannot either, a supervisor of the subdistrict can', async () => {
      const endEarly = { reason: 'moved_away', by: '王主任' };
      const dispatcher = await as.homeDispatcher!.post(`/observations/${numbers.next}/early-end`).send(endEarly).expect(403);
      expect(dispatcher.body.detail).toContain('a dispatcher may not POST /observations/:number/early-end');
      await as.homeWorker!.post(`/observations/${numbers.home}/early-end`).send(endEarly).expect(403);
      await as.farSupervisor!.post(`/observations/${numbers.next}/early-end`).send(endEarly).expect(403);
      const released = await as.homeSupervisor!.post(`/observations/${numbers.next}/early-end`).send(endEarly).expect(200);
      expect(released.body.status).toBe('ended');
    });

    it('a community worker takes the measures ladder up to a guard; centralized quarantine, which ends the observation, needs a supervisor', async () => {
      const number = (await enrol(as.homeWorker!, home).expect(201)).body.observationNumber;
      const step = (http: Http, measure: string) => http.post(`/observations/${number}/measures`).send({ measure, by: '李社工' });
      await step(as.homeWorker!, 'warning_talk').expect(200);
      await step(as.homeWorker!, 'guard_posted').expect(200);
      const refused = await step(as.homeWorker!, 'centralized_quarantine').expect(403);
      expect(refused.body.detail).toBe('centralized quarantine ends the observation and needs a supervisor, as early-end does');
      // The supervisor may: the step fetches the person instead of ending the observation. Whether a
      // pick-up starts depends on the vehicles other tests left in the subdistrict (with none, the step
      // stays the next one); both outcomes: test/transfer/pickup.*.test.ts.
      const taken = await step(as.homeSupervisor!, 'centralized_quarantine').expect(200);
      expect(['active', 'awaiting_pickup']).toContain(taken.body.status);
      expect(taken.body.measuresTaken.slice(0, 2)).toEqual(['warning_talk', 'guard_posted']);
    });

    it('an admin keeps accounts but reads no one’s observation', async () => {
      await as.admin!.get(`/observations/${numbers.home}`).expect(403);
      await as.admin!.get('/users').expect(200);
      await as.supervisor!.get('/users').expect(403);
    });

    it('lists accounts a page at a time, by username, with how many there are in all', async () => {
      const first = await as.admin!.get('/users?pageSize=2').expect(200);
      expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: expect.any(Number) });
      expect(first.body.total).toBeGreaterThan(2);
      expect(first.body.items).toHaveLength(2);
      const second = await as.admin!.get('/users?page=2&pageSize=2').expect(200);
      const names = [...first.body.items, ...second.body.items].map((user: { username: string }) => user.username.toLowerCase());
      expect(names).toEqual([...names].sort());
      expect(new Set(names).size).toBe(names.length);
      expect(first.body.items[0]).toMatchObject({ id: expect.any(String), role: expect.any(String), lockouts: expect.any(Array), createdAt: expect.stringMatching(/Z$/) });
      await as.admin!.get('/users?pageSize=0').expect(422);
    });

    it('only a supervisor closes a person’s transfer with a terminal disposition', async () => {
      const runId = `run-${tag}`;
      await db.query(
        `INSERT INTO transfer_run (id, kind, status, sorting_point_id, dispatcher, supervisor, resources, input, subdistrict) VALUES ($1, 'standard', 'running', 'sp', 'd', 's', '{}', '{}', 'XYL')`,
        [runId],
      );
      const close = await as.homeDispatcher!.post(`/transfer-runs/${runId}/exceptions/e1/decision`).send({ decision: 'close', closedAs: 'did_not_arrive', by: '赵调度' }).expect(403);
      expect(close.body.detail).toContain('needs a supervisor');
    });
  });

  describe('jurisdictions', () => {
    it('a community worker enrols, reads and reports in their own community only', async () => {
      const outside = await enrol(as.homeWorker!, next).expect(403);
      expect(outside.body.detail).toContain(`community ${next.community} of subdistrict XYL, outside your jurisdiction (community ${home.community}`);
      await as.homeWorker!.get(`/observations/${numbers.home}`).expect(200);
      await as.homeWorker!.post(`/observations/${numbers.home}/reports`).send({ temperature: 36.6 }).expect(201);
      const foreign = await as.homeWorker!.get(`/observations/${numbers.elsewhere}`).expect(403);
      expect(foreign.body.detail).toContain(`observation ${numbers.elsewhere} belongs to community ${elsewhere.community} of subdistrict QTL`);
      await as.homeWorker!.post(`/observations/${numbers.next}/reports`).send({ temperature: 36.6 }).expect(403);
      await as.homeWorker!.get(`/observations/${numbers.next}/tracking-log`).expect(403);

      const list = await as.homeWorker!.get('/observations?pageSize=500').expect(200);
      expect(new Set(list.body.items.map((o: { community: string }) => o.community))).toEqual(new Set([home.community]));
      const asked = await as.homeWorker!.get(`/observations?community=${next.community}`).expect(403);
      expect(asked.body.detail).toContain(`community ${next.community} is outside your jurisdiction`);
      const summary = await as.homeWorker!.get('/dashboard/summary').expect(200);
      expect(summary.body.jurisdictions.map((j: { community: string }) => j.community)).toEqual([home.community]);
    });

    it('a subdistrict supervisor sees their subdistrict, not another; a district supervisor sees all', async () => {
      await as.homeSupervisor!.get(`/observations/${numbers.home}`).expect(200);
      await as.farSupervisor!.get(`/observations/${numbers.home}`).expect(403);
      await as.farSupervisor!.get(`/observations/${numbers.elsewhere}`).expect(200);
      await as.supervisor!.get(`/observations/${numbers.elsewhere}`).expect(200);
      const list = await as.farSupervisor!.get('/observations?pageSize=500').expect(200);
      expect(list.body.items.every((o: { subdistrict: string }) => o.subdistrict === 'QTL')).toBe(true);
      await as.farSupervisor!.get('/observations?subdistrict=XYL').expect(403);
    });

    it('district-level records (policies, the district fleet) are changed by district-wide people only', async () => {
      const policy = await as.homeSupervisor!.post('/observation-policies').send({ category: 'C', effectiveFrom: '2030-01-01', rules: {} }).expect(403);
      expect(policy.body.detail).toContain('acts on the whole district');
      await as.homeDispatcher!.post('/transfer/vehicles').send({ id: `V-${tag}`, plate: `京A${tag}`, seats: 7, driverName: '李师傅', driverContact: '13800000000' }).expect(403);
      await as.homeDispatcher!.get('/transfer/vehicles').expect(200);
      await as.dispatcher!.post('/transfer/vehicles').send({ id: `V-${tag}`, plate: `京A${tag}`, seats: 7, driverName: '李师傅', driverContact: '13800000000' }).expect(201);
    });

    it('posts and shifts belong to the subdistrict that runs them', async () => {
      const post = { id: `gate-${tag}`, kind: 'community_gate', name: 'Gate', jurisdiction: home.community, requirements: { peace: [{ skill: 'gate', headcount: 1 }], war: [{ skill: 'gate', headcount: 2 }] }, supervisor: 'sup' };
      const created = await as.homeSupervisor!.post('/roster/posts').send(post).expect(200);
      expect(created.body.id).toBe(post.id);
      const [{ subdistrict }] = await db.query(`SELECT subdistrict FROM roster_post WHERE id = $1`, [post.id]);
      expect(subdistrict).toBe('XYL');
      await as.homeDuty!.get(`/roster/posts/${post.id}`).expect(200);
      await as.farDuty!.get(`/roster/posts/${post.id}`).expect(403);
      // Moving someone else's post into one's own subdistrict is refused: the post as it is counts too.
      await as.farSupervisor!.post('/roster/posts').send({ ...post, subdistrict: 'QTL' }).expect(403);
      await as.farSupervisor!.get(`/jurisdictions/${home.community}/mode`).expect(403);
    });

    it('refuses another jurisdiction’s record on every route with a record id, whatever the case it is written in', async () => {
      // One record of every kind, in subdistrict QTL.
      const far = (x: string) => `qtl-${x}-${tag}`;
      const staff = far('staff');
      await db.query(`INSERT INTO roster_staff (id, name, role) VALUES ($1, 'Far', 'guard')`, [staff]);
      await db.query(`INSERT INTO roster_post (id, kind, name, jurisdiction, requirements, pattern, supervisor, subdistrict) VALUES ($1, 'community_gate', 'Far gate', $2, '{}', '{}', 'sup', 'QTL')`, [far('post'), elsewhere.community]);
      const [{ id: plan }] = await db.query(
        `INSERT INTO roster_plan (from_date, to_date, post_ids, state, seats, assignments, unfilled, stats, created_by) VALUES ('2031-01-01', '2031-01-01', $1, 'draft', '[]', '[]', '[]', '{}', 'sup') RETURNING id`,
        [[far('post')]],
      );
      await db.query(
        `INSERT INTO roster_shift (id, post_id, jurisdiction, shift_date, slot, seat_no, mode, start_at, end_at, staff_id, status, duty_state)
         VALUES ($1, $2, $3, '2031-01-01', 0, 0, 'peace', '2031-01-01T00:00:00Z', '2031-01-01T08:00:00Z', $4, 'planned', 'scheduled')`,
        [far('shift'), far('post'), elsewhere.community, staff],
      );
      const [{ id: request }] = await db.query(`INSERT INTO roster_request (kind, shift_id, staff_id, requested_by, state) VALUES ('open_shift', $1, $2, 'x', 'pending') RETURNING id`, [far('shift'), staff]);
      const [{ id: importJob }] = await db.query(`INSERT INTO import_job (file_name, state, requested_by, subdistrict, community) VALUES ('far.csv', 'done', 'x', 'QTL', $1) RETURNING id`, [elsewhere.community]);
      await db.query(`INSERT INTO transfer_run (id, kind, status, sorting_point_id, dispatcher, supervisor, resources, input, subdistrict) VALUES ($1, 'standard', 'completed', 'sp', 'd', 's', '{}', '{}', 'QTL')`, [far('run')]);
      await db.query(
        `INSERT INTO transfer_traveller (run_id, traveller_id, row_number, name, document_type, document_number, arrival_time, disposition, destination_id, status)
         VALUES ($1, 'T001', 1, 'Far', 'resident_id', 'x', now(), 'home_observation', 'd', 'handed_over')`,
        [far('run')],
      );
      await db.query(
        `INSERT INTO transfer_trip (run_id, trip_id, vehicle_id, escort_ids, destination_id, traveller_ids, depart_at, arrive_at, return_at, leg)
         VALUES ($1, $2, 'v', '[]', 'd', '["T001"]', now(), now(), now(), 'completed')`,
        [far('run'), far('trip')],
      );
      const [{ id: handOver }] = await db.query(`INSERT INTO incoming_hand_over (run_id, traveller_id, subdistrict, community) VALUES ($1, 'T001', 'QTL', $2) RETURNING id`, [far('run'), elsewhere.community]);
      await db.query(`INSERT INTO transfer_destination (id, kind, name, travel_minutes, capacity, receiver, subdistrict, community) VALUES ($1, 'hotel', 'Far hotel', 30, 1, 'desk', 'QTL', $2)`, [far('hotel'), elsewhere.community]);
      const [{ id: stay }] = await db.query(
        `INSERT INTO centralized_quarantine (client_request_id, hotel_id, name, document_type, document_number, arrival_date, run_id, traveller_id) VALUES ($1, $2, 'Far', 'resident_id', 'x', current_date, $3, 'T001') RETURNING id`,
        [far('admission'), far('hotel'), far('run')],
      );
      await db.query(`INSERT INTO quarantine_stay (id, hotel_id, room, subdistrict, community, anchor_date, status) VALUES ($1, $2, 1, 'QTL', $3, current_date, 'in_room')`, [stay, far('hotel'), elsewhere.community]);
      const farRecord: Record<string, string> = {
        observation: numbers.elsewhere,
        'import-job': importJob,
        post: far('post'),
        plan,
        shift: far('shift'),
        'shift-request': request,
        'mode-jurisdiction': elsewhere.community,
        'transfer-run': far('run'),
        // A run's trip, for those who run it, lies where the run does (its receivers: test/transfer/receiver-hand-over.test.ts; its crew: trip-crew.test.ts).
        trip: far('run'),
        'incoming-hand-over': handOver,
        stay,
      };
      const homeActors = [as.homeSupervisor!, as.homeDispatcher!, as.homeDuty!, as.homeWorker!];
      const homeRoles: Role[] = ['supervisor', 'dispatcher', 'duty_staff', 'community_worker'];
      const routes = routesOf(api).filter((r) => r.rule?.kind === 'record' && r.rule.from === 'param');
      expect(new Set(routes.map((r) => (r.rule as { record: string }).record))).toEqual(new Set(Object.keys(farRecord)));
      const failures: string[] = [];
      for (const route of routes) {
        const { record, key } = route.rule as { record: string; key: string };
        const caller = homeActors[homeRoles.findIndex((role) => route.roles!.includes(role))];
        for (const id of [farRecord[record], farRecord[record].toUpperCase()]) {
          const url = route.path.replace(`:${key}`, encodeURIComponent(id)).replace(':runId', farRecord['transfer-run']).replace(/:[A-Za-z]+/g, 'x');
          const response = await caller[route.method.toLowerCase() as 'get' | 'post'](url).send({});
          // The guard answers: 403 where it places the record (a uuid in any case; a trip, for those who
          // run transfers, where its run lies), 404 where nothing is there.
          const expected = id === farRecord[record] || parseUuid(id) ? 403 : 404;
          if (response.status !== expected) failures.push(`${route.method} ${url}: ${response.status} ${response.body.detail}, expected ${expected}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('a dispatcher sees the runs of their subdistrict only', async () => {
      const runId = `far-run-${tag}`;
      await db.query(
        `INSERT INTO transfer_run (id, kind, status, sorting_point_id, dispatcher, supervisor, resources, input, subdistrict) VALUES ($1, 'standard', 'completed', 'sp', 'd', 's', '{}', '{}', 'QTL')`,
        [runId],
      );
      await as.homeDispatcher!.get(`/transfer-runs/${runId}`).expect(403);
      const list = await as.homeDispatcher!.get('/transfer-runs?pageSize=200').expect(200);
      expect(list.body.items.map((r: { id: string }) => r.id)).not.toContain(runId);
    });
  });

  describe('logins', () => {
    const password = 'correct horse battery';
    const account = async (username: string) => api.get(UsersService).create({ username, displayName: username, password, role: 'community_worker', ...home });

    it('locks an account after 5 wrong passwords in a row, and an admin unlocks it', async () => {
      const user = await account(`lock-${tag}`);
      for (let i = 0; i < 4; i++) {
        const wrong = await anonymous.post('/auth/login').send({ username: user.username, password: 'wrong password' }).expect(401);
        expect(wrong.body.detail).toBe('wrong username or password');
      }
      const locked = await anonymous.post('/auth/login').send({ username: user.username, password: 'wrong password' }).expect(423);
      expect(locked.body.detail).toMatch(/locked until/);
      await anonymous.post('/auth/login').send({ username: user.username, password }).expect(423);
      await as.admin!.patch(`/users/${user.id}`).send({ unlock: true }).expect(200);
      await anonymous.post('/auth/login').send({ username: user.username, password }).expect(200);
      const unknown = await anonymous.post('/auth/login').send({ username: `nobody-${tag}`, password }).expect(401);
      expect(unknown.body.detail).toBe('wrong username or password');
      await anonymous.post('/auth/login').send({ username: user.username }).expect(422);
    });

    const loginFrom = (address: string, username: string, pw: string) => anonymous.post('/auth/login').set('x-forwarded-for', address).send({ username, password: pw });
    /** Client addresses of this run's own (an IPv6 client counts by its /64, which is how the API shows it). */
    const block = parseInt(tag.slice(0, 4), 16).toString(16);
    const client = (n: number) => `2001:db8:${block}:${n}::1`;
    const counted = (n: number) => `2001:db8:${block}:${n}::/64`;

    it('holds the lock against 30 concurrent logins, 29 wrong and one right, per account and address', async () => {
      const user = await account(`race-${tag}`);
      const attempts = Array.from({ length: 30 }, (_, i) => (i === 17 ? password : `wrong ${i}`));
      const answers = await Promise.all(attempts.map((pw) => loginFrom(client(1), user.username, pw)));
      const wrong = answers.filter((_, i) => i !== 17).map((a) => a.status);
      expect(new Set(wrong)).toEqual(new Set([401, 423]));
      expect([200, 423]).toContain(answers[17].status);
      // Five wrong in a row lock; a right one that came first starts the count again, at most once.
      expect(wrong.filter((s) => s === 401).length).toBeLessThanOrEqual(answers[17].status === 200 ? 8 : 4);

      const shown = await as.admin!.get(`/users/${user.id}`).expect(200);
      expect(Date.parse(shown.body.lockedUntil)).toBeGreaterThan(Date.now() + (config.auth.lockoutSeconds - 60) * 1000);
      expect(shown.body.lockouts).toEqual([{ address: counted(1), lockedUntil: shown.body.lockedUntil }]);
      const locked = await loginFrom(client(1), user.username, password).expect(423);
      expect(locked.body.lockedUntil).toBe(new Date(shown.body.lockedUntil).toISOString());
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(config.auth.lockoutSeconds - 60);
      // Locked from one address, the account still logs in from another: nobody elsewhere can keep it out.
      await loginFrom(client(2), user.username, password).expect(200);
      await loginFrom(client(1), user.username, password).expect(423);
      // When the lock ends, the right password logs in again (the address's 29 failures, counted over the same time, are over by then too).
      await db.query(`UPDATE login_lockout SET locked_until = now() - interval '1 second' WHERE username = lower($1)`, [user.username]);
      await db.query(`UPDATE login_address SET window_started_at = window_started_at - make_interval(secs => $2) WHERE address = $1`, [counted(1), config.auth.lockoutSeconds]);
      await loginFrom(client(1), user.username, password).expect(200);
    });

    it('answers an unknown username exactly as a known one, lock included', async () => {
      const user = await account(`known-${tag}`);
      const answersFor = async (username: string) => {
        const answers: string[] = [];
        for (let i = 0; i < 6; i++) {
          const r = await loginFrom(client(3), username, 'wrong password');
          answers.push(`${r.status} ${String(r.body.detail).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, '<time>')}`);
        }
        return answers;
      };
      const known = await answersFor(user.username);
      expect(known).toEqual([...Array(4).fill('401 wrong username or password'), ...Array(2).fill('423 too many failed logins: the account is locked until <time>')]);
      expect(await answersFor(`unknown-${tag}`)).toEqual(known);
    });

    it('throttles an address after too many failed logins, whatever the usernames', async () => {
      const user = await account(`throttled-${tag}`);
      for (let i = 0; i < config.auth.maxFailedLoginsPerAddress; i++) await loginFrom(client(4), `sprayed-${tag}-${i}`, 'Password1').expect(401);
      const throttled = await loginFrom(client(4), user.username, password).expect(429);
      expect(throttled.body.detail).toMatch(/too many failed logins from your address: try again after/);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      await loginFrom(client(5), user.username, password).expect(200);
    });

    it('ends a login on logout, on a password change and when the account is disabled', async () => {
      const user = await account(`ends-${tag}`);
      const login = async () => (await anonymous.post('/auth/login').send({ username: user.username, password }).expect(200)).body.accessToken as string;
      let token = await login();
      // Who is logged in, with the jurisdiction's time zone the pages show every time in.
      expect((await httpAs(api, token).get('/auth/me').expect(200)).body).toMatchObject({ username: user.username, timeZone: config.timeZone });
      await httpAs(api, token).post('/auth/logout').expect(204);
      const ended = await httpAs(api, token).get('/auth/me').expect(401);
      expect(ended.body.detail).toContain('log in again');

      token = await login();
      await httpAs(api, token).post('/auth/password').send({ currentPassword: password, newPassword: 'short' }).expect(422);
      await httpAs(api, token).post('/auth/password').send({ currentPassword: password, newPassword: `${password} 2` }).expect(204);
      await httpAs(api, token).get('/auth/me').expect(401);
      await api.get(UsersService).update(user.id, { password });

      token = await login();
      await as.admin!.patch(`/users/${user.id}`).send({ active: false }).expect(200);
      await httpAs(api, token).get('/auth/me').expect(401);
      await anonymous.post('/auth/login').send({ username: user.username, password }).expect(403);
      await anonymous.get('/auth/me').set('authorization', 'Bearer not-a-token').expect(401);
    });

    it('accepts the session cookie for reads, not for commands (no cross-site request forgery)', async () => {
      const user = await account(`cookie-${tag}`);
      const login = await anonymous.post('/auth/login').send({ username: user.username, password }).expect(200);
      const cookie = login.headers['set-cookie'] as unknown as string[];
      expect(cookie[0]).toMatch(/^epi_session=.+HttpOnly.+SameSite=Strict/);
      await anonymous.get('/auth/me').set('Cookie', cookie).expect(200);
      await anonymous.post(`/observations/${numbers.home}/reports`).set('Cookie', cookie).send({ temperature: 36.5 }).expect(401);
    });

    it('validates new accounts, naming the field', async () => {
      const worker = await as.admin!.post('/users').send({ username: `w-${tag}`, displayName: 'W', password: 'long enough pw', role: 'community_worker', subdistrict: 'XYL' }).expect(422);
      expect(worker.body.errors).toEqual([{ field: 'community', reason: 'is required for a community worker' }]);
      const role = await as.admin!.post('/users').send({ username: `r-${tag}`, displayName: 'R', password: 'long enough pw', role: 'mayor' }).expect(422);
      expect(role.body.errors[0].field).toBe('role');
      await as.admin!.post('/users').send({ username: `d-${tag}`, displayName: 'D', password: 'long enough pw', role: 'dispatcher', subdistrict: 'XYL' }).expect(201);
      await as.admin!.post('/users').send({ username: `D-${tag}`, displayName: 'D', password: 'long enough pw', role: 'dispatcher' }).expect(409);
    });

    it('keeps an account’s contacts, language and channels; a medical desk has a subdistrict, a receiver a destination', async () => {
      const user = (fields: object) => as.admin!.post('/users').send({ username: `c-${randomUUID().slice(0, 8)}`, displayName: 'C', password: 'long enough pw', ...fields });
      expect((await user({ role: 'medical' }).expect(422)).body.errors).toEqual([{ field: 'subdistrict', reason: 'is required for a medical desk' }]);
      expect((await user({ role: 'receiver' }).expect(422)).body.errors).toEqual([{ field: 'destinationId', reason: 'is required for a receiver' }]);
      expect((await user({ role: 'receiver', destinationId: `nowhere-${tag}` }).expect(422)).body.errors).toEqual([{ field: 'destinationId', reason: `no destination nowhere-${tag}` }]);
      expect((await user({ role: 'supervisor', destinationId: 'X' }).expect(422)).body.errors).toEqual([{ field: 'destinationId', reason: 'is only for a receiver' }]);
      expect((await user({ role: 'supervisor', channels: ['sms', 'email'] }).expect(422)).body.errors).toEqual([
        { field: 'mobile', reason: 'is required for the sms channel' },
        { field: 'email', reason: 'is required for the email channel' },
      ]);
      expect((await user({ role: 'supervisor', mobile: '12345', email: 'nope' }).expect(422)).body.errors.map((e: { field: string }) => e.field)).toEqual(['mobile', 'email']);
      expect((await user({ role: 'supervisor', language: 'fr' }).expect(422)).body.errors[0].field).toBe('language');
      expect((await user({ role: 'supervisor', channels: ['fax'] }).expect(422)).body.errors[0].field).toBe('channels');

      const created = await user({ role: 'medical', subdistrict: 'xyl', mobile: '138 0013 8000', email: 'desk@xyl.example', language: 'en', channels: ['sms'] }).expect(201);
      expect(created.body).toMatchObject({ role: 'medical', subdistrict: 'XYL', mobile: '13800138000', email: 'desk@xyl.example', language: 'en', channels: ['sms'], destinationId: null });
      const changed = await as.admin!.patch(`/users/${created.body.id}`).send({ language: 'zh-CN', channels: ['sms', 'email'] }).expect(200);
      expect(changed.body).toMatchObject({ language: 'zh-CN', channels: ['sms', 'email'], mobile: '13800138000' });
      // Dropping the mobile while SMS is wanted is refused; dropping both works.
      await as.admin!.patch(`/users/${created.body.id}`).send({ mobile: null }).expect(422);
      expect((await as.admin!.patch(`/users/${created.body.id}`).send({ mobile: null, channels: ['email'] }).expect(200)).body).toMatchObject({ mobile: null, channels: ['email'] });
    });
  });

  describe('audit log', () => {
    it('records every command, accepted or refused: who, what, when, which record, from where', async () => {
      await as.homeWorker!.post(`/observations/${numbers.home}/reports`).set('x-request-id', `audit-${tag}`).send({ temperature: 36.7 }).expect(201);
      await as.homeWorker!.post(`/observations/${numbers.elsewhere}/reports`).send({ temperature: 36.7 }).expect(403);
      await anonymous.post('/auth/login').send({ username: `ghost-${tag}`, password: 'x' }).expect(401);

      const mine = await as.supervisor!.get(`/audit?recordId=${numbers.home}&action=reports`).expect(200);
      const row = mine.body.items.find((r: { requestId: string }) => r.requestId === `audit-${tag}`);
      expect(row).toMatchObject({ action: 'POST /observations/:number/reports', recordType: 'observation', recordId: numbers.home, status: 201, actorRole: 'community_worker', subdistrict: 'XYL', community: home.community });
      expect(row.actor).toMatch(/^community_worker-/);
      expect(row.ip).toBeTruthy();
      expect(Date.parse(row.at)).toBeGreaterThan(Date.now() - 60_000);
      const refused = await as.supervisor!.get(`/audit?recordId=${numbers.elsewhere}&action=reports`).expect(200);
      expect(refused.body.items.map((r: { status: number }) => r.status)).toContain(403);
      const ghost = await as.supervisor!.get(`/audit?actor=ghost-${tag}`).expect(200);
      expect(ghost.body.items[0]).toMatchObject({ action: 'POST /auth/login', status: 401, actorId: null });

      // A subdistrict supervisor reads the log of their subdistrict; a community worker not at all.
      const far = await as.farSupervisor!.get(`/audit?recordId=${numbers.home}`).expect(200);
      expect(far.body.items).toEqual([]);
      await as.homeWorker!.get('/audit').expect(403);
      await as.supervisor!.get('/audit?limit=0').expect(422);
    });

    it('keeps every row of a burst (rows arriving together share one INSERT, each caller waits for its own)', async () => {
      const burst = Array.from({ length: 40 }, (_, i) => `burst-${tag}-${i}`);
      await Promise.all(burst.map((id) => as.homeWorker!.post(`/observations/${numbers.home}/reports`).set('x-request-id', id).send({ temperature: 36.4 }).expect(201)));
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE request_id = ANY($1::text[]) AND status = 201`, [burst]);
      expect(n).toBe(burst.length);
    });
    // Changed or deleted directly in PostgreSQL: refused, test/foundation/database-roles.test.ts.
  });
});
