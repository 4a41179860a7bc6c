import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Jurisdiction } from '../../auth/jurisdiction';
import type { Queryable } from '../queryable';

export type ShiftRequestKind = 'swap' | 'open_shift';
export type ShiftRequestState = 'pending' | 'approved' | 'rejected';

/** A swap of two rostered shifts, or someone asking for an unfilled seat. */
export interface ShiftRequest {
  id: string;
  kind: ShiftRequestKind;
  shiftId: string;
  /** swap: the shift given in exchange. */
  otherShiftId: string | null;
  /** Who takes `shiftId` (swap: who held `otherShiftId` when asked). */
  staffId: string;
  /** swap: who takes `otherShiftId`, who held `shiftId` when asked (null: asked before this was kept); null for an open shift. */
  otherStaffId: string | null;
  requestedBy: string;
  state: ShiftRequestState;
  note: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  createdAt: Date;
}

/** A request as a supervisor decides it: the post, the shifts' times and the names of the two people. */
export interface ShiftRequestListed extends ShiftRequest {
  postId: string;
  postName: string;
  /** Who runs the post (null: the district command): its supervisors decide the request. */
  subdistrict: string | null;
  /** The shift's community. */
  community: string;
  staffName: string | null;
  otherStaffName: string | null;
  shiftStartAt: Date;
  shiftEndAt: Date;
  otherShiftStartAt: Date | null;
  otherShiftEndAt: Date | null;
  /** Who holds each shift now (a swap approved: the two have exchanged them). */
  shiftHolder: string | null;
  shiftHolderName: string | null;
  otherShiftHolder: string | null;
  otherShiftHolderName: string | null;
}

export type ShiftRequestAsked = Pick<ShiftRequest, 'kind' | 'shiftId' | 'otherShiftId' | 'staffId' | 'otherStaffId' | 'requestedBy' | 'note'> & {
  /** The client's idempotency key: asked again with it, the request first made is the answer. */
  requestId?: string;
};

const COLUMNS = `id, kind, shift_id AS "shiftId", other_shift_id AS "otherShiftId", staff_id AS "staffId", other_staff_id AS "otherStaffId", requested_by AS "requestedBy", state, note,
  decided_by AS "decidedBy", decided_at AS "decidedAt", decision_note AS "decisionNote", created_at AS "createdAt"`;

/** A request with its shift and post (and the other shift of a swap), for LISTED. */
const PLACED = `FROM (SELECT ${COLUMNS} FROM roster_request) q JOIN roster_shift s ON s.id = q."shiftId" JOIN roster_post p ON p.id = s.post_id LEFT JOIN roster_shift o ON o.id = q."otherShiftId"`;
const LISTED = `q.*, p.id AS "postId", p.name AS "postName", p.subdistrict, s.jurisdiction AS community, s.start_at AS "shiftStartAt", s.end_at AS "shiftEndAt",
  o.start_at AS "otherShiftStartAt", o.end_at AS "otherShiftEndAt", s.staff_id AS "shiftHolder", o.staff_id AS "otherShiftHolder",
  (SELECT name FROM roster_staff WHERE id = q."staffId") AS "staffName", (SELECT name FROM roster_staff WHERE id = q."otherStaffId") AS "otherStaffName",
  (SELECT name FROM roster_staff WHERE id = s.staff_id) AS "shiftHolderName", (SELECT name FROM roster_staff WHERE id = o.staff_id) AS "otherShiftHolderName"`;

/** roster_request: every statement on swap and open-shift requests. Ids are uuids (callers check the spelling first). */
@Injectable()
export class ShiftRequestRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new pending request; `created` false when the request id already made one (its id is returned). */
  async insert(tx: Queryable, request: ShiftRequestAsked): Promise<{ id: string; created: boolean }> {
    const inserted: Array<{ id: string }> = await tx.query(
      `INSERT INTO roster_request (kind, shift_id, other_shift_id, staff_id, other_staff_id, requested_by, state, note, request_id) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)
       ON CONFLICT (request_id) DO NOTHING RETURNING id`,
      [request.kind, request.shiftId, request.otherShiftId, request.staffId, request.otherStaffId, request.requestedBy, request.note, request.requestId ?? null],
    );
    if (inserted.length) return { id: inserted[0].id, created: true };
    return { id: (await this.findByRequestId(request.requestId!))!.id, created: false };
  }

  async get(id: string): Promise<ShiftRequest | undefined> {
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM roster_request WHERE id = $1`, [id]);
    return row;
  }

  async findByRequestId(requestId: string): Promise<ShiftRequest | undefined> {
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM roster_request WHERE request_id = $1`, [requestId]);
    return row;
  }

  /** Decides a request still pending; false when it was decided meanwhile. */
  async decide(tx: Queryable, id: string, decision: { state: Exclude<ShiftRequestState, 'pending'>; by: string; note?: string }): Promise<boolean> {
    // An UPDATE answers [rows, count].
    const [, count] = await tx.query(`UPDATE roster_request SET state = $2, decided_by = $3, decided_at = now(), decision_note = $4 WHERE id = $1 AND state = 'pending'`, [
      id,
      decision.state,
      decision.by,
      decision.note ?? null,
    ]);
    return count > 0;
  }

  /**
   * Requests in a state, oldest first, where the caller reaches (the shift's post's subdistrict, its
   * community); with `accountId`, only those naming the staff member of that account (either side of a swap).
   */
  async page(filter: { state: ShiftRequestState; accountId?: string } & Partial<Jurisdiction>, { offset, limit }: { offset: number; limit: number }): Promise<{ items: ShiftRequestListed[]; total: number }> {
    const params: unknown[] = [filter.state];
    const clauses = ['q.state = $1'];
    if (filter.subdistrict) clauses.push(`p.subdistrict = $${params.push(filter.subdistrict)}`);
    if (filter.community) clauses.push(`s.jurisdiction = $${params.push(filter.community)}`);
    if (filter.accountId) {
      const account = `$${params.push(filter.accountId)}`;
      clauses.push(`EXISTS (SELECT 1 FROM roster_staff WHERE account_id = ${account} AND id IN (q."staffId", q."otherStaffId"))`);
    }
    const where = `WHERE ${clauses.join(' AND ')}`;
    const [items, [{ total }]] = await Promise.all([
      this.db.query(`SELECT ${LISTED} ${PLACED} ${where} ORDER BY q."createdAt", q.id LIMIT ${limit} OFFSET ${offset}`, params),
      this.db.query(`SELECT count(*)::int AS total ${PLACED} ${where}`, params),
    ]);
    return { items, total };
  }

  /** One request as listed, read in the caller's transaction (its notices name the post, the times and the people). */
  async listed(tx: Queryable, id: string): Promise<ShiftRequestListed> {
    const [row] = await tx.query(`SELECT ${LISTED} ${PLACED} WHERE q.id = $1`, [id]);
    return row;
  }

  /** Where a request lies: its shift's place. */
  place(id: string): Promise<Jurisdiction[]> {
    return this.db.query(
      `SELECT p.subdistrict, s.jurisdiction AS community FROM roster_request q JOIN roster_shift s ON s.id = q.shift_id JOIN roster_post p ON p.id = s.post_id WHERE q.id = $1`,
      [id],
    );
  }
}
