/**
 * The roster API against the real dev server and PostgreSQL: posts and staff, planning and
 * publishing, bad input as clear 4xx, swap and open-shift requests, the peace/war switch, and the
 * roll-forward schedule triggered for real.
 */
import { INestApplication } from '@nestjs/common';
import { Client, ServiceError, type WorkflowClientInterceptor } from '@temporalio/client';
import { Http, httpAs, signIn, supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { ROSTER_SCHEDULE_ID } from '../../apps/api/roster/roster.service';
import { clientOn } from '../../libs/temporal/connection';
import { ShiftFollower } from '../../libs/roster/shift-follower';
import { reconcilerWorkflow } from '../../workflows/system/reconciler.workflow';
import { shiftWorkflowId } from '../../workflows/roster/shift.messages';
import { rosterPlanWorkflow, rosterPlanWorkflowId } from '../../workflows/roster/roster-plan.workflow';
import { addDays, localDate, localTime } from '../../libs/domain/local-time';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { rosterServices, solvedPlan, uniqueTag } from './roster-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

const OFFSET = 480;

describe('roster API (dev server, embedded PostgreSQL)', () => {
  const config = testConfig();
  let api: INestApplication;
  let db: DataSource;
  let client: Client;
  const tag = uniqueTag();
  const skill = `gate-${tag}`;
  const gate = `gate-${tag}`;
  const clinic = `clinic-${tag}`;
  const jurisdiction = `community-${tag}`;
  const staff = ['p', 'q', 'r', 's'].map((s) => `${s}-${tag}`);
  // Read when used: a run can cross the local midnight.
  const tomorrow = () => addDays(localDate(Date.now(), OFFSET), 1);
  let supervisor: Http;
  const http = () => supervisor;

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    supervisor = await supervisorHttp(api);

    await http()
      .post('/roster/posts')
      .send({ id: gate, kind: 'community_gate', name: `Gate ${tag}`, jurisdiction, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] }, supervisor: `sup-${tag}`, onCall: [] })
      .expect(200);
    // A post whose medic seat nobody can take: its seats are reported unfilled, never dropped.
    await http()
      .post('/roster/posts')
      .send({ id: clinic, kind: 'on_call_desk', name: `Clinic ${tag}`, jurisdiction, requirements: { peace: [{ skill: `medic-${tag}`, headcount: 1 }], war: [{ skill: `medic-${tag}`, headcount: 1 }] }, pattern: [{ start: '08:00', hours: 8 }], supervisor: `sup-${tag}` })
      .expect(200);
    for (const [i, id] of staff.entries()) {
      // Each has their own mobile: their notices are addressed to it.
      await http().post('/roster/staff').send({ id, name: `Staff ${id}`, role: 'guard', skills: [skill], mobile: `1390${String(Date.now() % 1e6).padStart(6, '0')}${i}` }).expect(200);
    }
  }, { config });

  /** A post of its own (its own skill and community) and `people` staff with that skill; three 8-hour shifts a day unless `pattern` says otherwise. */
  async function postWithStaff(name: string, people: number, pattern?: Array<{ start: string; hours: number }>) {
    const post = `${name}-${tag}`;
    const requirements = { peace: [{ skill: post, headcount: 1 }], war: [{ skill: post, headcount: 1 }] };
    await http().post('/roster/posts').send({ id: post, kind: 'community_gate', name: `${name} ${tag}`, jurisdiction: `${jurisdiction}-${name}`, requirements, pattern, supervisor: `sup-${tag}`, onCall: [] }).expect(200);
    const staff = [];
    for (let i = 0; i < people; i++) {
      const member = { id: `${name}-${i}-${tag}`, name: `Staff ${name} ${i}`, role: 'guard', skills: [post], mobile: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` };
      await http().post('/roster/staff').send(member).expect(200);
      staff.push(member);
    }
    return { post, staff };
  }

  /** A client of the test's connection with `interceptor` on its workflow calls (a fault or a change injected). */
  const clientWith = (interceptor: WorkflowClientInterceptor) => clientOn(client.connection, config.temporal, interceptor);

  async function publishedShifts(postId: string) {
    return (await http().get('/shifts').query({ postId, pageSize: 500 }).expect(200)).body.items.filter((s: { status: string }) => s.status === 'published');
  }

  it('documents the answer of every roster operation in the OpenAPI document', async () => {
    const document = (await http().get('/docs-json').expect(200)).body;
    const operations = Object.entries(document.paths as Record<string, Record<string, { tags?: string[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>).flatMap(
      ([path, methods]) => Object.entries(methods).filter(([, operation]) => operation.tags?.includes('rosters')).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations).toHaveLength(26);
    const undocumented = operations
      .filter(({ operation }) => {
        const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
        return !success.length || success.some(([, response]) => !response.content?.['application/json']?.schema);
      })
      .map(({ name }) => name);
    expect(undocumented).toEqual([]);
  });

  it('answers posts and staff as stored: camelCase fields, instants as ISO 8601 UTC strings', async () => {
    expect((await http().get(`/roster/posts/${gate}`).expect(200)).body).toEqual({
      id: gate,
      kind: 'community_gate',
      name: `Gate ${tag}`,
      location: '',
      jurisdiction,
      subdistrict: null,
      requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] },
      pattern: [{ start: '00:00', hours: 8 }, { start: '08:00', hours: 8 }, { start: '16:00', hours: 8 }],
      supervisor: `sup-${tag}`,
      onCall: [],
      // Only a guard post (the "guard posted" measure) has an observation and closes.
      observationNumber: null,
      closedAt: null,
      closeReason: null,
    });
    const member = { id: `leave-${tag}`, name: '请假', role: 'volunteer', skills: [`none-${tag}`], unavailable: [{ start: '2026-12-01T00:00:00+08:00', end: '2026-12-02T00:00:00+08:00' }], maxHoursPerWeek: 40 };
    expect((await http().post('/roster/staff').send(member).expect(200)).body).toEqual({
      ...member,
      unavailable: [{ start: '2026-11-30T16:00:00.000Z', end: '2026-12-01T16:00:00.000Z' }],
      avoidNights: false,
      preferredPostIds: [],
    });
  });

  it('lists shifts a page at a time, with the total, never cut short', async () => {
    // A post of its own, its seats unfilled (nobody has the skill), so the other tests' rosters stay as they are.
    const paged = `paged-${tag}`;
    const need = [{ skill: `nobody-${tag}`, headcount: 1 }];
    await http().post('/roster/posts').send({ id: paged, kind: 'community_gate', name: paged, jurisdiction: `paged-${tag}`, requirements: { peace: need, war: need }, supervisor: `sup-${tag}` }).expect(200);
    const plan = await solvedPlan(http(), { from: tomorrow(), to: addDays(tomorrow(), 1), postIds: [paged], by: 'sup' });
    await http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    const date = addDays(tomorrow(), 1);
    const first = await http().get('/shifts').query({ postId: paged, date, pageSize: 2 }).expect(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(first.body.items.map((s: { slot: number }) => s.slot)).toEqual([0, 1]);
    const second = await http().get('/shifts').query({ postId: paged, date, pageSize: 2, page: 2 }).expect(200);
    expect(second.body.items.map((s: { slot: number; startAt: string }) => [s.slot, s.startAt])).toEqual([[2, expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/)]]);
    await http().get('/shifts').query({ pageSize: 501 }).expect(422);
  });

  it("links a staff member to their login, whose shifts are then listed as 'mine'", async () => {
    const own = `mine-${tag}`;
    const need = [{ skill: own, headcount: 1 }];
    await http().post('/roster/posts').send({ id: own, kind: 'community_gate', name: own, jurisdiction: `mine-${tag}`, requirements: { peace: need, war: need }, supervisor: `sup-${tag}` }).expect(200);
    const duty = httpAs(api, await signIn(api, 'duty_staff'));
    const other = httpAs(api, await signIn(api, 'duty_staff'));
    const me = (await duty.get('/auth/me').expect(200)).body.userId;
    const member = { id: `mine-${tag}`, name: 'Mine', role: 'guard', skills: [own] };
    expect((await http().post('/roster/staff').send({ ...member, accountId: '7d0c3c1e-0000-4000-8000-000000000000' }).expect(422)).body.errors).toEqual([
      { field: 'accountId', reason: 'no account 7d0c3c1e-0000-4000-8000-000000000000' },
    ]);
    expect((await http().post('/roster/staff').send({ ...member, accountId: me }).expect(200)).body.accountId).toBe(me);
    expect((await http().post('/roster/staff').send({ ...member, id: `twin-${tag}`, accountId: me }).expect(409)).body.errors).toEqual([{ field: 'accountId', reason: 'is linked to another staff member' }]);
    const plan = await solvedPlan(http(), { from: tomorrow(), to: tomorrow(), postIds: [own], by: 'sup' });
    await http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);

    const mine = await duty.get('/shifts').query({ mine: 'true', pageSize: 50 }).expect(200);
    expect(mine.body.total).toBeGreaterThan(0);
    // Each with who holds it by name, as the pages show it.
    expect(new Set(mine.body.items.map((s: { staffId: string; staffName: string }) => `${s.staffId} ${s.staffName}`))).toEqual(new Set([`${member.id} ${member.name}`]));
    expect((await other.get('/shifts').query({ mine: 'true' }).expect(200)).body.total).toBe(0);
    expect((await duty.get('/shifts').query({ mine: 'yes' }).expect(422)).body.errors[0].field).toBe('mine');
  });

  it('rejects bad posts, staff and plans with a clear 4xx naming the field', async () => {
    const missing = await http().post('/roster/posts').send({ id: 'x', kind: 'checkpoint', name: 'x', jurisdiction: 'j', requirements: {} }).expect(422);
    expect(missing.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'supervisor' })]));
    const badSeats = await http().post('/roster/posts').send({ id: 'x', kind: 'checkpoint', name: 'x', jurisdiction: 'j', requirements: { peace: [{ headcount: 0 }] }, supervisor: 's' }).expect(422);
    expect(badSeats.body.errors.map((p: { field: string }) => p.field)).toEqual(['requirements.peace[0].headcount', 'requirements.war']);
    const unknownPost = await http().post('/rosters').send({ from: tomorrow(), to: tomorrow(), postIds: [gate, 'no-such-post'], by: 'sup' }).expect(422);
    expect(unknownPost.body.errors).toEqual([{ field: 'postIds', reason: 'unknown post no-such-post' }]);
    const backwards = await http().post('/rosters').send({ from: tomorrow(), to: addDays(tomorrow(), -1), postIds: [gate], by: 'sup' }).expect(422);
    expect(backwards.body.errors).toEqual([{ field: 'to', reason: 'must not be before from' }]);
    await http().get('/rosters/not-a-plan').expect(404);
    await http().get(`/roster/posts/nowhere-${tag}/on-duty`).expect(404);
  });

  it('refuses pins that give one person overlapping shifts', async () => {
    const other = `gate2-${tag}`;
    await http()
      .post('/roster/posts')
      .send({ id: other, kind: 'community_gate', name: 'Other gate', jurisdiction: `elsewhere-${tag}`, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 1 }] }, supervisor: `sup-${tag}` })
      .expect(200);
    const day = tomorrow().replace(/-/g, '');
    const response = await http()
      .post('/rosters')
      .send({ from: tomorrow(), to: tomorrow(), postIds: [gate, other], by: 'sup', pins: [{ shiftId: `${gate}-${day}-s1-1`, staffId: staff[0] }, { shiftId: `${other}-${day}-s1-1`, staffId: staff[0] }] })
      .expect(422);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'pins[1]', reason: expect.stringMatching(/^overlap: overlaps seat/) })]));
  });

  it('plans, publishes and runs the coming shifts; swaps and open shifts are checked against the hard rules', async () => {
    const plan = { body: await solvedPlan(http(), { from: tomorrow(), to: addDays(tomorrow(), 3), postIds: [gate, clinic], by: 'sup' }) };
    expect(plan.body).toMatchObject({ state: 'draft', stats: { seats: 16, filled: 12, unfilled: 4 } });
    expect(plan.body.unfilled.map((u: { reason: string }) => u.reason)).toEqual(Array(4).fill(`no staff with skill 'medic-${tag}'`));
    const published = await http().post(`/rosters/${plan.body.id}/publish`).send({ by: 'sup' }).expect(200);
    expect(published.body.added).toHaveLength(16);
    // Everyone whose shifts the roster changed is told, once each.
    expect(published.body.affectedStaff.length).toBeGreaterThan(0);
    const notices = await db.query(`SELECT id, template FROM notification WHERE id LIKE $1`, [`roster-published:${plan.body.id}:%`]);
    expect(notices.map((n: { id: string }) => n.id).sort()).toEqual(published.body.affectedStaff.map((s: string) => `roster-published:${plan.body.id}:${s}`).sort());
    expect(new Set(notices.map((n: { template: string }) => n.template))).toEqual(new Set(['roster_published']));
    await http().post(`/rosters/${plan.body.id}/publish`).send({ by: 'sup' }).expect(409);

    const shifts = await publishedShifts(gate);
    expect(shifts).toHaveLength(12);
    const started = shifts.filter((s: { workflowStarted: boolean }) => s.workflowStarted);
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThan(12);
    // Tomorrow's 08–16 shift: at least 8 h away whatever the time of day (the 00–08 one is within
    // check-in's 30 minutes when the tests run at 15:30–16:00 UTC).
    const morning = shifts[1];
    expect(morning.slot).toBe(1);
    const first = await http().get(`/shifts/${morning.id}`).expect(200);
    expect(first.body.state).toMatchObject({ state: 'scheduled', assignee: morning.staffId, pending: [expect.stringMatching(/^check-in by/)] });
    // Check-in opens 30 minutes before the start.
    const early = await http().post(`/shifts/${morning.id}/check-in`).send({ staffId: morning.staffId }).expect(409);
    expect(early.body.detail).toMatch(/check-in opens at/);
    await http().post('/shifts/no-such-shift/check-in').send({ staffId: staff[0] }).expect(404);
    await http().post(`/shifts/${shifts[0].id}/check-in`).send({}).expect(422);

    // A swap that leaves someone 0 h rest between 16–24 and 00–08 the next day.
    const at = (date: string, slot: number) => shifts.find((s: { shiftDate: string; slot: number }) => s.shiftDate === date && s.slot === slot);
    const night = at(addDays(tomorrow(), 1), 0);
    const late = at(tomorrow(), 2);
    const nightHolder = night.staffId;
    const give = shifts.find((s: { staffId: string; id: string }) => s.staffId === nightHolder && s.id !== night.id && s.staffId !== late.staffId);
    expect(give).toBeDefined();
    const swap = await http().post('/shift-requests').send({ kind: 'swap', shiftId: give.id, otherShiftId: late.id, requestedBy: nightHolder }).expect(422);
    expect(swap.body.errors).toEqual(expect.arrayContaining([{ field: night.id, reason: expect.stringMatching(new RegExp(`^rest: ${nightHolder} only 0h rest`)) }]));

    // An open shift: not for someone without the skill; yes for a medic, once approved.
    const open = (await publishedShifts(clinic))[0];
    expect(open).toMatchObject({ staffId: null, staffName: null });
    const unskilled = await http().post('/shift-requests').send({ kind: 'open_shift', shiftId: open.id, staffId: staff[0], requestedBy: staff[0] }).expect(422);
    expect(unskilled.body.errors[0].reason).toMatch(/^skill: /);
    await http().post('/roster/staff').send({ id: `medic-${tag}`, name: 'Medic', role: 'medical', skills: [`medic-${tag}`] }).expect(200);
    const asked = { kind: 'open_shift', shiftId: open.id, staffId: `medic-${tag}`, requestedBy: `medic-${tag}`, requestId: `take-${tag}` };
    const taken = await http().post('/shift-requests').send(asked).expect(201);
    expect(taken.body).toMatchObject({ state: 'pending', createdAt: expect.stringMatching(/Z$/), decidedAt: null });
    // Asked again with the same request id: the same request, made once.
    expect((await http().post('/shift-requests').set('Idempotency-Key', `take-${tag}`).send({ ...asked, requestId: undefined }).expect(201)).body).toEqual(taken.body);
    expect(await db.query(`SELECT count(*)::int AS n FROM roster_request WHERE shift_id = $1`, [open.id])).toEqual([{ n: 1 }]);
    await http().post('/shift-requests').set('Idempotency-Key', 'one').send({ ...asked, requestId: 'another' }).expect(422);
    const approved = await http().post(`/shift-requests/${taken.body.id}/approve`).send({ by: 'sup' }).expect(200);
    expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'sup', decidedAt: expect.stringMatching(/Z$/) });
    // Asked once (one message to each supervisor, though asked twice), and the medic told of the approval.
    expect(await db.query(`SELECT DISTINCT template FROM notification WHERE id LIKE $1`, [`shift-request:${taken.body.id}:asked@%`])).toEqual([{ template: 'open_shift_asked' }]);
    // (The medic has no account nor contact of their own: the message goes to the supervisors meanwhile.)
    expect(await db.query(`SELECT DISTINCT template FROM notification WHERE id LIKE $1`, [`shift-request:${taken.body.id}:approved:medic-${tag}%`])).toEqual([{ template: 'shift_request_approved' }]);
    // A repeat of the request after its approval is still the request, not a new one checked again.
    expect((await http().post('/shift-requests').send(asked).expect(201)).body.state).toBe('approved');
    await http().post(`/shift-requests/${taken.body.id}/approve`).send({ by: 'sup' }).expect(409);
    const row = await http().get(`/shifts/${open.id}`).expect(200);
    expect(row.body.shift).toMatchObject({ staffId: `medic-${tag}`, staffName: 'Medic' });
    if (row.body.shift.workflowStarted) expect(row.body.state.assignee).toBe(`medic-${tag}`);
    // Told at once: nothing left for the reconciler.
    expect(await db.query(`SELECT untold_change FROM roster_shift WHERE id = $1`, [open.id])).toEqual([{ untold_change: null }]);
    await http().post('/shift-requests').send({ kind: 'swap', shiftId: 'nope', requestedBy: 'x' }).expect(422);
  });

  it("tells a shift's workflow by the reconciler an approval's reassignment or a publishing's cancellation that could not be told at once; one the workflow refuses is not told again", async () => {
    const post = `follow-${tag}`;
    const postRequest = (pattern: Array<{ start: string; hours: number }>) => ({
      id: post,
      kind: 'community_gate',
      name: `Follow ${tag}`,
      // A community of its own: the mode switch below counts the shifts of `jurisdiction`.
      jurisdiction: `${jurisdiction}-follow`,
      requirements: { peace: [{ skill: post, headcount: 1 }], war: [{ skill: post, headcount: 1 }] },
      pattern,
      supervisor: `sup-${tag}`,
      onCall: [],
    });
    const threeShifts = [{ start: '00:00', hours: 8 }, { start: '08:00', hours: 8 }, { start: '16:00', hours: 8 }];
    await http().post('/roster/posts').send(postRequest(threeShifts)).expect(200);
    for (const [i, id] of ['u', 'v', 'w', 'x'].map((s) => `${s}-${tag}`).entries()) {
      await http().post('/roster/staff').send({ id, name: `Staff ${id}`, role: 'guard', skills: [post], mobile: `1391${String(Date.now() % 1e6).padStart(6, '0')}${i}` }).expect(200);
    }
    const first = await solvedPlan(http(), { from: tomorrow(), to: tomorrow(), postIds: [post], by: 'sup' });
    await http().post(`/rosters/${first.id}/publish`).send({ by: 'sup' }).expect(200);
    // Tomorrow's three shifts, each within the 48 h their workflows start in.
    const [night, day, evening] = await publishedShifts(post);
    for (const shift of [night, day, evening]) expect(shift).toMatchObject({ workflowStarted: true, staffId: expect.any(String) });
    const ids = [night.id, day.id, evening.id];

    // The API and the worker cannot reach Temporal for these: each change is committed and answered, and kept marked.
    const cutOff = clientWith({ startUpdate: () => Promise.reject(new ServiceError('Temporal unavailable')) });
    const services = rosterServices(db, client, config, { tellThrough: cutOff });
    const swap = await http().post('/shift-requests').send({ kind: 'swap', shiftId: night.id, otherShiftId: day.id, requestedBy: night.staffId }).expect(201);
    await expect(services.requests.approve(swap.body.id, 'sup')).resolves.toMatchObject({ state: 'approved' });
    // The evening shift is no longer wanted: a new plan of two shifts, published, cancels it.
    await http().post('/roster/posts').send(postRequest(threeShifts.slice(0, 2))).expect(200);
    const second = await solvedPlan(http(), { from: tomorrow(), to: tomorrow(), postIds: [post], by: 'sup' });
    expect(await services.planning.publish(second.id, 'sup')).toMatchObject({ cancelled: [evening.id], untold: [evening.id] });

    const marked = async () => (await db.query(`SELECT id FROM roster_shift WHERE id = ANY($1) AND untold_change IS NOT NULL`, [ids])).map((r: { id: string }) => r.id).sort();
    expect(await marked()).toEqual([...ids].sort());
    const shown = async (id: string) => (await http().get(`/shifts/${id}`).expect(200)).body;
    // The workflows have not followed: the night shift's still has its first holder.
    expect((await shown(night.id)).state.assignee).toBe(night.staffId);
    expect((await shown(evening.id)).state.state).toBe('scheduled');
    // A change younger than the reconciler's grace may be in its own telling: left alone.
    expect(await api.get(ShiftFollower).tellUntold(60)).not.toContain(night.id);

    // Once older than that, a reconciler pass (the worker's, run here at once) tells each workflow its row's change.
    await db.query(`UPDATE roster_shift SET untold_change = untold_change || jsonb_build_object('at', now() - interval '2 minutes') WHERE id = ANY($1)`, [ids]);
    const reconcile = async (name: string) => (await client.workflow.execute(reconcilerWorkflow, { taskQueue: config.temporal.taskQueue, workflowId: `reconciler-${name}-${tag}` })).shifts.told ?? [];
    expect(await reconcile('first')).toEqual(expect.arrayContaining(ids.map(shiftWorkflowId)));
    expect(await marked()).toEqual([]);
    for (const id of [night.id, day.id]) {
      const { shift, state } = await shown(id);
      expect(state).toMatchObject({ state: 'scheduled', assignee: shift.staffId });
    }
    expect((await shown(night.id)).shift.staffId).toBe(day.staffId);
    expect((await shown(evening.id)).state).toMatchObject({ state: 'cancelled', endReason: expect.stringContaining('not needed by the roster') });

    // A change its workflow has already (marked again, as a telling that failed on its way back would leave it): refused for good, unmarked, told once.
    await db.query(`UPDATE roster_shift SET untold_change = $2 WHERE id = $1`, [day.id, JSON.stringify({ by: 'sup', reason: 'told twice', at: new Date(Date.now() - 2 * 60_000) })]);
    expect(await reconcile('again')).toEqual(expect.arrayContaining([shiftWorkflowId(day.id)]));
    expect(await marked()).toEqual([]);
    expect((await shown(day.id)).state).toMatchObject({ state: 'scheduled', assignee: night.staffId });
    expect((await reconcile('quiet')).filter((id) => ids.map(shiftWorkflowId).includes(id))).toEqual([]);

    // Wanted again: a plan of three shifts brings the evening shift back, and a new run of its workflow (the first ended with the cancel).
    await http().post('/roster/posts').send(postRequest(threeShifts)).expect(200);
    const third = await solvedPlan(http(), { from: tomorrow(), to: tomorrow(), postIds: [post], by: 'sup' });
    expect((await http().post(`/rosters/${third.id}/publish`).send({ by: 'sup' }).expect(200)).body).toMatchObject({ added: [evening.id], started: [evening.id], untold: [] });
    const { shift: revived, state: running } = await shown(evening.id);
    expect(running).toMatchObject({ state: 'scheduled', assignee: revived.staffId });
    expect(revived).toMatchObject({ status: 'published', workflowStarted: true });
  });

  it('publishes a draft asked to twice at once only once: one 200, one 409', async () => {
    const { post } = await postWithStaff('twice', 3);
    const day = addDays(tomorrow(), 6);
    const plan = await solvedPlan(http(), { from: day, to: day, postIds: [post], by: 'sup' });
    const answers = await Promise.all([1, 2].map(() => http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.errors).toEqual([{ field: 'id', reason: 'roster is published' }]);
    expect(answers.find((a) => a.status === 200)!.body.added).toHaveLength(3);
    expect(await publishedShifts(post)).toHaveLength(3);
  });

  it("tells a shift's new workflow a change committed to its row while it started (the change saw no workflow to tell)", async () => {
    const { post, staff: people } = await postWithStaff('race', 4);
    // Four days ahead: published, but past the 48 h within which publishing starts workflows.
    const day = addDays(tomorrow(), 4);
    const plan = await solvedPlan(http(), { from: day, to: day, postIds: [post], by: 'sup' });
    await http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    const [moved, cancelled, kept] = await publishedShifts(post);
    for (const shift of [moved, cancelled, kept]) expect(shift).toMatchObject({ workflowStarted: false, staffId: expect.any(String) });
    const other = people.map((p) => p.id).find((id) => ![moved.staffId, cancelled.staffId, kept.staffId].includes(id))!;

    // Between the starter's read and its start, the first shift gets another holder and the second is cancelled.
    const changeWhileStarting = clientWith({
      start: async (input, next) => {
        if (input.options.workflowId === shiftWorkflowId(moved.id)) await db.query(`UPDATE roster_shift SET staff_id = $2 WHERE id = $1`, [moved.id, other]);
        if (input.options.workflowId === shiftWorkflowId(cancelled.id)) await db.query(`UPDATE roster_shift SET status = 'cancelled', duty_state = 'cancelled', end_reason = 'not needed by the roster' WHERE id = $1`, [cancelled.id]);
        return next(input);
      },
    });
    const ids = [moved.id, cancelled.id, kept.id];
    const { launcher } = rosterServices(db, client, config);
    expect((await launcher.startDue(changeWhileStarting, { now: Date.now(), until: Date.now() + 7 * 24 * 3_600_000, shiftIds: ids })).sort()).toEqual([...ids].sort());

    const shown = async (id: string) => (await http().get(`/shifts/${id}`).expect(200)).body;
    expect((await shown(moved.id)).state).toMatchObject({ state: 'scheduled', assignee: other });
    expect((await shown(cancelled.id)).state).toMatchObject({ state: 'cancelled', endReason: expect.stringContaining('not needed by the roster') });
    expect((await shown(kept.id)).state).toMatchObject({ state: 'scheduled', assignee: kept.staffId });
    expect(await db.query(`SELECT id FROM roster_shift WHERE id = ANY($1) AND (untold_change IS NOT NULL OR NOT workflow_started)`, [ids])).toEqual([]);
  });

  it("tells a running shift that a publishing left its seat unfilled: its first holder is no longer reminded nor expected", async () => {
    const { post, staff: [guard] } = await postWithStaff('unfill', 1, [{ start: '08:00', hours: 8 }]);
    const first = await solvedPlan(http(), { from: tomorrow(), to: tomorrow(), postIds: [post], by: 'sup' });
    await http().post(`/rosters/${first.id}/publish`).send({ by: 'sup' }).expect(200);
    const [shift] = await publishedShifts(post);
    expect(shift).toMatchObject({ staffId: guard.id, workflowStarted: true });

    // The only guard no longer has the post's skill: the next plan finds nobody for the seat.
    await http().post('/roster/staff').send({ ...guard, skills: [] }).expect(200);
    const second = await solvedPlan(http(), { from: tomorrow(), to: tomorrow(), postIds: [post], by: 'sup' });
    const published = (await http().post(`/rosters/${second.id}/publish`).send({ by: 'sup' }).expect(200)).body;
    expect(published).toMatchObject({ reassigned: [{ shiftId: shift.id, from: guard.id, to: null }], untold: [] });
    const shown = (await http().get(`/shifts/${shift.id}`).expect(200)).body;
    expect(shown.shift.staffId).toBeNull();
    expect(shown.state.assignee).toBeUndefined();
    expect(shown.state.pending).toContain('an assignee: the seat is unfilled');
  });

  it('lists the pending requests to the supervisors where the post lies, tells them of a request when it is made and both people of its decision', async () => {
    const { post, staff: people } = await postWithStaff('listed', 4);
    const day = addDays(tomorrow(), 4);
    const plan = await solvedPlan(http(), { from: day, to: day, postIds: [post], by: 'sup' });
    await http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    const [night, morning] = await publishedShifts(post);
    const asked = (await http().post('/shift-requests').send({ kind: 'swap', shiftId: night.id, otherShiftId: morning.id, requestedBy: night.staffId, note: 'family visit' }).expect(201)).body;
    const nameOf = (id: string) => people.find((p) => p.id === id)!.name;

    const pending = (await http().get('/shift-requests').expect(200)).body;
    expect(pending.items.find((r: { id: string }) => r.id === asked.id)).toEqual({
      ...asked,
      postId: post,
      postName: `listed ${tag}`,
      subdistrict: null,
      community: `${jurisdiction}-listed`,
      staffName: nameOf(morning.staffId),
      otherStaffName: nameOf(night.staffId),
      shiftStartAt: night.startAt,
      shiftEndAt: night.endAt,
      otherShiftStartAt: morning.startAt,
      otherShiftEndAt: morning.endAt,
      shiftHolder: night.staffId,
      shiftHolderName: nameOf(night.staffId),
      otherShiftHolder: morning.staffId,
      otherShiftHolderName: nameOf(morning.staffId),
      changedHands: null,
    });
    // Oldest first, a page at a time; only the state asked for.
    expect(pending.total).toBeGreaterThanOrEqual(1);
    expect((await http().get('/shift-requests').query({ state: 'rejected' }).expect(200)).body.items.map((r: { id: string }) => r.id)).not.toContain(asked.id);
    const bad = await http().get('/shift-requests').query({ state: 'lost' }).expect(422);
    expect(bad.body.errors[0].field).toBe('state');
    // A supervisor of another subdistrict does not see it, nor duty staff it does not name.
    const far = httpAs(api, await signIn(api, 'supervisor', { subdistrict: `far-${tag}` }));
    expect((await far.get('/shift-requests').expect(200)).body.items.map((r: { id: string }) => r.id)).not.toContain(asked.id);
    expect((await httpAs(api, await signIn(api, 'duty_staff')).get('/shift-requests').expect(200)).body).toMatchObject({ items: [], total: 0 });

    // Told when asked: every supervisor account reaching the post, in its inbox, pointing at the list.
    const told = await db.query(`SELECT template, concerns_kind AS kind, concerns_id AS id, body FROM notification WHERE id LIKE $1 AND channel = 'outbox'`, [`shift-request:${asked.id}:asked@%`]);
    expect(told.length).toBeGreaterThan(0);
    for (const message of told) {
      expect(message).toMatchObject({ template: 'shift_swap_asked', kind: 'shift_request', id: asked.id });
      expect(message.body).toContain(nameOf(night.staffId));
      expect(message.body).toContain('/app/supervisor/#/requests');
    }

    // Rejected: both people are told, with the reason; the request leaves the pending list.
    await http().post(`/shift-requests/${asked.id}/reject`).send({ by: 'sup', note: 'short of staff that week' }).expect(200);
    const decided = await db.query(`SELECT id, template, body FROM notification WHERE id LIKE $1 ORDER BY id`, [`shift-request:${asked.id}:rejected:%`]);
    expect(decided.map((m: { id: string }) => m.id.split(':')[3]).sort()).toEqual([night.staffId, morning.staffId].sort());
    for (const message of decided) {
      expect(message.template).toBe('shift_request_rejected');
      expect(message.body).toContain('short of staff that week');
    }
    expect((await http().get('/shift-requests').expect(200)).body.items.map((r: { id: string }) => r.id)).not.toContain(asked.id);
    expect((await http().get('/shift-requests').query({ state: 'rejected', pageSize: 200 }).expect(200)).body.items.map((r: { id: string }) => r.id)).toContain(asked.id);
  });

  it('refuses the approval of a swap whose shift has changed hands since it was asked, or changes while it is decided (409), the request still pending', async () => {
    const { post, staff: people } = await postWithStaff('decide', 4);
    const day = addDays(tomorrow(), 5);
    const plan = await solvedPlan(http(), { from: day, to: day, postIds: [post], by: 'sup' });
    await http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    const [night, morning] = await publishedShifts(post);
    const asked = (await http().post('/shift-requests').send({ kind: 'swap', shiftId: night.id, otherShiftId: morning.id, requestedBy: night.staffId }).expect(201)).body;
    expect(asked).toMatchObject({ staffId: morning.staffId, otherStaffId: night.staffId });
    const bystander = people.map((p) => p.id).find((id) => ![night.staffId, morning.staffId].includes(id))!;
    const holdNight = (staffId: string) => db.query(`UPDATE roster_shift SET staff_id = $2 WHERE id = $1`, [night.id, staffId]);

    // Given to someone else by a re-plan since: the bystander never asked to swap.
    await holdNight(bystander);
    const refused = await http().post(`/shift-requests/${asked.id}/approve`).send({ by: 'sup' }).expect(409);
    expect(refused.body.errors).toEqual([{ field: 'shiftId', reason: 'shift changed hands since the request' }]);
    // The supervisors' list says so before anyone tries, naming who holds it now.
    const listed = async () => (await http().get('/shift-requests').query({ pageSize: 200 }).expect(200)).body.items.find((r: { id: string }) => r.id === asked.id);
    expect(await listed()).toMatchObject({ changedHands: 'shiftId', shiftHolder: bystander, otherShiftHolder: morning.staffId });
    await holdNight(night.staffId);
    expect(await listed()).toMatchObject({ changedHands: null, shiftHolder: night.staffId });

    const services = rosterServices(db, client, config);
    const check = services.planner.changeViolations.bind(services.planner);
    // Between the approval's check and its write, the night shift is given to someone else.
    jest.spyOn(services.planner, 'changeViolations').mockImplementationOnce(async (changes, now) => {
      const violations = await check(changes, now);
      await holdNight(bystander);
      return violations;
    });
    await expect(services.requests.approve(asked.id, 'sup')).rejects.toMatchObject({ kind: 'conflict', problems: [{ field: 'shiftId', reason: 'shift changed meanwhile' }] });
    expect((await services.requests.get(asked.id)).state).toBe('pending');
    const holders = await db.query(`SELECT id, staff_id AS "staffId" FROM roster_shift WHERE id = ANY($1) ORDER BY start_at`, [[night.id, morning.id]]);
    expect(holders).toEqual([{ id: night.id, staffId: bystander }, { id: morning.id, staffId: morning.staffId }]);
  });

  it('solves a plan in the worker: 202 with the plan solving, the draft by id once the plan workflow has stored it; a plan that cannot be solved ends failed with the reason', async () => {
    const request = { from: addDays(tomorrow(), 7), to: addDays(tomorrow(), 8), postIds: [gate], by: 'sup' };
    const asked = await http().post('/rosters').set('Idempotency-Key', `plan-${tag}`).send(request).expect(202);
    expect(asked.body).toMatchObject({ state: 'solving', seats: [], assignments: [] });
    expect(asked.headers.location).toBe(`/rosters/${asked.body.id}`);
    await expect(client.workflow.getHandle(rosterPlanWorkflowId(asked.body.id)).result()).resolves.toEqual({ planId: asked.body.id, state: 'draft' });
    const plan = await http().get(`/rosters/${asked.body.id}`).expect(200);
    expect(plan.body).toMatchObject({ state: 'draft', stats: { seats: 6, filled: 6, unfilled: 0, solveMs: expect.any(Number) } });
    expect(plan.body.assignments).toHaveLength(6);
    expect(plan.body.seats[0]).toMatchObject({ seatId: expect.any(String), shiftDate: request.from, start: expect.stringMatching(/^\d{4}-.*Z$/), end: expect.stringMatching(/Z$/) });
    // Asked again with the same request id: the plan it made, as it is now (no second plan).
    const repeated = await http().post('/rosters').send({ ...request, requestId: `plan-${tag}` }).expect(202);
    expect(repeated.body).toEqual(plan.body);
    expect(repeated.headers.location).toBe(`/rosters/${asked.body.id}`);

    // Pins are checked when asked (422); one the roster no longer allows by the time of the solve fails the plan, naming it.
    const [row] = await db.query(
      `INSERT INTO roster_plan (from_date, to_date, post_ids, state, seats, assignments, unfilled, stats, created_by, request, as_of)
       VALUES ($1, $1, $2, 'solving', '[]', '[]', '[]', '{}', 'sup', $3, now()) RETURNING id`,
      [addDays(tomorrow(), 9), [gate], JSON.stringify({ pins: [{ shiftId: 'gone', staffId: staff[0] }], modes: {} })],
    );
    await client.workflow.execute(rosterPlanWorkflow, { workflowId: rosterPlanWorkflowId(row.id), taskQueue: config.temporal.taskQueue, args: [{ planId: row.id }] });
    const failed = await http().get(`/rosters/${row.id}`).expect(200);
    expect(failed.body).toMatchObject({ state: 'failed', failure: expect.stringContaining("pins[0].shiftId: no open seat gone in this plan's posts and dates") });
    await http().post(`/rosters/${row.id}/publish`).send({ by: 'sup' }).expect(409);
  });

  it("rosters the field reports' checkpoint (3 staff, 3 × 8 h, 14 days): 36 of 42 in peace time, saying which limits hold, all 42 once the jurisdiction is at war", async () => {
    const checkpoint = `cp-${tag}`;
    const highway = `highway-${tag}`;
    const need = [{ skill: checkpoint, headcount: 1 }];
    await http().post('/roster/posts').send({ id: checkpoint, kind: 'checkpoint', name: `G4 exit ${tag}`, jurisdiction: highway, requirements: { peace: need, war: need }, supervisor: `sup-${tag}` }).expect(200);
    const trio = ['a', 'b', 'c'].map((s) => `cp-${s}-${tag}`);
    for (const id of trio) await http().post('/roster/staff').send({ id, name: `Cadre ${id}`, role: 'cadre', skills: [checkpoint] }).expect(200);

    const peace = await solvedPlan(http(), { from: tomorrow(), to: addDays(tomorrow(), 13), postIds: [checkpoint], by: 'sup' });
    expect(peace.stats).toMatchObject({ seats: 42, filled: 36, unfilled: 6 });
    for (const { reason } of peace.unfilled) {
      expect(reason).toMatch(new RegExp(`\\(3 staff with skill '${checkpoint}', peace-time seat: .*(consecutive_days \\(limit 6\\)|hours_per_week \\(limit 48h\\))`));
    }
    await http().post(`/rosters/${peace.id}/publish`).send({ by: 'sup' }).expect(200);

    const war = await http().post(`/jurisdictions/${highway}/mode`).send({ mode: 'war', by: 'sup', reason: '卡口 24 小时值守' }).expect(200);
    expect(war.body.unfilled).toEqual([]);
    const shifts = await publishedShifts(checkpoint);
    expect(shifts).toHaveLength(42);
    expect(shifts.filter((s: { staffId: string | null }) => !s.staffId)).toEqual([]);
    expect(new Set(shifts.map((s: { mode: string }) => s.mode))).toEqual(new Set(['war']));
  });

  it('lets someone cover a gap only if they are a known staff member the seat allows (skill, no overlapping shift, rest), else 422 naming the rule', async () => {
    const now = Date.now();
    const today = localDate(now, OFFSET);
    // Posts whose one shift started this minute (a seat planned now starts now), or starts in six hours.
    const post = async (id: string, skillOf: string, start: number) =>
      http()
        .post('/roster/posts')
        .send({ id, kind: 'checkpoint', name: id, jurisdiction: `cover-${tag}`, requirements: { peace: [{ skill: skillOf, headcount: 1 }], war: [{ skill: skillOf, headcount: 1 }] }, pattern: [{ start: localTime(start, OFFSET), hours: 4 }], supervisor: `sup-${tag}` })
        .expect(200);
    const publish = async (postId: string) => {
      const plan = await solvedPlan(http(), { from: today, to: addDays(today, 1), postIds: [postId], by: 'sup' });
      await http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    };
    const staffMember = (id: string, skills: string[]) => http().post('/roster/staff').send({ id, name: id, role: 'guard', skills }).expect(200);
    const [busy, tired, able, unskilled] = ['busy', 'tired', 'able', 'unskilled'].map((s) => `${s}-${tag}`);
    // busy stands another post now; tired starts another post two hours after the gap's shift ends.
    await staffMember(busy, [`other-${tag}`]);
    await staffMember(tired, [`later-${tag}`]);
    await post(`other-${tag}`, `other-${tag}`, now);
    await post(`later-${tag}`, `later-${tag}`, now + 6 * 3_600_000);
    await publish(`other-${tag}`);
    await publish(`later-${tag}`);
    // The gap: a seat nobody could take when it was planned, so a gap from its start.
    await post(`gap-${tag}`, `cover-${tag}`, now);
    await publish(`gap-${tag}`);
    const [gap] = (await publishedShifts(`gap-${tag}`)).filter((s: { startAt: string }) => Date.parse(s.startAt) <= Date.now());
    expect(gap).toMatchObject({ staffId: null, workflowStarted: true });
    for (const id of [busy, tired]) await staffMember(id, [`other-${tag}`, `later-${tag}`, `cover-${tag}`]);
    await staffMember(able, [`cover-${tag}`]);
    await staffMember(unskilled, ['gate']);
    await eventually(async () => (await http().get(`/shifts/${gap.id}`).expect(200)).body.state, (state) => state?.state === 'no_show', { what: `${gap.id} a gap` });

    const refused = async (staffId: string) => (await http().post(`/shifts/${gap.id}/check-in`).send({ staffId }).expect(422)).body.errors;
    expect(await refused(`ghost-${tag}`)).toEqual([{ field: 'staffId', reason: `unknown_staff: no staff member ghost-${tag}` }]);
    expect(await refused(unskilled)).toEqual([{ field: 'staffId', reason: `skill: seat needs skill 'cover-${tag}'` }]);
    expect(await refused(busy)).toEqual([{ field: 'staffId', reason: expect.stringMatching(new RegExp(`^overlap: overlaps seat other-${tag}-`)) }]);
    expect(await refused(tired)).toEqual([{ field: 'staffId', reason: expect.stringMatching(new RegExp(`^rest: seat later-${tag}-\\S+: only 2h rest next to seat ${gap.id} \\(minimum 8h\\)$`)) }]);
    expect((await http().get(`/shifts/${gap.id}`).expect(200)).body.state).toMatchObject({ state: 'no_show' });

    const covered = await http().post(`/shifts/${gap.id}/check-in`).send({ staffId: able }).expect(200);
    expect(covered.body).toMatchObject({ state: 'on_duty', onPost: able });

    // An incident is logged once per request id (the header or the body's requestId), its time an ISO string.
    const incident = { by: able, kind: 'refused_check', description: 'a driver refused a temperature check' };
    const logged = await http().post(`/shifts/${gap.id}/incidents`).set('Idempotency-Key', `inc-${tag}`).send(incident).expect(200);
    expect(logged.body.incidents).toEqual([{ ...incident, incidentId: `inc-${tag}`, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }]);
    const again = await http().post(`/shifts/${gap.id}/incidents`).send({ ...incident, requestId: `inc-${tag}` }).expect(200);
    expect(again.body.incidents).toEqual(logged.body.incidents);
    await http().post(`/shifts/${gap.id}/incidents`).send({ ...incident, incidentId: 'x' }).expect(422);
    const events = await eventually(
      async () => (await http().get(`/shifts/${gap.id}`).expect(200)).body.events.filter((e: { kind: string }) => e.kind === 'incident'),
      (found) => found.length > 0,
      { what: 'the incident in the event log' },
    );
    expect(events).toEqual([{ at: logged.body.incidents[0].at, kind: 'incident', detail: { ...incident, incidentId: `inc-${tag}` } }]);
    // Written with it: the post's supervisor told, once though asked twice.
    expect(await db.query(`SELECT DISTINCT template FROM notification WHERE id LIKE $1`, [`shift:${gap.id}:incident:inc-${tag}%`])).toEqual([{ template: 'shift_incident' }]);
  });

  it('switches the mode of a jurisdiction and refuses a switch to the mode it is in or for an unknown one', async () => {
    await http().get(`/jurisdictions/unknown-${tag}/mode`).expect(404);
    await http().post(`/jurisdictions/unknown-${tag}/mode`).send({ mode: 'war', by: 'sup', reason: 'r' }).expect(404);
    await http().post(`/jurisdictions/${jurisdiction}/mode`).send({ mode: 'peace', by: 'sup', reason: 'r' }).expect(409);
    await http().post(`/jurisdictions/${jurisdiction}/mode`).send({ mode: 'storm', by: 'sup', reason: 'r' }).expect(422);
    const ask = { mode: 'war', by: 'sup', reason: '出现本地病例' };
    const shiftsNow = async () => (await db.query(`SELECT count(*)::int AS n FROM roster_shift WHERE post_id = ANY($1) AND status = 'published'`, [[gate, clinic]]))[0].n;
    const before = await shiftsNow();
    // The preview changes nothing and says what the switch would do: the gate gets a second seat on each of its 12 published shifts; the clinic's seat stays one.
    const preview = await http().post(`/jurisdictions/${jurisdiction}/mode/preview`).send(ask).expect(200);
    expect(preview.body).toMatchObject({ jurisdiction, from: 'peace', to: 'war', previewId: expect.stringMatching(/^[0-9a-f-]{36}\./) });
    expect(preview.body.added).toHaveLength(12);
    const { added, cancelled, reassigned, affectedStaff, notices } = preview.body;
    expect(preview.body.counts).toEqual({ shifts: added.length + cancelled.length + reassigned.length, people: affectedStaff.length, notices: notices.length });
    expect(preview.body.notices.map((n: { template: string }) => n.template)).toEqual(preview.body.notices.map(() => 'mode_switch'));
    expect(await shiftsNow()).toBe(before);
    expect((await http().get(`/jurisdictions/${jurisdiction}/mode`).expect(200)).body).toMatchObject({ mode: 'peace', switches: [] });
    await http().post(`/jurisdictions/${jurisdiction}/mode`).send({ ...ask, previewId: 'nonsense' }).expect(422);

    // The data moves (the gate's supervisor changes, so other people are told): the confirm changes nothing and shows the new preview.
    const gatePost = (supervisor: string) => ({ id: gate, kind: 'community_gate', name: `Gate ${tag}`, jurisdiction, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] }, supervisor, onCall: [] });
    await http().post('/roster/posts').send(gatePost(`sup2-${tag}`)).expect(200);
    const moved = await http().post(`/jurisdictions/${jurisdiction}/mode`).send({ ...ask, previewId: preview.body.previewId }).expect(409);
    expect(moved.body.errors).toEqual([{ field: 'previewId', reason: 'outdated' }]);
    expect(moved.body.preview.previewId).not.toBe(preview.body.previewId);
    expect(moved.body.preview.notices).toContainEqual({ recipient: `staff:sup2-${tag}`, template: 'mode_switch' });
    expect(await shiftsNow()).toBe(before);
    expect((await http().get(`/jurisdictions/${jurisdiction}/mode`).expect(200)).body.mode).toBe('peace');

    // Confirmed with the new preview: exactly what it showed.
    const [{ confirmedFrom }] = await db.query(`SELECT now() AS "confirmedFrom"`);
    const war = await http().post(`/jurisdictions/${jurisdiction}/mode`).send({ ...ask, previewId: moved.body.preview.previewId }).expect(200);
    expect(war.body).toMatchObject({ from: 'peace', to: 'war' });
    expect([...war.body.added].sort()).toEqual([...moved.body.preview.added].sort());
    expect(war.body.cancelled).toEqual(moved.body.preview.cancelled);
    expect(war.body.affectedStaff).toEqual(moved.body.preview.affectedStaff);
    expect(await shiftsNow()).toBe(before + 12);
    // Each notice the preview named was stored (a staff member's copies under its id: their account's or their own contact's).
    const told: Array<{ id: string }> = await db.query(`SELECT id FROM notification WHERE id LIKE 'mode-switch:%' AND created_at >= $1`, [confirmedFrom]);
    const staffTold = new Set(told.map((n) => /^mode-switch:[^:]+:([^@:]+)/.exec(n.id)![1]));
    expect([...staffTold].sort()).toEqual(moved.body.preview.notices.map((n: { recipient: string }) => n.recipient.replace(/^staff:/, '')).sort());
    // Its preview is spent: confirming it again changes nothing.
    await http().post(`/jurisdictions/${jurisdiction}/mode`).send({ ...ask, previewId: moved.body.preview.previewId }).expect(409);
    const mode = await http().get(`/jurisdictions/${jurisdiction}/mode`).expect(200);
    expect(mode.body).toMatchObject({ mode: 'war', switches: [expect.objectContaining({ from: 'peace', to: 'war', by: 'sup', reason: '出现本地病例' })] });
  });

  it('runs the roll-forward schedule when triggered: starts coming shifts, flags gaps', async () => {
    const scheduled = await http().post('/schedules/roster').send({ hour: 0, minute: 30, horizonHours: 120 }).expect(200);
    expect(scheduled.body.scheduleId).toBe(ROSTER_SCHEDULE_ID);
    // Idempotent: a second call updates the same schedule.
    expect((await http().post('/schedules/roster').send({ horizonHours: 120 }).expect(200)).body.created).toBe(false);
    await http().post('/schedules/roster').send({ hour: 25 }).expect(422);

    const gap = `clinic2-${tag}`;
    await http()
      .post('/roster/posts')
      .send({ id: gap, kind: 'on_call_desk', name: `Night desk ${tag}`, jurisdiction: `gaps-${tag}`, requirements: { peace: [{ skill: `nobody-${tag}`, headcount: 1 }], war: [{ skill: `nobody-${tag}`, headcount: 1 }] }, pattern: [{ start: '08:00', hours: 8 }], supervisor: `sup-gap-${tag}` })
      .expect(200);
    const plan = await solvedPlan(http(), { from: tomorrow(), to: tomorrow(), postIds: [gap], by: 'sup' });
    await http().post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);

    await client.schedule.getHandle(ROSTER_SCHEDULE_ID).trigger();
    // Every gate shift of the four days is now running (120 h ahead), and the unfilled desk seat was flagged.
    await eventually(publishedShifts.bind(null, gate), (shifts) => shifts.every((s: { workflowStarted: boolean }) => s.workflowStarted), { what: 'the gate shifts started', timeoutMs: 30_000 });
    // The post's supervisor is a name with no staff record: the flag goes to the supervisors of the post's place, and the gap shows.
    const flagged = () => db.query(`SELECT recipient, template FROM notification WHERE id LIKE $1`, [`roster-gap:${gap}-${tomorrow().replace(/-/g, '')}-s0-1@%`]);
    const flags = await eventually(flagged, (rows) => rows.length > 0, { what: 'the gap flagged', timeoutMs: 30_000 });
    for (const flag of flags) expect(flag).toEqual({ recipient: expect.stringMatching(/^account:/), template: 'roster_gap' });
    expect(await db.query(`SELECT messages > 0 AS counted FROM routing_gap WHERE role = $1 AND closed_at IS NULL`, [`staff:sup-gap-${tag}`])).toEqual([{ counted: true }]);
  });
});
