import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createChannels } from '../../activities/notifications/channels';
import { NotificationActivities } from '../../activities/notifications/notification.activities';
import { NotificationOutbox } from '../../activities/notifications/notification-outbox';
import { RosterPlanner } from '../../activities/roster/roster-planner';
import { ShiftLauncher } from '../../activities/roster/shift-launcher';
import { RosterModeService } from '../../apps/api/roster/roster-mode.service';
import { RosterPlanningService } from '../../apps/api/roster/roster-planning.service';
import { AppConfig } from '../../libs/config/config';
import { dataConverterFor } from '../../libs/temporal/connection';
import type { PostRequirements } from '../../workflows/roster/roster-seats';
import type { Http } from '../support/auth';
import { eventually } from '../support/eventually';

/**
 * The planning and mode services on real PostgreSQL and a real Temporal client (time-skipping or dev
 * server). They get a plain client on the same connection, as the API has: a time-skipping client
 * would skip time while they wait for a plan's solve.
 */
export function rosterServices(db: DataSource, testClient: Client, config: AppConfig) {
  const client = new Client({ connection: testClient.connection, namespace: testClient.options.namespace, dataConverter: dataConverterFor(config.temporal) });
  const channels = createChannels({});
  const outbox = new NotificationOutbox(channels);
  const launcher = new ShiftLauncher(db, config);
  const planner = new RosterPlanner(db, config);
  const planning = new RosterPlanningService(db, config, client, planner, launcher, outbox, new NotificationActivities(db, channels, outbox));
  return { planning, launcher, modes: new RosterModeService(db, planner, planning) };
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
  staff: { id: string; skills: string[]; role?: string; maxConsecutiveDays?: number; maxHoursPerWeek?: number; email?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO roster_staff (id, name, role, skills, max_consecutive_days, max_hours_per_week, email) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [staff.id, `Name of ${staff.id}`, staff.role ?? 'cadre', staff.skills, staff.maxConsecutiveDays ?? null, staff.maxHoursPerWeek ?? null, staff.email ?? null],
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
