import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { parseUuid } from '../../../libs/domain/ids';
import { RosterShift, RosterShiftRepository, UntoldShift } from '../../../libs/persistence/roster/roster-shift.repository';
import { RosterStaffRepository } from '../../../libs/persistence/roster/roster-staff.repository';
import { ShiftRequest, ShiftRequestKind, ShiftRequestRepository } from '../../../libs/persistence/roster/shift-request.repository';
import { RosterPlanner } from '../../../libs/roster/roster-planner';
import { ShiftFollower } from '../../../libs/roster/shift-follower';
import { ShiftRequestDto } from './roster.dto';

/**
 * Shift swaps and open-shift requests: checked against every hard rule when asked and again when
 * approved (the roster may have moved in between), then applied to the rows and running workflows.
 */
@Injectable()
export class ShiftRequestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly follower: ShiftFollower,
    private readonly planner: RosterPlanner,
    private readonly requests: ShiftRequestRepository,
    private readonly shifts: RosterShiftRepository,
    private readonly staff: RosterStaffRepository,
  ) {}

  /** A new pending request; asked again with the same `requestId`, the request it made (not checked again). */
  async create(dto: ShiftRequestDto, now = Date.now()): Promise<ShiftRequest> {
    const asked = dto.requestId ? await this.requests.findByRequestId(dto.requestId) : undefined;
    if (asked) return asked;
    const changes = await this.changesOf(dto.kind, dto.shiftId, dto.otherShiftId, dto.staffId, now);
    await this.check(changes, 'invalid');
    const { id } = await this.requests.insert({
      kind: dto.kind,
      shiftId: dto.shiftId,
      otherShiftId: dto.otherShiftId ?? null,
      staffId: changes[0].staffId,
      otherStaffId: changes[1]?.staffId ?? null,
      requestedBy: dto.requestedBy,
      note: dto.note ?? null,
      requestId: dto.requestId,
    });
    return this.get(id);
  }

  async get(id: string): Promise<ShiftRequest> {
    const uuid = parseUuid(id);
    const request = uuid ? await this.requests.get(uuid) : undefined;
    if (!request) throw notFound('shift request', id);
    return request;
  }

  async approve(id: string, by: string, note?: string, now = Date.now()): Promise<ShiftRequest> {
    const request = await this.pending(id);
    // Re-checked: a rule the roster now breaks is a conflict with what changed since the request.
    const changes = await this.changesOf(request.kind, request.shiftId, request.otherShiftId ?? undefined, request.kind === 'open_shift' ? request.staffId : undefined, now);
    // A swap exchanges the shifts of the two who asked: one that changed hands since is not theirs to give.
    const asked = [request.staffId, request.otherStaffId ?? changes[1]?.staffId];
    const moved = changes.findIndex((change, i) => change.staffId !== asked[i]);
    if (moved >= 0) {
      const [field, shiftId] = moved === 0 ? ['otherShiftId', request.otherShiftId] : ['shiftId', request.shiftId];
      throw conflict(`shift ${shiftId} has changed hands since the request was made; ask again or reject it`, {}, [{ field, reason: 'shift changed hands since the request' }]);
    }
    await this.check(changes, 'conflict');
    const told = { by, reason: `request ${id} approved` };
    const running = await this.dataSource.transaction(async (tx) => {
      if (!(await this.requests.decide(tx, request.id, { state: 'approved', by, note }))) throw decidedMeanwhile(id);
      const started: UntoldShift[] = [];
      for (const change of changes) {
        const assigned = await this.shifts.assign(tx, change.shiftId, change.staffId, change.from);
        // Read before this transaction: changed since (another holder, cancelled, checked in to), the request no longer fits it.
        if (!assigned) throw conflict(`shift ${change.shiftId} changed since the request was checked; decide it again`, {}, [{ field: change.shiftId === request.shiftId ? 'shiftId' : 'otherShiftId', reason: 'shift changed meanwhile' }]);
        if (assigned.workflowStarted) started.push({ id: change.shiftId, status: 'published', staffId: change.staffId, told });
      }
      await this.shifts.markUntold(tx, started);
      return started;
    });
    await this.follower.tell(running);
    return this.get(id);
  }

  async reject(id: string, by: string, note?: string): Promise<ShiftRequest> {
    const request = await this.pending(id);
    if (!(await this.requests.decide(this.dataSource.manager, request.id, { state: 'rejected', by, note }))) throw decidedMeanwhile(id);
    return this.get(id);
  }

  private async pending(id: string): Promise<ShiftRequest> {
    const request = await this.get(id);
    if (request.state !== 'pending') throw conflict(`shift request ${id} is already ${request.state}`, {}, [{ field: 'id', reason: `request is ${request.state}` }]);
    return request;
  }

  /** The reassignments a request means; 422 for references that do not fit, 409 for shifts already under way. */
  private async changesOf(kind: ShiftRequestKind, shiftId: string, otherShiftId: string | undefined, staffId: string | undefined, now: number) {
    const problems: FieldProblem[] = [];
    const rows = await this.shifts.getMany([shiftId, otherShiftId].filter((id): id is string => !!id));
    const shift = rows.find((r) => r.id === shiftId);
    const other = otherShiftId ? rows.find((r) => r.id === otherShiftId) : undefined;
    if (!shift) problems.push({ field: 'shiftId', reason: `unknown shift ${shiftId}` });
    if (kind === 'swap' && !otherShiftId) problems.push({ field: 'otherShiftId', reason: 'is required for a swap' });
    if (otherShiftId && !other) problems.push({ field: 'otherShiftId', reason: `unknown shift ${otherShiftId}` });
    if (kind === 'open_shift' && !staffId) problems.push({ field: 'staffId', reason: 'is required for an open-shift request' });
    if (staffId && !(await this.staff.get(staffId))) problems.push({ field: 'staffId', reason: `unknown staff member ${staffId}` });
    if (problems.length) throw invalidAll(problems);
    for (const row of [shift!, other].filter((r): r is RosterShift => !!r)) {
      const started = row.startAt.getTime() <= now;
      if (row.status !== 'published' || row.dutyState !== 'scheduled' || started) {
        throw conflict(`shift ${row.id} is ${row.status === 'published' ? row.dutyState : row.status}${started ? ' and has started' : ''}; only shifts still to come can change hands`, {}, [{ field: 'shiftId', reason: 'shift already under way or gone' }]);
      }
    }
    if (kind === 'open_shift') {
      if (shift!.staffId) throw conflict(`shift ${shiftId} is not open: it is assigned to ${shift!.staffId}`, {}, [{ field: 'shiftId', reason: 'not an open shift' }]);
      return [{ shiftId, staffId: staffId!, from: null }];
    }
    if (!shift!.staffId || !other!.staffId) throw invalidAll([{ field: shift!.staffId ? 'otherShiftId' : 'shiftId', reason: 'a swap exchanges two assigned shifts' }]);
    if (shift!.staffId === other!.staffId) throw invalidAll([{ field: 'otherShiftId', reason: 'both shifts are held by the same person' }]);
    return [
      { shiftId, staffId: other!.staffId, from: shift!.staffId },
      { shiftId: otherShiftId!, staffId: shift!.staffId, from: other!.staffId },
    ];
  }

  private async check(changes: Array<{ shiftId: string; staffId: string }>, kind: 'invalid' | 'conflict') {
    const violations = await this.planner.changeViolations(changes);
    if (!violations.length) return;
    const problems = violations.map((v) => ({ field: v.seatId, reason: `${v.kind}: ${v.staffId} ${v.detail}` }));
    if (kind === 'invalid') throw invalidAll(problems);
    throw conflict(`the roster changed since the request: ${problems.map((p) => p.reason).join('; ')}`, { violations }, problems);
  }
}

/** Two deciders at once: the one who came second is told. */
function decidedMeanwhile(id: string) {
  return conflict(`shift request ${id} was decided meanwhile`, {}, [{ field: 'id', reason: 'request already decided' }]);
}
