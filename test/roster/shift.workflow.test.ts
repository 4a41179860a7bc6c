/**
 * Shift workflows over a whole two-week roster on Temporal's time-skipping test server, with the
 * real planner, activities and PostgreSQL: check-in, no-show escalation, the hand-over chain, and
 * the peace/war switch.
 */
import { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../libs/config/config';
import type { ShiftChanges } from '../../activities/roster/shift.activities';
import { HOUR, MINUTE, addDays, localDate } from '../../libs/domain/local-time';
import { DEFAULT_SHIFT_TIMING } from '../../workflows/roster/shift-policy';
import {
  acknowledgeHandoverUpdate,
  checkInUpdate,
  handoverOfferedSignal,
  logIncidentUpdate,
  reassignUpdate,
  shiftStateQuery,
  shiftWorkflowId,
  submitHandoverUpdate,
} from '../../workflows/roster/shift.messages';
import type { shiftWorkflow } from '../../workflows/roster/shift.workflow';
import { ActivityHolds } from '../support/activity-holds';
import { sleepUntil, timeSkippingPerTest } from '../support/time-skipping';
import { eventually } from '../support/eventually';
import { updateWithin } from '../support/deadline';
import { growHistory, handledWhileHeld } from '../support/workflow-history';
import { checkpointDay, insertPost, insertStaff, rosterServices, uniqueTag } from './roster-fixtures';

jest.setTimeout(600_000);

const OFFSET = 480;

interface ShiftRow {
  id: string;
  staff_id: string | null;
  start_at: Date;
  end_at: Date;
  seat_no: number;
}

describe('shift workflows (time-skipping server, real PostgreSQL)', () => {
  let config: AppConfig;
  let env: TestWorkflowEnvironment;
  let db: DataSource;
  let services: ReturnType<typeof rosterServices>;
  const holds = new ActivityHolds();

  timeSkippingPerTest(
    (test) => {
      ({ env, config, db } = test);
      services = rosterServices(db, env.client, config);
    },
    { interceptors: holds.interceptors },
  );


  const handle = (shiftId: string): WorkflowHandle<typeof shiftWorkflow> => env.client.workflow.getHandle(shiftWorkflowId(shiftId));

  async function shiftsOf(postId: string): Promise<ShiftRow[]> {
    return db.query(`SELECT id, staff_id, start_at, end_at, seat_no FROM roster_shift WHERE post_id = $1 AND status = 'published' ORDER BY start_at, seat_no`, [postId]);
  }

  async function events(shiftId: string): Promise<Array<{ kind: string; at: number; detail: Record<string, unknown> }>> {
    const rows = await db.query(`SELECT kind, at, detail FROM roster_shift_event WHERE shift_id = $1 ORDER BY at, id`, [shiftId]);
    return rows.map((r: { kind: string; at: Date; detail: Record<string, unknown> }) => ({ kind: r.kind, at: r.at.getTime(), detail: r.detail }));
  }

  /** Ends the shift workflows a test leaves running (a workflow left running would hold the test server's clock). */
  async function stopRunning(shifts: Array<{ id: string }>) {
    for (const s of shifts) if ((await handle(s.id).describe()).status.name === 'RUNNING') await handle(s.id).terminate('test done');
  }

  /** The incoming shift has the outgoing shift's note once the outgoing workflow has found and signalled it. */
  async function waitForOffer(shiftId: string) {
    await eventually(() => handle(shiftId).query(shiftStateQuery), (state) => Boolean(state.received), { what: `a hand-over offer reaching ${shiftId}`, timeoutMs: 10_000, intervalMs: 50 });
  }

  it('runs the seed checkpoint for 14 days: 42 shifts, one no-show on day 5 with backup and supervisor called in time, the hand-over chain intact', async () => {
    const tag = uniqueTag();
    const skill = `checkpoint-${tag}`;
    const postId = `cp-${tag}`;
    const [a, b, c, backup, supervisor] = ['a', 'b', 'c', 'oncall', 'sup'].map((s) => `${s}-${tag}`);
    await insertPost(db, { id: postId, jurisdiction: `highway-exit-${tag}`, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] }, supervisor, onCall: [backup] });
    // Three people for 3 × 8 h a day for 14 days: only feasible if each may work every day (56 h a
    // week, 14 days in a row); the default contract (48 h, six days in seven) fills 36 of 42.
    for (const id of [a, b, c]) await insertStaff(db, { id, skills: [skill], maxConsecutiveDays: 14, maxHoursPerWeek: 56 });
    await insertStaff(db, { id: backup, skills: ['on-call'] });
    // The post's supervisor is a staff member with their own mobile: the no-show and hand-over notices go to it.
    await insertStaff(db, { id: supervisor, skills: ['supervision'] });

    const now = await env.currentTimeMs();
    const first = addDays(localDate(now, OFFSET), 1);
    const plan = await services.planning.whenSolved((await services.planning.createPlan({ from: first, to: addDays(first, 13), postIds: [postId], by: 'supervisor-zhao' }, now)).id);
    expect(plan.stats).toMatchObject({ seats: 42, filled: 42, unfilled: 0 });
    await services.planning.publish(plan.id, 'supervisor-zhao', now);
    // Publishing starts two days ahead; the rest is the roll-forward's job, done here at once.
    await services.launcher.startDue(env.client, { now, until: now + 15 * 24 * HOUR });

    const shifts = await shiftsOf(postId);
    expect(shifts).toHaveLength(42);
    const noShow = shifts[4 * 3 + 1]; // day 5, 08–16
    const grace = DEFAULT_SHIFT_TIMING.graceMinutes * MINUTE;
    const supervisorAfter = DEFAULT_SHIFT_TIMING.supervisorAfterMinutes * MINUTE;

    for (const [i, shift] of shifts.entries()) {
      const start = shift.start_at.getTime();
      const previous = shifts[i - 1];
      if (previous) {
        await sleepUntil(env, start - 10 * MINUTE);
        await updateWithin(env.client, handle(previous.id), submitHandoverUpdate, { by: previous.staff_id!, note: `shift ${i} quiet, 12 vehicles checked` });
      }
      if (shift === noShow) {
        await sleepUntil(env, start + grace + MINUTE);
        let state = await handle(shift.id).query(shiftStateQuery);
        expect(state).toMatchObject({ state: 'no_show', backupCalled: backup, gapSince: new Date(start + grace).toISOString() });
        expect(state.supervisorTold).toBeUndefined();
        await sleepUntil(env, start + grace + supervisorAfter + MINUTE);
        state = await handle(shift.id).query(shiftStateQuery);
        expect(state.supervisorTold).toBe(new Date(start + grace + supervisorAfter).toISOString());
        // The outgoing shift is still on post, waiting for someone to take over.
        expect((await handle(previous.id).query(shiftStateQuery)).state).toBe('handing_over');
        await sleepUntil(env, start + 50 * MINUTE);
        await updateWithin(env.client, handle(shift.id), checkInUpdate, { staffId: backup });
      } else {
        await sleepUntil(env, start - 5 * MINUTE);
        await updateWithin(env.client, handle(shift.id), checkInUpdate, { staffId: shift.staff_id! });
      }
      if (previous) {
        await waitForOffer(shift.id);
        await updateWithin(env.client, handle(shift.id), acknowledgeHandoverUpdate, { by: shift === noShow ? backup : shift.staff_id! });
      }
      if (i === 20) {
        await updateWithin(env.client, handle(shift.id), logIncidentUpdate, { incidentId: 'inc-1', by: shift.staff_id!, kind: 'refused_check', description: 'driver refused a temperature check' });
      }
    }
    const last = shifts[41];
    await updateWithin(env.client, handle(last.id), submitHandoverUpdate, { by: last.staff_id!, note: 'end of the roster' });
    await sleepUntil(env, last.end_at.getTime() + MINUTE);

    // The chain: every shift handed over to the next, the last one closed at its end.
    const outcomes = await Promise.all(shifts.map((s) => handle(s.id).result()));
    outcomes.slice(0, 41).forEach((outcome, i) => expect(outcome).toMatchObject({ state: 'completed', endReason: 'handed over', handedOverTo: shifts[i + 1].id }));
    expect(outcomes[41]).toMatchObject({ state: 'completed', endedAt: last.end_at.toISOString(), endReason: expect.stringContaining('no incoming shift') });
    const rows = await db.query(`SELECT id, handed_over_to, duty_state FROM roster_shift WHERE post_id = $1 ORDER BY start_at`, [postId]);
    expect(rows.map((r: { handed_over_to: string | null }) => r.handed_over_to)).toEqual([...shifts.slice(1).map((s) => s.id), null]);
    expect(new Set(rows.map((r: { duty_state: string }) => r.duty_state))).toEqual(new Set(['completed']));

    // The no-show: backup called at start + grace, supervisor told 30 min later, gap closed by the backup.
    const start = noShow.start_at.getTime();
    const noShowEvents = await events(noShow.id);
    expect(noShowEvents.filter((e) => ['no_show', 'backup_called', 'supervisor_told'].includes(e.kind))).toEqual([
      { kind: 'no_show', at: start + grace, detail: { staffId: noShow.staff_id } },
      { kind: 'backup_called', at: start + grace, detail: { backup } },
      { kind: 'supervisor_told', at: start + grace + supervisorAfter, detail: { supervisor, backup } },
    ]);
    const covered = noShowEvents.filter((e) => ['gap_closed', 'check_in'].includes(e.kind));
    expect(covered.map((e) => [e.kind, e.detail])).toEqual([
      ['gap_closed', { coveredBy: backup, gapMinutes: 35 }],
      ['check_in', { staffId: backup, covering: true }],
    ]);
    expect(covered[0].at - start).toBeGreaterThanOrEqual(50 * MINUTE);
    expect(covered[0].at - start).toBeLessThan(51 * MINUTE);
    // The outgoing shift escalated its overdue hand-over and stayed until the backup took over.
    const before = shifts[4 * 3];
    const beforeEvents = await events(before.id);
    expect(beforeEvents.find((e) => e.kind === 'handover_escalated')).toMatchObject({ at: start + DEFAULT_SHIFT_TIMING.handoverTimeoutMinutes * MINUTE });
    const handedOver = beforeEvents.find((e) => e.kind === 'completed')!.at;
    expect(handedOver).toBeGreaterThanOrEqual(start + 50 * MINUTE);
    expect(handedOver).toBeLessThan(start + 51 * MINUTE);

    const notices = await db.query(`SELECT id, recipient, template FROM notification WHERE id LIKE $1 ORDER BY id`, [`shift:${postId}-%`]);
    const byTemplate = (template: string) => notices.filter((n: { template: string }) => n.template === template);
    expect(byTemplate('shift_reminder')).toHaveLength(42);
    expect(byTemplate('shift_no_show').map((n: { recipient: string }) => n.recipient).sort()).toEqual([`staff:${backup}`, `staff:${supervisor}`]);
    expect(byTemplate('handover_pending')).toEqual([expect.objectContaining({ recipient: `staff:${supervisor}`, id: `shift:${before.id}:handover-overdue` })]);
    const [reminder] = await db.query(`SELECT body FROM notification WHERE id = $1`, [`shift:${shifts[0].id}:reminder:${shifts[0].staff_id}`]);
    expect(reminder.body).toContain(`Name of ${shifts[0].staff_id}`);
    const [incident] = await db.query(`SELECT detail FROM roster_shift_event WHERE shift_id = $1 AND kind = 'incident'`, [shifts[20].id]);
    expect(incident.detail).toMatchObject({ incidentId: 'inc-1', kind: 'refused_check' });
    // The post's supervisor told of the incident, once, with what happened.
    expect(byTemplate('shift_incident')).toEqual([expect.objectContaining({ recipient: `staff:${supervisor}`, id: `shift:${shifts[20].id}:incident:inc-1` })]);
    const [told] = await db.query(`SELECT body FROM notification WHERE id = $1`, [`shift:${shifts[20].id}:incident:inc-1`]);
    expect(told.body).toContain('driver refused a temperature check');
  });

  it('reminds the new assignee at once of a reassignment made while the reminder is being written, the write outlasting the task timeout', async () => {
    const { shifts, staff } = await checkpointDay(db, services, await env.currentTimeMs());
    const day = shifts[1];
    const other = staff.find((s) => s !== day.staff_id)!;
    // The reminder's write (a local activity) is held past the workflow task's heartbeat (at 80 % of
    // its 10 s timeout): the reassignment then arrives in a task of its own and is handled during the write.
    const write = holds.hold((type, [changes]) => type === 'recordShiftChanges' && (changes as ShiftChanges).shiftId === day.id && (changes as ShiftChanges).events.some((e) => e.kind === 'reminder'), { every: true });
    try {
      await sleepUntil(env, day.start_at.getTime() - DEFAULT_SHIFT_TIMING.reminderLeadMinutes * MINUTE);
      await write.started;
      const reassigned = updateWithin(env.client, handle(day.id), reassignUpdate, { staffId: other, by: 'supervisor-zhao', reason: 'swapped with a colleague' });
      await eventually(() => handle(day.id).fetchHistory(), handledWhileHeld('reassign'), { what: 'the reassignment handled while the reminder is being written', timeoutMs: 60_000, intervalMs: 500 });
      write.release();
      await reassigned;
      await env.sleep(MINUTE);
      const [row] = await db.query(`SELECT staff_id FROM roster_shift WHERE id = $1`, [day.id]);
      expect(row.staff_id).toBe(other);
      expect((await events(day.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['reminder', 'reassigned']));
      const reminders = await db.query(`SELECT recipient FROM notification WHERE id LIKE $1 ORDER BY created_at`, [`shift:${day.id}:reminder:%`]);
      expect(reminders.map((r: { recipient: string }) => r.recipient)).toEqual([`staff:${day.staff_id}`, `staff:${other}`]);
    } finally {
      write.release();
      await stopRunning(shifts);
    }
  });

  it('writes in its next run a check-in handled while the last write before continuing as new is held', async () => {
    const { shifts, backup } = await checkpointDay(db, services, await env.currentTimeMs());
    const [night, day] = shifts;
    await sleepUntil(env, day.start_at.getTime() + DEFAULT_SHIFT_TIMING.graceMinutes * MINUTE + MINUTE);
    const firstRun = (await handle(day.id).describe()).runId;
    // The night shift's offer, repeated: handled once, then ignored without a pass, so only the
    // incident below makes a pass past the history limit (an update's task starts two events on).
    const offer = { fromShiftId: night.id, by: night.staff_id!, note: 'quiet night', at: await env.currentTimeMs() };
    await growHistory(handle(day.id), 2_001, () => handle(day.id).signal(handoverOfferedSignal, offer), () => handle(day.id).query(shiftStateQuery));
    const write = holds.hold((type, [changes]) => type === 'recordShiftChanges' && (changes as ShiftChanges).events.some((e) => e.kind === 'incident' && e.detail.incidentId === 'inc-last'), { every: true });
    let checkIn: Promise<unknown> | undefined;
    try {
      const incident = updateWithin(env.client, handle(day.id), logIncidentUpdate, { incidentId: 'inc-last', by: backup, kind: 'gap', description: 'the seat is uncovered' });
      await write.started;
      checkIn = updateWithin(env.client, handle(day.id), checkInUpdate, { staffId: backup });
      await eventually(() => handle(day.id).fetchHistory(), handledWhileHeld('checkIn'), { what: 'the check-in handled while the write is held', timeoutMs: 60_000, intervalMs: 500 });
      write.release();
      await incident;
      await checkIn;
    } finally {
      write.release();
    }
    try {
      await eventually(() => handle(day.id).describe(), (d) => d.runId !== firstRun, { what: 'the continue-as-new', timeoutMs: 60_000 });
      const checkedIn = await eventually(() => events(day.id), (e) => e.some((x) => x.kind === 'check_in'), { what: 'the check-in written', timeoutMs: 30_000, show: (e) => e.map((x) => x.kind) });
      expect(checkedIn.find((e) => e.kind === 'check_in')!.detail).toEqual({ staffId: backup, covering: true });
      const [row] = await db.query(`SELECT checked_in_by, duty_state FROM roster_shift WHERE id = $1`, [day.id]);
      expect(row).toEqual({ checked_in_by: backup, duty_state: 'on_duty' });
    } finally {
      await stopRunning(shifts);
    }
  });

  it('switches to war-time mid-day: seats added from now and people told; switching back removes them without touching worked shifts', async () => {
    const tag = uniqueTag();
    const skill = `gate-${tag}`;
    const postId = `gate-${tag}`;
    const jurisdiction = `community-${tag}`;
    const supervisor = `sup-${tag}`;
    await insertPost(db, { id: postId, kind: 'community_gate', jurisdiction, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] }, supervisor, onCall: [] });
    const staff = Array.from({ length: 8 }, (_, i) => `g${i}-${tag}`);
    for (const id of staff) await insertStaff(db, { id, skills: [skill] });
    await insertStaff(db, { id: supervisor, skills: ['supervision'] });

    const now = await env.currentTimeMs();
    const first = addDays(localDate(now, OFFSET), 1);
    const plan = await services.planning.whenSolved((await services.planning.createPlan({ from: first, to: addDays(first, 2), postIds: [postId], by: 'supervisor-zhao' }, now)).id);
    await services.planning.publish(plan.id, 'supervisor-zhao', now);
    const peace = await shiftsOf(postId);
    expect(peace).toHaveLength(9);

    // Mid-day on the first day: the 08–16 shift is on post.
    const day = peace[1];
    await sleepUntil(env, day.start_at.getTime() - 5 * MINUTE);
    await updateWithin(env.client, handle(day.id), checkInUpdate, { staffId: day.staff_id! });
    await sleepUntil(env, day.start_at.getTime() + 4 * HOUR);
    const switchedAt = await env.currentTimeMs();
    const war = await services.modes.switchMode(jurisdiction, { mode: 'war', by: 'supervisor-zhao', reason: '出现本地病例' }, switchedAt);

    // A second seat on every shift from now: the running one (from now) and the 7 still to come.
    expect(war.added).toHaveLength(8);
    expect(war.reassigned).toEqual([]);
    expect(war.unfilled).toEqual([]);
    const warRows = await shiftsOf(postId);
    const added = warRows.filter((r) => r.seat_no === 2);
    expect(added).toHaveLength(8);
    expect(added[0]).toMatchObject({ id: day.id.replace(/-1$/, '-2'), start_at: new Date(switchedAt), end_at: day.end_at });
    // The seat starting now is running already (published shifts within two days are started).
    const current = added[0];
    expect((await handle(current.id).query(shiftStateQuery)).state).toBe('scheduled');
    await updateWithin(env.client, handle(current.id), checkInUpdate, { staffId: current.staff_id! });

    const notices = await db.query(`SELECT recipient FROM notification WHERE template = 'mode_switch' AND id LIKE 'mode-switch:%' AND recipient = ANY($1) ORDER BY recipient`, [
      [...staff, supervisor].map((s) => `staff:${s}`),
    ]);
    expect(notices.map((n: { recipient: string }) => n.recipient)).toEqual(expect.arrayContaining([`staff:${supervisor}`, ...[...new Set(added.map((r) => r.staff_id))].map((s) => `staff:${s}`)]));
    const [audit] = await db.query(`SELECT from_mode, to_mode, switched_by, summary FROM roster_mode_switch WHERE jurisdiction = $1`, [jurisdiction]);
    expect(audit).toMatchObject({ from_mode: 'peace', to_mode: 'war', switched_by: 'supervisor-zhao' });
    expect(audit.summary.added).toHaveLength(8);

    // Back to peace an hour later: the seat someone is on stays; the war seats to come go.
    await env.sleep(HOUR);
    const back = await services.modes.switchMode(jurisdiction, { mode: 'peace', by: 'supervisor-zhao', reason: '解除' }, await env.currentTimeMs());
    expect(back.cancelled.sort()).toEqual(added.slice(1).map((r) => r.id).sort());
    expect(back.added).toEqual([]);
    const after = await shiftsOf(postId);
    expect(after.filter((r) => r.seat_no === 2).map((r) => r.id)).toEqual([current.id]);
    expect((await handle(current.id).query(shiftStateQuery)).state).toBe('on_duty');
    expect((await handle(day.id).query(shiftStateQuery)).state).toBe('on_duty');
    // A cancelled war seat whose workflow had started ends as cancelled.
    const startedCancelled = await db.query(`SELECT id FROM roster_shift WHERE id = ANY($1) AND workflow_started`, [added.slice(1).map((r) => r.id)]);
    expect(startedCancelled.length).toBeGreaterThan(0);
    for (const { id } of startedCancelled) await expect(handle(id).result()).resolves.toMatchObject({ state: 'cancelled' });
  });
});
