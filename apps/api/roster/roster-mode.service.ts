import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationRequest } from '../../../libs/notifications/notification-outbox';
import { RosterPlanner } from '../../../activities/roster/roster-planner';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { RosterMode, ROSTER_MODES } from '../../../workflows/roster/roster-seats';
import { localDate, localTime } from '../../../libs/domain/local-time';
import { PublishResult, RosterPlanningService } from './roster-planning.service';

export interface ModeSwitchRequest {
  mode: RosterMode;
  by: string;
  reason: string;
}

export interface ModeSwitchResult extends PublishResult {
  jurisdiction: string;
  from: RosterMode;
  to: RosterMode;
  effectiveAt: string;
  /** The re-planned window (local dates). */
  window: { from: string; to: string };
}

const MODE_LABEL: Record<RosterMode, string> = { peace: '平时', war: '战时' };

/**
 * The peace/war switch (平战转换): at once, for one jurisdiction. The published window of its posts
 * is re-planned with the new mode's headcounts and minimal change (seats added from now, even in the
 * running shift; seats no longer needed cancelled unless someone is on post there), the new shifts'
 * workflows start, the people affected and the supervisors are told, and the switch is audited.
 */
@Injectable()
export class RosterModeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly planner: RosterPlanner,
    private readonly planning: RosterPlanningService,
  ) {}

  async current(jurisdiction: string) {
    const posts = await this.dataSource.query(`SELECT id FROM roster_post WHERE jurisdiction = $1 ORDER BY id`, [jurisdiction]);
    if (!posts.length) throw notFound('jurisdiction with posts', jurisdiction);
    const [row] = await this.dataSource.query(`SELECT mode, changed_at, changed_by FROM roster_mode WHERE jurisdiction = $1`, [jurisdiction]);
    const switches = await this.dataSource.query(
      `SELECT from_mode AS "from", to_mode AS "to", effective_at AS "effectiveAt", switched_by AS "by", reason, summary FROM roster_mode_switch WHERE jurisdiction = $1 ORDER BY effective_at DESC, id DESC LIMIT 20`,
      [jurisdiction],
    );
    return { jurisdiction, mode: (row?.mode ?? 'peace') as RosterMode, changedAt: row?.changed_at ?? null, changedBy: row?.changed_by ?? null, postIds: posts.map((p: { id: string }) => p.id), switches };
  }

  async switchMode(jurisdiction: string, request: ModeSwitchRequest, now = Date.now()): Promise<ModeSwitchResult> {
    const problems: FieldProblem[] = [];
    if (!ROSTER_MODES.includes(request.mode)) problems.push({ field: 'mode', reason: 'must be peace or war' });
    if (!request.by?.trim()) problems.push({ field: 'by', reason: 'is required' });
    if (!request.reason?.trim()) problems.push({ field: 'reason', reason: 'is required' });
    if (problems.length) throw invalidAll(problems);
    const { mode: from, postIds } = await this.current(jurisdiction);
    if (from === request.mode) throw conflict(`jurisdiction ${jurisdiction} is already in ${from} mode`, {}, [{ field: 'mode', reason: `already ${from}` }]);

    const offset = this.planner.offset(now);
    const today = localDate(now, offset);
    // The affected window is what is published and not over; dates nobody rostered stay for a plan.
    const [{ first, last }] = await this.dataSource.query(
      `SELECT to_char(min(shift_date), 'YYYY-MM-DD') AS first, to_char(max(shift_date), 'YYYY-MM-DD') AS last FROM roster_shift WHERE post_id = ANY($1) AND status = 'published' AND end_at > $2`,
      [postIds, new Date(now)],
    );
    const window = first ? { from: first, to: last } : { from: today, to: today };
    const posts = await this.planner.posts(postIds);
    const modes = await this.planner.modes();
    modes.set(jurisdiction, request.mode);
    const modeOf = (j: string) => modes.get(j) ?? 'peace';
    const plan = first ? await this.planning.solvePlan({ from: window.from, to: window.to, posts, modeOf, by: request.by, now }) : undefined;
    const effectiveAt = new Date(now);
    const switchId = randomUUID();
    // Records the switch; returns its notices (to everyone whose shifts changed, and the posts' supervisors).
    const record = async (manager: EntityManager, published: PublishResult): Promise<NotificationRequest[]> => {
      await manager.query(
        `INSERT INTO roster_mode (jurisdiction, mode, changed_at, changed_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (jurisdiction) DO UPDATE SET mode = EXCLUDED.mode, changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by`,
        [jurisdiction, request.mode, effectiveAt, request.by],
      );
      const summary = { planId: plan?.id ?? null, window, added: published.added, cancelled: published.cancelled, reassigned: published.reassigned, unfilled: published.unfilled, affectedStaff: published.affectedStaff };
      await manager.query(
        `INSERT INTO roster_mode_switch (jurisdiction, from_mode, to_mode, effective_at, switched_by, reason, summary) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [jurisdiction, from, request.mode, effectiveAt, request.by, request.reason, JSON.stringify(summary)],
      );
      const supervisors: string[] = (await manager.query(`SELECT DISTINCT supervisor FROM roster_post WHERE id = ANY($1)`, [postIds])).map((r: { supervisor: string }) => r.supervisor);
      const params = { mode: MODE_LABEL[request.mode], effectiveAt: `${today} ${localTime(now, offset)}`, reason: request.reason };
      return [...new Set([...published.affectedStaff, ...supervisors])].map((staff) => ({
        id: `mode-switch:${switchId}:${staff}`,
        recipient: { staff },
        template: 'mode_switch',
        params,
      }));
    };
    const result = plan
      ? await this.planning.apply(plan, posts, modeOf, request.by, now, record)
      : await this.planning.transactionNotifying(async (manager) => {
          const nothing: PublishResult = { planId: '', published: 0, added: [], reassigned: [], cancelled: [], unfilled: [], started: [], affectedStaff: [] };
          return { value: nothing, notices: await record(manager, nothing) };
        });
    return { ...result, jurisdiction, from, to: request.mode, effectiveAt: effectiveAt.toISOString(), window };
  }
}
