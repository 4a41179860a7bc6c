import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Jurisdiction } from '../../auth/jurisdiction';
import type { PlannedSeat } from '../../roster/roster-seats';
import type { RosterAssignment, UnfilledSeat } from '../../roster/roster-solver';
import type { RosterPlanRequest } from '../../../workflows/roster/roster-plan.workflow';
import type { Queryable } from '../queryable';

/** solving (in the worker), then a draft until published, or failed with the reason. */
export type PlanState = 'solving' | 'draft' | 'published' | 'failed';

/** A roster (排班表) for local dates and posts, as asked for and as solved. */
export interface RosterPlan {
  id: string;
  state: PlanState;
  from: string;
  to: string;
  postIds: string[];
  /** Empty while solving. */
  seats: PlannedSeat[];
  assignments: RosterAssignment[];
  unfilled: UnfilledSeat[];
  stats: Record<string, number>;
  /** Why a failed plan could not be solved. */
  failure: string | null;
  /** What it was asked with besides its dates and posts. */
  request: RosterPlanRequest;
  /** The roster as of this instant is what it is planned against (null on plans made before the worker solved them). */
  asOf: Date | null;
  createdBy: string;
  createdAt: Date;
  publishedBy: string | null;
  publishedAt: Date | null;
}

export interface PlanAsked {
  from: string;
  to: string;
  postIds: string[];
  request: RosterPlanRequest;
  asOf: Date;
  createdBy: string;
  /** The client's idempotency key: asked again with it, the plan first made is the answer. */
  requestId?: string;
}

export interface PlanDraft {
  seats: PlannedSeat[];
  assignments: RosterAssignment[];
  unfilled: UnfilledSeat[];
  stats: Record<string, number>;
}

const COLUMNS = `id, state, to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to", post_ids AS "postIds", seats, assignments, unfilled, stats,
  failure, request, as_of AS "asOf", created_by AS "createdBy", created_at AS "createdAt", published_by AS "publishedBy", published_at AS "publishedAt"`;

/** roster_plan: every statement on plans. Ids are uuids (callers check the spelling first). */
@Injectable()
export class RosterPlanRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new plan, solving; `created` false when the request id already made one (its id is returned). */
  async insert(plan: PlanAsked): Promise<{ id: string; created: boolean }> {
    const inserted: Array<{ id: string }> = await this.db.query(
      `INSERT INTO roster_plan (from_date, to_date, post_ids, state, seats, assignments, unfilled, stats, created_by, request, as_of, request_id)
       VALUES ($1, $2, $3, 'solving', '[]', '[]', '[]', '{}', $4, $5, $6, $7) ON CONFLICT (request_id) DO NOTHING RETURNING id`,
      [plan.from, plan.to, plan.postIds, plan.createdBy, JSON.stringify(plan.request), plan.asOf, plan.requestId ?? null],
    );
    if (inserted.length) return { id: inserted[0].id, created: true };
    return { id: (await this.findByRequestId(plan.requestId!))!.id, created: false };
  }

  async get(id: string): Promise<RosterPlan | undefined> {
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM roster_plan WHERE id = $1`, [id]);
    return row;
  }

  async findByRequestId(requestId: string): Promise<RosterPlan | undefined> {
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM roster_plan WHERE request_id = $1`, [requestId]);
    return row;
  }

  /** Stores the solve of a plan still solving (one no longer solving is left as it is). */
  async storeDraft(id: string, draft: PlanDraft): Promise<void> {
    await this.db.query(`UPDATE roster_plan SET state = 'draft', seats = $2, assignments = $3, unfilled = $4, stats = $5 WHERE id = $1 AND state = 'solving'`, [
      id,
      JSON.stringify(draft.seats),
      JSON.stringify(draft.assignments),
      JSON.stringify(draft.unfilled),
      JSON.stringify(draft.stats),
    ]);
  }

  /** Fails a plan still solving, with the reason. */
  async fail(id: string, reason: string): Promise<void> {
    await this.db.query(`UPDATE roster_plan SET state = 'failed', failure = $2 WHERE id = $1 AND state = 'solving'`, [id, reason]);
  }

  /** Publishes a draft; false when it is no longer one (published meanwhile by another request). */
  async markPublished(tx: Queryable, id: string, by: string): Promise<boolean> {
    // An UPDATE answers [rows, count].
    const [, count] = await tx.query(`UPDATE roster_plan SET state = 'published', published_by = $2, published_at = now() WHERE id = $1 AND state = 'draft'`, [id, by]);
    return count > 0;
  }

  /** Where a plan lies: every post it covers. */
  places(id: string): Promise<Jurisdiction[]> {
    return this.db.query(`SELECT DISTINCT p.subdistrict, p.jurisdiction AS community FROM roster_plan r JOIN roster_post p ON p.id = ANY(r.post_ids) WHERE r.id = $1`, [id]);
  }
}
