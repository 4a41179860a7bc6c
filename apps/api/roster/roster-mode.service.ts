import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { NotificationRequest } from '../../../libs/notifications/notification-outbox';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { localDate, localTime } from '../../../libs/domain/local-time';
import { ModeSwitch, RosterModeRepository } from '../../../libs/persistence/roster/roster-mode.repository';
import { RosterPostRepository } from '../../../libs/persistence/roster/roster-post.repository';
import { RosterShiftRepository } from '../../../libs/persistence/roster/roster-shift.repository';
import { RosterPlanner } from '../../../libs/roster/roster-planner';
import { RosterMode, ROSTER_MODES } from '../../../libs/roster/roster-seats';
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
    private readonly planner: RosterPlanner,
    private readonly planning: RosterPlanningService,
    private readonly posts: RosterPostRepository,
    private readonly modes: RosterModeRepository,
    private readonly shifts: RosterShiftRepository,
  ) {}

  async current(jurisdiction: string): Promise<{ jurisdiction: string; mode: RosterMode; changedAt: Date | null; changedBy: string | null; postIds: string[]; switches: Array<Omit<ModeSwitch, 'jurisdiction'>> }> {
    const posts = await this.posts.inJurisdiction(jurisdiction);
    if (!posts.length) throw notFound('jurisdiction with posts', jurisdiction);
    const [now, switches] = await Promise.all([this.modes.get(jurisdiction), this.modes.switches(jurisdiction, 20)]);
    return {
      jurisdiction,
      mode: now?.mode ?? 'peace',
      changedAt: now?.changedAt ?? null,
      changedBy: now?.changedBy ?? null,
      postIds: posts.map((p) => p.id),
      switches: switches.map(({ jurisdiction: _j, ...change }) => change),
    };
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
    const published = await this.shifts.publishedDates(postIds, new Date(now));
    const window = published ? { from: published.first, to: published.last } : { from: today, to: today };
    const posts = await this.planner.posts(postIds);
    const modes = await this.planner.modes();
    modes.set(jurisdiction, request.mode);
    const modeOf = (j: string) => modes.get(j) ?? 'peace';
    const plan = published ? await this.planning.solvePlan({ from: window.from, to: window.to, posts, modeOf, by: request.by, now }) : undefined;
    const effectiveAt = new Date(now);
    const switchId = randomUUID();
    // Records the switch; returns its notices (to everyone whose shifts changed, and the posts' supervisors).
    const record = async (tx: EntityManager, changes: PublishResult): Promise<NotificationRequest[]> => {
      const summary = { planId: plan?.id ?? null, window, added: changes.added, cancelled: changes.cancelled, reassigned: changes.reassigned, unfilled: changes.unfilled, affectedStaff: changes.affectedStaff };
      await this.modes.recordSwitch(tx, { jurisdiction, from, to: request.mode, effectiveAt, by: request.by, reason: request.reason, summary });
      const params = { mode: MODE_LABEL[request.mode], effectiveAt: `${today} ${localTime(now, offset)}`, reason: request.reason };
      return [...new Set([...changes.affectedStaff, ...posts.map((p) => p.supervisor)])].map((staff) => ({
        id: `mode-switch:${switchId}:${staff}`,
        recipient: { staff },
        template: 'mode_switch',
        params,
      }));
    };
    const result = plan
      ? await this.planning.apply(plan, posts, modeOf, request.by, now, record)
      : await this.planning.transactionNotifying(async (tx) => {
          const nothing: PublishResult = { planId: '', published: 0, added: [], reassigned: [], cancelled: [], unfilled: [], started: [], affectedStaff: [] };
          return { value: nothing, notices: await record(tx, nothing) };
        });
    return { ...result, jurisdiction, from, to: request.mode, effectiveAt: effectiveAt.toISOString(), window };
  }
}
