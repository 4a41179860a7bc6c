import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { reassignUpdate, shiftWorkflowId } from '../../../workflows/roster/shift.messages';
import { ShiftRequestDto } from './roster.dto';
import { RosterPlanningService } from './roster-planning.service';
import { parseUuid } from '../../../libs/domain/ids';

interface ShiftRow {
  id: string;
  staff_id: string | null;
  status: string;
  duty_state: string;
  start_at: Date;
  workflow_started: boolean;
}

interface RequestRow {
  id: string;
  kind: 'swap' | 'open_shift';
  shift_id: string;
  other_shift_id: string | null;
  staff_id: string;
  requested_by: string;
  state: string;
}

/**
 * Shift swaps and open-shift requests: checked against every hard rule when asked and again when
 * approved (the roster may have moved in between), then applied to the rows and running workflows.
 */
@Injectable()
export class ShiftRequestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly planning: RosterPlanningService,
  ) {}

  async create(dto: ShiftRequestDto, now = Date.now()) {
    const changes = await this.changesOf(dto.kind, dto.shiftId, dto.otherShiftId, dto.staffId, now);
    await this.check(changes, 'invalid');
    const [row] = await this.dataSource.query(
      `INSERT INTO roster_request (kind, shift_id, other_shift_id, staff_id, requested_by, state, note) VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id`,
      [dto.kind, dto.shiftId, dto.otherShiftId ?? null, changes[0].staffId, dto.requestedBy, dto.note ?? null],
    );
    return this.get(row.id);
  }

  async get(id: string) {
    const rows = parseUuid(id)
      ? await this.dataSource.query(
          `SELECT id, kind, shift_id AS "shiftId", other_shift_id AS "otherShiftId", staff_id AS "staffId", requested_by AS "requestedBy", state, note, decided_by AS "decidedBy", decided_at AS "decidedAt", decision_note AS "decisionNote", created_at AS "createdAt" FROM roster_request WHERE id = $1`,
          [id],
        )
      : [];
    if (!rows.length) throw notFound('shift request', id);
    return rows[0];
  }

  async approve(id: string, by: string, note?: string, now = Date.now()) {
    const request = await this.pending(id);
    // Re-checked: a rule the roster now breaks is a conflict with what changed since the request.
    const changes = await this.changesOf(request.kind, request.shift_id, request.other_shift_id ?? undefined, request.kind === 'open_shift' ? request.staff_id : undefined, now);
    await this.check(changes, 'conflict');
    const started = await this.dataSource.transaction(async (manager) => {
      const rows: ShiftRow[] = [];
      for (const change of changes) {
        await manager.query(`UPDATE roster_shift SET staff_id = $2, unfilled_reason = NULL, updated_at = now() WHERE id = $1`, [change.shiftId, change.staffId]);
        rows.push(...(await manager.query(`SELECT id, workflow_started FROM roster_shift WHERE id = $1`, [change.shiftId])));
      }
      await manager.query(`UPDATE roster_request SET state = 'approved', decided_by = $2, decided_at = now(), decision_note = $3 WHERE id = $1`, [id, by, note ?? null]);
      return rows.filter((r) => r.workflow_started).map((r) => r.id);
    });
    for (const change of changes.filter((c) => started.includes(c.shiftId))) {
      await this.client.workflow.getHandle(shiftWorkflowId(change.shiftId)).executeUpdate(reassignUpdate, { args: [{ staffId: change.staffId, by, reason: `request ${id} approved` }] });
    }
    return this.get(id);
  }

  async reject(id: string, by: string, note?: string) {
    await this.pending(id);
    await this.dataSource.query(`UPDATE roster_request SET state = 'rejected', decided_by = $2, decided_at = now(), decision_note = $3 WHERE id = $1`, [id, by, note ?? null]);
    return this.get(id);
  }

  private async pending(id: string): Promise<RequestRow> {
    await this.get(id);
    const [row] = await this.dataSource.query(`SELECT * FROM roster_request WHERE id = $1`, [id]);
    if (row.state !== 'pending') throw conflict(`shift request ${id} is already ${row.state}`, {}, [{ field: 'id', reason: `request is ${row.state}` }]);
    return row;
  }

  /** The reassignments a request means; 422 for references that do not fit, 409 for shifts already under way. */
  private async changesOf(kind: 'swap' | 'open_shift', shiftId: string, otherShiftId: string | undefined, staffId: string | undefined, now: number) {
    const problems: FieldProblem[] = [];
    const rows: ShiftRow[] = await this.dataSource.query(`SELECT id, staff_id, status, duty_state, start_at, workflow_started FROM roster_shift WHERE id = ANY($1)`, [[shiftId, otherShiftId].filter(Boolean)]);
    const shift = rows.find((r) => r.id === shiftId);
    const other = otherShiftId ? rows.find((r) => r.id === otherShiftId) : undefined;
    if (!shift) problems.push({ field: 'shiftId', reason: `unknown shift ${shiftId}` });
    if (kind === 'swap' && !otherShiftId) problems.push({ field: 'otherShiftId', reason: 'is required for a swap' });
    if (otherShiftId && !other) problems.push({ field: 'otherShiftId', reason: `unknown shift ${otherShiftId}` });
    if (kind === 'open_shift' && !staffId) problems.push({ field: 'staffId', reason: 'is required for an open-shift request' });
    if (staffId && !(await this.dataSource.query(`SELECT 1 FROM roster_staff WHERE id = $1`, [staffId])).length) problems.push({ field: 'staffId', reason: `unknown staff member ${staffId}` });
    if (problems.length) throw invalidAll(problems);
    for (const row of [shift!, other].filter((r): r is ShiftRow => !!r)) {
      if (row.status !== 'published' || row.duty_state !== 'scheduled' || new Date(row.start_at).getTime() <= now) {
        throw conflict(`shift ${row.id} is ${row.status === 'published' ? row.duty_state : row.status}${new Date(row.start_at).getTime() <= now ? ' and has started' : ''}; only shifts still to come can change hands`, {}, [{ field: 'shiftId', reason: 'shift already under way or gone' }]);
      }
    }
    if (kind === 'open_shift') {
      if (shift!.staff_id) throw conflict(`shift ${shiftId} is not open: it is assigned to ${shift!.staff_id}`, {}, [{ field: 'shiftId', reason: 'not an open shift' }]);
      return [{ shiftId, staffId: staffId! }];
    }
    if (!shift!.staff_id || !other!.staff_id) throw invalidAll([{ field: shift!.staff_id ? 'otherShiftId' : 'shiftId', reason: 'a swap exchanges two assigned shifts' }]);
    if (shift!.staff_id === other!.staff_id) throw invalidAll([{ field: 'otherShiftId', reason: 'both shifts are held by the same person' }]);
    return [
      { shiftId, staffId: other!.staff_id },
      { shiftId: otherShiftId!, staffId: shift!.staff_id },
    ];
  }

  private async check(changes: Array<{ shiftId: string; staffId: string }>, kind: 'invalid' | 'conflict') {
    const violations = await this.planning.checkChange(changes);
    if (!violations.length) return;
    const problems = violations.map((v) => ({ field: v.seatId, reason: `${v.kind}: ${v.staffId} ${v.detail}` }));
    if (kind === 'invalid') throw invalidAll(problems);
    throw conflict(`the roster changed since the request: ${problems.map((p) => p.reason).join('; ')}`, { violations }, problems);
  }
}
