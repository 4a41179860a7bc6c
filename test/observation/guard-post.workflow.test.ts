/**
 * The "guard posted" measure on Temporal's time-skipping test server, with the real worker, its
 * activities, the roster solver, shift workflows and PostgreSQL: the post and its shifts, the staff
 * told, the shifts cancelled when the observation ends or the guard is lifted, and a post nobody
 * can staff escalated to the supervisor.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { MINUTE, localDate } from '../../libs/domain/local-time';
import { RosterPostRepository } from '../../libs/persistence/roster/roster-post.repository';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { changePolicyUpdate, endEarlyUpdate, guardPostId, liftGuardUpdate, takeMeasureUpdate } from '../../workflows/observation/observation.messages';
import type { observationWorkflow } from '../../workflows/observation/observation.workflow';
import { shiftStateQuery, shiftWorkflowId } from '../../workflows/roster/shift.messages';
import { sleepUntil, timeSkippingPerTest } from '../support/time-skipping';
import { eventually } from '../support/eventually';
import { updateWithin } from '../support/deadline';
import { enrolmentRequest, enrolmentService } from '../support/observation-fixtures';
import { insertStaff, uniqueTag } from '../roster/roster-fixtures';

jest.setTimeout(300_000);

interface ShiftRow {
  id: string;
  staff_id: string | null;
  status: string;
  duty_state: string;
  workflow_started: boolean;
  start_at: Date;
}

describe('guard posted (time-skipping server, real worker, roster solver and PostgreSQL)', () => {
  let config: AppConfig;
  let env: TestWorkflowEnvironment;
  let db: DataSource;
  let enrolment: EnrolmentService;

  timeSkippingPerTest((test) => {
    ({ env, config, db } = test);
    enrolment = enrolmentService(db, env.client, config);
  });

  /** A community of its own, with `staff` guards living there; an observation enrolled in it, and its handle. */
  async function enrolIn(staffCount: number) {
    const tag = uniqueTag();
    const community = `guarded-${tag}`;
    const staff = Array.from({ length: staffCount }, (_, i) => `guard-${i}-${tag}`);
    for (const id of staff) await insertStaff(db, { id, skills: ['guard'], role: 'guard', homeCommunity: community });
    const now = await env.currentTimeMs();
    const request = enrolmentRequest({ anchorDate: localDate(now, 480) });
    const input = await enrolment.record({ ...request, address: { ...request.address, community } }, now);
    await enrolment.start(input);
    const handle: WorkflowHandle<typeof observationWorkflow> = env.client.workflow.getHandle(`observation-${input.number}`);
    return { number: input.number, input, community, staff, handle };
  }

  const shiftsOf = (number: string): Promise<ShiftRow[]> =>
    db.query(`SELECT id, staff_id, status, duty_state, workflow_started, start_at FROM roster_shift WHERE post_id = $1 ORDER BY start_at, seat_no`, [guardPostId(number)]);

  async function postTheGuard(handle: WorkflowHandle<typeof observationWorkflow>) {
    await updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'warning_talk', by: 'worker-li' });
    return updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'guard_posted', by: 'supervisor-wang' });
  }

  /** Every started shift workflow of the post has ended cancelled, and every row not worked is cancelled. */
  async function expectCancelled(number: string, started: ShiftRow[]) {
    for (const shift of started) {
      const view = await eventually(() => env.client.workflow.getHandle(shiftWorkflowId(shift.id)).query(shiftStateQuery), (v) => v.state === 'cancelled', {
        what: `shift ${shift.id} cancelled`,
        timeoutMs: 30_000,
        intervalMs: 100,
        show: (v) => v.state,
      });
      expect(view.endReason).toBeDefined();
    }
    const after = await shiftsOf(number);
    expect(after.map((s) => [s.status, s.duty_state])).toEqual(after.map(() => ['cancelled', 'cancelled']));
  }

  it('posts a guard with 8-hour shifts to the release from the community staff, tells them, and cancels the shifts when the observation ends', async () => {
    const { number, community, staff, handle } = await enrolIn(8);
    const view = await postTheGuard(handle);
    expect(view.measuresTaken).toEqual(['warning_talk', 'guard_posted']);
    expect(view.guardPost).toMatchObject({ postId: guardPostId(number), unfilled: 0 });
    expect(view.guardPost!.shifts).toBeGreaterThan(3 * 12);

    const [post] = await db.query(`SELECT kind, jurisdiction, observation_number, location, closed_at FROM roster_post WHERE id = $1`, [guardPostId(number)]);
    expect(post).toMatchObject({ kind: 'guard', jurisdiction: community, observation_number: number, location: '3 2', closed_at: null });
    const shifts = await shiftsOf(number);
    expect(shifts).toHaveLength(view.guardPost!.shifts!);
    const releaseDue = Date.parse(view.releaseDueAt);
    for (const shift of shifts) {
      expect(staff).toContain(shift.staff_id);
      expect(shift.start_at.getTime()).toBeLessThan(releaseDue);
    }
    const notified: Array<{ id: string }> = await db.query(`SELECT id FROM notification WHERE template = 'roster_published' AND id LIKE $1`, [`roster-published:${view.guardPost!.planId}:%`]);
    expect(notified.map((n) => n.id).sort()).toEqual([...new Set(shifts.map((s) => s.staff_id))].map((s) => `roster-published:${view.guardPost!.planId}:${s}`).sort());
    const started = shifts.filter((s) => s.workflow_started);
    expect(started.length).toBeGreaterThan(0);
    for (const shift of started) expect((await env.client.workflow.getHandle(shiftWorkflowId(shift.id)).describe()).status.name).toBe('RUNNING');
    // A retried step posts nobody twice: the ladder refuses it, and the post is one row.
    await expect(updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'guard_posted', by: 'supervisor-wang' })).rejects.toThrow();
    expect(await db.query(`SELECT id FROM roster_post WHERE observation_number = $1`, [number])).toHaveLength(1);

    await updateWithin(env.client, handle, endEarlyUpdate, { reason: 'moved_away', by: 'supervisor-wang' });
    expect(await handle.result()).toMatchObject({ status: 'ended', endReason: 'moved_away' });
    await expectCancelled(number, started);
    const [closed] = await db.query(`SELECT closed_at, close_reason FROM roster_post WHERE id = $1`, [guardPostId(number)]);
    expect(closed.closed_at).not.toBeNull();
    expect(closed.close_reason).toBe('observation ended: moved_away');
  });

  it('lifts the guard: the post closes and its shifts are cancelled, the observation goes on', async () => {
    const { number, handle } = await enrolIn(8);
    await postTheGuard(handle);
    const started = (await shiftsOf(number)).filter((s) => s.workflow_started);
    const lifted = await updateWithin(env.client, handle, liftGuardUpdate, { by: 'supervisor-wang', note: 'cooperates now' });
    expect(lifted.status).toBe('active');
    expect(lifted.guardPost!.liftedAt).toBeDefined();
    await expectCancelled(number, started);
    await expect(updateWithin(env.client, handle, liftGuardUpdate, { by: 'supervisor-wang' })).rejects.toThrow();
    // The end closes nothing more (the post is closed already).
    await updateWithin(env.client, handle, endEarlyUpdate, { reason: 'moved_away', by: 'supervisor-wang' });
    await handle.result();
    const [post] = await db.query(`SELECT close_reason FROM roster_post WHERE id = $1`, [guardPostId(number)]);
    expect(post.close_reason).toBe('the guard was lifted');
  });

  it('escalates a guard post nobody can staff to the supervisor and shows it as a gap until the post closes', async () => {
    const { number, community, handle } = await enrolIn(0);
    const view = await postTheGuard(handle);
    expect(view.guardPost!.unfilled).toBe(view.guardPost!.shifts);
    const escalation = view.escalations.find((e) => e.kind === 'guard_unstaffed');
    expect(escalation).toMatchObject({ ownerRole: 'supervisor', state: 'open' });
    expect(escalation!.reason).toContain(`no staff in community ${community}`);
    const rows = await eventually(
      () => db.query(`SELECT kind, owner_role FROM escalation WHERE observation_number = $1 AND kind = 'guard_unstaffed'`, [number]),
      (r: unknown[]) => r.length === 1,
      { what: 'the escalation written', timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(rows[0]).toMatchObject({ owner_role: 'supervisor' });
    const alerts = await db.query(`SELECT id FROM notification WHERE observation_number = $1 AND template = 'guard_unstaffed'`, [number]);
    expect(alerts.length).toBeGreaterThan(0);
    const gaps = await new RosterPostRepository(db).guardPostGaps({ community }, new Date(await env.currentTimeMs()));
    expect(gaps).toEqual([expect.objectContaining({ postId: guardPostId(number), observationNumber: number, unfilledShifts: expect.any(Number) })]);

    await updateWithin(env.client, handle, endEarlyUpdate, { reason: 'hospital', by: 'supervisor-wang' });
    await handle.result();
    const [post] = await db.query(`SELECT closed_at FROM roster_post WHERE id = $1`, [guardPostId(number)]);
    expect(post.closed_at).not.toBeNull();
    expect(await new RosterPostRepository(db).guardPostGaps({ community }, new Date(await env.currentTimeMs()))).toEqual([]);
  });

  it('releases on its day all the same: a guard gap holds back no release, which resolves it and closes the post', async () => {
    const { number, input, community, handle } = await enrolIn(0);
    await postTheGuard(handle);
    // One day, its one slot opened before the enrolment: nothing is owed, so nothing but the guard gap is open at the release.
    const oneDay = { ...input.policy, id: `C-guard-${uniqueTag()}`, version: 1000 + Math.floor(Math.random() * 1e6), rules: { ...input.policy.rules, periodDays: 1, slots: [{ start: '00:00', end: '00:30' }] } };
    // Effective far ahead on a day of its own (one policy per category and day; other tests add theirs).
    await db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, 'C', $2, DATE '2100-01-01' + $2::int, $3)`, [oneDay.id, oneDay.version, JSON.stringify(oneDay.rules)]);
    const moved = await updateWithin(env.client, handle, changePolicyUpdate, { policy: oneDay, by: 'supervisor-wang' });
    expect(moved.escalations).toEqual([expect.objectContaining({ kind: 'guard_unstaffed', state: 'open' })]);
    await sleepUntil(env, Date.parse(moved.releaseDueAt) + MINUTE);
    expect(await handle.result()).toMatchObject({ status: 'released', at: moved.releaseDueAt });
    const [escalation] = await db.query(`SELECT state, resolution FROM escalation WHERE observation_number = $1 AND kind = 'guard_unstaffed'`, [number]);
    expect(escalation).toEqual({ state: 'resolved', resolution: 'observation released' });
    const [post] = await db.query(`SELECT close_reason FROM roster_post WHERE id = $1`, [guardPostId(number)]);
    expect(post.close_reason).toBe('observation released');
    expect(await new RosterPostRepository(db).guardPostGaps({ community }, new Date(await env.currentTimeMs()))).toEqual([]);
  });
});
