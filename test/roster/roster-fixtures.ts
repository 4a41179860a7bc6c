import { notificationOutbox } from '../support/outbox';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createChannels } from '../../libs/notifications/channels';
import { RosterModeRepository } from '../../libs/persistence/roster/roster-mode.repository';
import { RosterPlanRepository } from '../../libs/persistence/roster/roster-plan.repository';
import { RosterPostRepository } from '../../libs/persistence/roster/roster-post.repository';
import { RosterShiftRepository } from '../../libs/persistence/roster/roster-shift.repository';
import { RosterStaffRepository } from '../../libs/persistence/roster/roster-staff.repository';
import { RosterPlanner } from '../../libs/roster/roster-planner';
import { ShiftFollower } from '../../libs/roster/shift-follower';
import { ShiftLauncher } from '../../libs/roster/shift-launcher';
import { StaffNotices } from '../../libs/roster/staff-notices';
import { RosterModeService } from '../../apps/api/roster/roster-mode.service';
import { ShiftRequestService } from '../../apps/api/roster/shift-request.service';
import { ShiftRequestRepository } from '../../libs/persistence/roster/shift-request.repository';
import { RosterPlanningService } from '../../libs/roster/roster-planning.service';
import { AppConfig } from '../../libs/config/config';
import { clientOn } from '../../libs/temporal/connection';
import { PostRequirements } from '../../libs/roster/roster-seats';
import { addDays, localDate } from '../../libs/domain/local-time';
import type { Http } from '../support/auth';
import { eventually } from '../support/eventually';

/**
 * The planning and mode services on real PostgreSQL and a real Temporal client (time-skipping or dev
 * server). They get the API's own client on the same connection: a time-skipping client
 * would skip time while they wait for a plan's solve. `tellThrough`: the client running shift
 * workflows are told of changes through (one that fails, to leave them to the reconciler).
 */
export function rosterServices(db: DataSource, testClient: Client, config: AppConfig, { tellThrough }: { tellThrough?: Client } = {}) {
  const client = clientOn(testClient.connection, config.temporal);
  const outbox = notificationOutbox(db, createChannels({}));
  const [posts, modes, staff, plans, shifts] = [new RosterPostRepository(db), new RosterModeRepository(db), new RosterStaffRepository(db), new RosterPlanRepository(db), new RosterShiftRepository(db)];
  const planner = new RosterPlanner(config, posts, modes, staff, shifts);
  const notices = new StaffNotices(staff, outbox);
  const follower = new ShiftFollower(shifts, tellThrough ?? client);
  const launcher = new ShiftLauncher(config, shifts, follower);
  const planning = new RosterPlanningService(db, config, client, planner, launcher, follower, notices, outbox, plans, shifts);
  const requests = new ShiftRequestService(config, follower, planner, planning, new ShiftRequestRepository(db), shifts, staff);
  return { planner, planning, launcher, requests, modes: new RosterModeService(planner, planning, posts, modes, shifts) };
}

/** A unique suffix so test files sharing one database never collide. */
export function uniqueTag(): string {
  return randomUUID().slice(0, 8);
}

export async function insertPost(
  db: DataSource,
  post: { id: string; jurisdiction: string; requirements: PostRequirements; supervisor: string; onCall: string[]; name?: string; kind?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO roster_post (id, kind, name, jurisdiction, requirements, pattern, supervisor, on_call) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [post.id, post.kind ?? 'checkpoint', post.name ?? post.id, post.jurisdiction, JSON.stringify(post.requirements), JSON.stringify([{ start: '00:00', hours: 8 }, { start: '08:00', hours: 8 }, { start: '16:00', hours: 8 }]), post.supervisor, post.onCall],
  );
}

export async function insertStaff(
  db: DataSource,
  staff: { id: string; skills: string[]; role?: string; maxConsecutiveDays?: number; maxHoursPerWeek?: number; email?: string; homeCommunity?: string },
): Promise<void> {
  // Staff have their own mobile (messages to them are addressed to it), unless an email is given.
  const mobile = staff.email ? null : `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  await db.query(
    `INSERT INTO roster_staff (id, name, role, skills, max_consecutive_days, max_hours_per_week, email, mobile, home_community) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [staff.id, `Name of ${staff.id}`, staff.role ?? 'cadre', staff.skills, staff.maxConsecutiveDays ?? null, staff.maxHoursPerWeek ?? null, staff.email ?? null, mobile, staff.homeCommunity ?? null],
  );
}

/**
 * `POST /rosters` (answered 202 with the plan solving), then the plan once the worker has solved it,
 * read through `GET /rosters/:id` as a client would.
 */
export async function solvedPlan(http: Http, request: Record<string, unknown>) {
  const asked = await http.post('/rosters').send(request);
  if (asked.status !== 202 || asked.body.state !== 'solving') throw new Error(`POST /rosters answered ${asked.status}: ${JSON.stringify(asked.body)}`);
  if (asked.headers.location !== `/rosters/${asked.body.id}`) throw new Error(`POST /rosters gave no Location of the plan: ${asked.headers.location}`);
  const solved = await eventually(() => http.get(`/rosters/${asked.body.id}`), (r) => r.status === 200 && r.body.state !== 'solving', {
    what: `roster ${asked.body.id} solved`,
    timeoutMs: 60_000,
    intervalMs: 100,
    show: (r) => [r.status, r.body.state],
  });
  return solved.body;
}

/**
 * A checkpoint post (three staff, a backup on call) with the three 8-hour shifts of the local day
 * after `now` planned and published, which starts their workflows; the shifts in time order.
 */
export async function checkpointDay(db: DataSource, services: ReturnType<typeof rosterServices>, now: number, utcOffsetMinutes = 480) {
  const tag = uniqueTag();
  const skill = `checkpoint-${tag}`;
  const postId = `cp-${tag}`;
  const [a, b, c, backup, supervisor] = ['a', 'b', 'c', 'oncall', 'sup'].map((x) => `${x}-${tag}`);
  await insertPost(db, { id: postId, jurisdiction: `highway-exit-${tag}`, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] }, supervisor, onCall: [backup] });
  for (const id of [a, b, c]) await insertStaff(db, { id, skills: [skill] });
  await insertStaff(db, { id: backup, skills: ['on-call'] });
  await insertStaff(db, { id: supervisor, skills: ['supervision'] });
  const day = addDays(localDate(now, utcOffsetMinutes), 1);
  const plan = await services.planning.whenSolved((await services.planning.createPlan({ from: day, to: day, postIds: [postId], by: 'supervisor-zhao' }, now)).id);
  await services.planning.publish(plan.id, 'supervisor-zhao', now);
  const shifts: Array<{ id: string; staff_id: string; start_at: Date; end_at: Date }> = await db.query(
    `SELECT id, staff_id, start_at, end_at FROM roster_shift WHERE post_id = $1 AND status = 'published' ORDER BY start_at`,
    [postId],
  );
  return { postId, shifts, staff: [a, b, c], backup, supervisor };
}
