import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { NotificationRequest, recipientKey } from '../../../libs/notifications/notification-outbox';
import type { RosterPlan } from '../../../libs/persistence/roster/roster-plan.repository';
import type { RosterPost } from '../../../libs/persistence/roster/roster-post.repository';
import { conflict, DomainError, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { localDate, localTime } from '../../../libs/domain/local-time';
import { ModeSwitch, RosterModeRepository } from '../../../libs/persistence/roster/roster-mode.repository';
import { RosterPostRepository } from '../../../libs/persistence/roster/roster-post.repository';
import { RosterShiftRepository } from '../../../libs/persistence/roster/roster-shift.repository';
import { RosterPlanner } from '../../../libs/roster/roster-planner';
import { RosterMode, ROSTER_MODES } from '../../../libs/roster/roster-seats';
import { PlanApplication, PlanOutcome, PublishResult, RosterPlanningService } from '../../../libs/roster/roster-planning.service';

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

  /**
   * What the switch would do now, changing nothing: the re-planned shifts, the people whose shifts
   * change and the notices; its `previewId` makes the switch do exactly that or refuse (409).
   */
  async previewSwitch(jurisdiction: string, request: ModeSwitchRequest, now = Date.now()): Promise<ModeSwitchPreview> {
    const prepared = await this.prepare(jurisdiction, request, now);
    const plan = prepared.published ? await this.planning.solvePlan({ ...prepared.window, posts: prepared.posts, modeOf: prepared.modeOf, by: request.by, now }) : undefined;
    return this.describe(prepared, plan?.id ?? null, await this.outcome(prepared, plan, now));
  }

  async switchMode(jurisdiction: string, request: ModeSwitchRequest & { previewId?: string }, now = Date.now()): Promise<ModeSwitchResult> {
    const prepared = await this.prepare(jurisdiction, request, now);
    const preview = request.previewId === undefined ? undefined : parsePreviewId(request.previewId);
    const plan = preview
      ? preview.planId && (await this.previewedPlan(preview.planId, prepared))
      : prepared.published
        ? await this.planning.solvePlan({ ...prepared.window, posts: prepared.posts, modeOf: prepared.modeOf, by: request.by, now })
        : undefined;
    if (preview && !plan) {
      // Nothing was published to re-plan when previewed: still so, and telling the same people?
      const now_ = await this.outcome(prepared, undefined, now);
      if (prepared.published || now_.fingerprint !== preview.fingerprint) {
        const fresh = prepared.published ? await this.previewSwitch(jurisdiction, request, now) : this.describe(prepared, null, now_);
        throw conflict('the roster changed since this preview: nothing was changed; here is what it would do now', { preview: fresh }, [{ field: 'previewId', reason: 'outdated' }]);
      }
    }
    const result = plan
      ? preview
        ? await this.planning
            .confirm(preview.fingerprint, this.application(prepared, plan, request.by, now), (outcome) => this.describe(prepared, plan.id, outcome))
            .catch(async (error) => {
              // The previewed plan no longer fits the roster (someone's leave, a shift taken): the switch as it would be now.
              if (!(error instanceof DomainError) || error.kind !== 'conflict' || 'preview' in error.details) throw error;
              throw conflict(`${error.message}: nothing was changed; here is what the switch would do now`, { preview: await this.previewSwitch(jurisdiction, request, now) }, error.problems);
            })
        : await this.planning.apply(this.application(prepared, plan, request.by, now))
      : await this.planning.transactionNotifying(async (tx) => ({ value: NOTHING, notices: await prepared.record(tx, NOTHING) }));
    return { ...result, jurisdiction, from: prepared.from, to: request.mode, effectiveAt: new Date(now).toISOString(), window: prepared.window };
  }

  /** Checks the request and gathers what the switch works on; `record` stores the switch and answers its notices. */
  private async prepare(jurisdiction: string, request: ModeSwitchRequest, now: number): Promise<PreparedSwitch> {
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
    const effectiveAt = new Date(now);
    const switchId = randomUUID();
    // Records the switch; returns its notices (to everyone whose shifts changed, and the posts' supervisors).
    const record = async (tx: EntityManager, changes: PublishResult): Promise<NotificationRequest[]> => {
      const summary = { planId: changes.planId || null, window, added: changes.added, cancelled: changes.cancelled, reassigned: changes.reassigned, unfilled: changes.unfilled, affectedStaff: changes.affectedStaff };
      await this.modes.recordSwitch(tx, { jurisdiction, from, to: request.mode, effectiveAt, by: request.by, reason: request.reason, summary });
      const params = { mode: MODE_LABEL[request.mode], effectiveAt: `${today} ${localTime(now, offset)}`, reason: request.reason };
      return [...new Set([...changes.affectedStaff, ...posts.map((p) => p.supervisor)])].map((staff) => ({
        id: `mode-switch:${switchId}:${staff}`,
        recipient: { staffId: staff },
        template: 'mode_switch',
        params,
      }));
    };
    return { jurisdiction, from, to: request.mode, window, published: !!published, posts, postIds, modeOf, record };
  }

  /** What applying (or, with no plan, recording) the switch would do, rolled back. */
  private async outcome(prepared: PreparedSwitch, plan: RosterPlan | undefined, now: number): Promise<PlanOutcome> {
    if (plan) return this.planning.preview(this.application(prepared, plan, 'preview', now));
    return this.planning.previewNotifying(async (tx) => ({ result: NOTHING, notices: await prepared.record(tx, NOTHING) }));
  }

  private application(prepared: PreparedSwitch, plan: RosterPlan, by: string, now: number): PlanApplication {
    return { plan, posts: prepared.posts, modeOf: prepared.modeOf, by, now, during: prepared.record };
  }

  /** The plan a preview solved, if it is still a draft of this jurisdiction's posts; else the preview is outdated (409). */
  private async previewedPlan(planId: string, prepared: PreparedSwitch): Promise<RosterPlan> {
    // Unknown is outdated; the database unavailable is not (503, as ever).
    const plan = await this.planning.plan(planId).catch((error) => {
      if (error instanceof DomainError && error.kind === 'not_found') return undefined;
      throw error;
    });
    const samePosts = plan && [...plan.postIds].sort().join() === [...prepared.postIds].sort().join();
    if (!plan || plan.state !== 'draft' || !samePosts) {
      throw conflict(`the preview's plan ${planId} is ${plan ? (samePosts ? plan.state : 'of other posts') : 'unknown'}: preview again`, {}, [{ field: 'previewId', reason: 'outdated' }]);
    }
    return plan;
  }

  private describe(prepared: PreparedSwitch, planId: string | null, { result, notices, fingerprint }: PlanOutcome): ModeSwitchPreview {
    return {
      previewId: `${planId ?? 'none'}.${fingerprint}`,
      jurisdiction: prepared.jurisdiction,
      from: prepared.from,
      to: prepared.to,
      window: prepared.window,
      planId,
      added: result.added,
      cancelled: result.cancelled,
      reassigned: result.reassigned,
      unfilled: result.unfilled,
      affectedStaff: result.affectedStaff,
      counts: { shifts: result.added.length + result.cancelled.length + result.reassigned.length, people: result.affectedStaff.length, notices: notices.length },
      notices: notices.map((n) => ({ recipient: recipientKey(n.recipient), template: n.template })),
    };
  }
}

const NOTHING: PublishResult = { planId: '', published: 0, added: [], reassigned: [], cancelled: [], unfilled: [], started: [], untold: [], affectedStaff: [] };

interface PreparedSwitch {
  jurisdiction: string;
  from: RosterMode;
  to: RosterMode;
  window: { from: string; to: string };
  /** Whether any shift of the jurisdiction is published and not over: only then is there a plan to solve. */
  published: boolean;
  posts: RosterPost[];
  postIds: string[];
  modeOf: (jurisdiction: string) => RosterMode;
  record: (tx: EntityManager, changes: PublishResult) => Promise<NotificationRequest[]>;
}

/** A switch as previewed: what it changes, whom it tells, and the id that makes the switch do exactly that. */
export interface ModeSwitchPreview {
  previewId: string;
  jurisdiction: string;
  from: RosterMode;
  to: RosterMode;
  window: { from: string; to: string };
  planId: string | null;
  added: string[];
  cancelled: string[];
  reassigned: PublishResult['reassigned'];
  unfilled: PublishResult['unfilled'];
  affectedStaff: string[];
  counts: { shifts: number; people: number; notices: number };
  notices: Array<{ recipient: string; template: string }>;
}

function parsePreviewId(id: string): { planId: string | null; fingerprint: string } {
  const match = /^(none|[0-9a-f-]{36})\.([A-Za-z0-9_-]{22})$/.exec(id);
  if (!match) throw invalidAll([{ field: 'previewId', reason: 'is not a preview id from POST …/mode/preview' }]);
  return { planId: match[1] === 'none' ? null : match[1], fingerprint: match[2] };
}
