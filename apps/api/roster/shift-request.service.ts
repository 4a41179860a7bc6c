import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { localDate, localTime } from '../../../libs/domain/local-time';
import type { NotificationRequest } from '../../../libs/notifications/notification-outbox';
import { RosterPlanningService } from '../../../libs/roster/roster-planning.service';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { parseUuid } from '../../../libs/domain/ids';
import { RosterShift, RosterShiftRepository, UntoldShift } from '../../../libs/persistence/roster/roster-shift.repository';
import { RosterStaffRepository } from '../../../libs/persistence/roster/roster-staff.repository';
import { ShiftRequest, ShiftRequestKind, ShiftRequestListed, ShiftRequestRepository } from '../../../libs/persistence/roster/shift-request.repository';
import type { Principal } from '../../../libs/auth/roles';
import { Page, pageOf } from '../../../libs/nest/paging';
import { RosterPlanner } from '../../../libs/roster/roster-planner';
import { ShiftFollower } from '../../../libs/roster/shift-follower';
import { ShiftRequestDto, ShiftRequestListQuery } from './roster.dto';

/**
 * Shift swaps and open-shift requests: checked against every hard rule when asked and again when
 * approved (the roster may have moved in between), then applied to the rows and running workflows.
 * The supervisors of who runs the post are told of a request when it is made, and the people it
 * moves of the decision, each message stored in the transaction of the change it tells of.
 */
@Injectable()
export class ShiftRequestService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly follower: ShiftFollower,
    private readonly planner: RosterPlanner,
    private readonly planning: RosterPlanningService,
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
    const id = await this.planning.transactionNotifying(async (tx) => {
      const { id, created } = await this.requests.insert(tx, {
        kind: dto.kind,
        shiftId: dto.shiftId,
        otherShiftId: dto.otherShiftId ?? null,
        staffId: changes[0].staffId,
        otherStaffId: changes[1]?.staffId ?? null,
        requestedBy: dto.requestedBy,
        note: dto.note ?? null,
        requestId: dto.requestId,
      });
      return { value: id, notices: created ? [await this.askedNotice(tx, id)] : [] };
    });
    return this.get(id);
  }

  async list(query: ShiftRequestListQuery, actor: Principal): Promise<Page<ShiftRequestListed>> {
    const { page, pageSize, offset } = pageOf(query);
    const state = query.state ?? 'pending';
    // Duty staff see the requests that name them, a supervisor those of their jurisdiction.
    const mine = actor.role === 'duty_staff' ? { accountId: actor.userId } : {};
    const { items, total } = await this.requests.page({ state, subdistrict: actor.subdistrict ?? undefined, community: actor.community ?? undefined, ...mine }, { offset, limit: pageSize });
    const changed = (item: ShiftRequestListed) => (state === 'pending' ? (changedHands(item, { shift: item.shiftHolder, other: item.otherShiftHolder }) ?? null) : null);
    return { items: items.map((item) => ({ ...item, changedHands: changed(item) })), page, pageSize, total };
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
    // (An open shift since filled was refused above, by changesOf.)
    const moved = request.kind === 'swap' ? changedHands(request, { shift: changes[1].staffId, other: changes[0].staffId }) : undefined;
    if (moved) {
      throw conflict(`shift ${request[moved]} has changed hands since the request was made; ask again or reject it`, {}, [{ field: moved, reason: 'shift changed hands since the request' }]);
    }
    await this.check(changes, 'conflict');
    const told = { by, reason: `request ${id} approved` };
    const running = await this.planning.transactionNotifying(async (tx) => {
      if (!(await this.requests.decide(tx, request.id, { state: 'approved', by, note }))) throw decidedMeanwhile(id);
      const started: UntoldShift[] = [];
      for (const change of changes) {
        const assigned = await this.shifts.assign(tx, change.shiftId, change.staffId, change.from);
        // Read before this transaction: changed since (another holder, cancelled, checked in to), the request no longer fits it.
        if (!assigned) throw conflict(`shift ${change.shiftId} changed since the request was checked; decide it again`, {}, [{ field: change.shiftId === request.shiftId ? 'shiftId' : 'otherShiftId', reason: 'shift changed meanwhile' }]);
        if (assigned.workflowStarted) started.push({ id: change.shiftId, status: 'published', staffId: change.staffId, told });
      }
      await this.shifts.markUntold(tx, started);
      return { value: started, notices: await this.decidedNotices(tx, request.id) };
    });
    await this.follower.tell(running);
    return this.get(id);
  }

  async reject(id: string, by: string, note?: string): Promise<ShiftRequest> {
    const request = await this.pending(id);
    await this.planning.transactionNotifying(async (tx) => {
      if (!(await this.requests.decide(tx, request.id, { state: 'rejected', by, note }))) throw decidedMeanwhile(id);
      return { value: undefined, notices: await this.decidedNotices(tx, request.id) };
    });
    return this.get(id);
  }

  /** To the supervisors of who runs the post (its subdistrict, else the district's), who decide it: who asks what, and where. */
  private async askedNotice(tx: EntityManager, id: string): Promise<NotificationRequest> {
    const asked = await this.requests.listed(tx, id);
    const offset = this.planner.offset(asked.shiftStartAt.getTime());
    const params: Record<string, string> = {
      post: asked.postName,
      staffName: asked.staffName ?? asked.staffId,
      ...shiftTimes(asked.shiftStartAt, asked.shiftEndAt, offset),
      requestsLink: `${this.config.selfReport.publicUrl}/app/supervisor/#/requests`,
    };
    if (asked.kind === 'swap') {
      const other = shiftTimes(asked.otherShiftStartAt!, asked.otherShiftEndAt!, offset);
      Object.assign(params, { otherStaffName: asked.otherStaffName ?? asked.otherStaffId, otherDate: other.shiftDate, otherStart: other.shiftStart, otherEnd: other.shiftEnd });
    }
    return {
      id: `shift-request:${id}:asked`,
      recipient: { role: 'supervisor', subdistrict: asked.subdistrict },
      template: asked.kind === 'swap' ? 'shift_swap_asked' : 'open_shift_asked',
      concerns: { kind: 'shift_request', id },
      params,
    };
  }

  /** To each person the request would move (both of a swap): the decision, on the shift they asked about. */
  private async decidedNotices(tx: EntityManager, id: string): Promise<NotificationRequest[]> {
    const decided = await this.requests.listed(tx, id);
    const offset = this.planner.offset(decided.shiftStartAt.getTime());
    const people = [decided.staffId, decided.otherStaffId].filter((staffId): staffId is string => !!staffId);
    return people.map((staffId) => ({
      id: `shift-request:${id}:${decided.state}:${staffId}`,
      recipient: { staffId },
      template: decided.state === 'approved' ? 'shift_request_approved' : 'shift_request_rejected',
      concerns: { kind: 'shift_request', id },
      params: { post: decided.postName, ...shiftTimes(decided.shiftStartAt, decided.shiftEndAt, offset), decidedBy: decided.decidedBy ?? '', decisionNote: decided.decisionNote ?? '' },
    }));
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

/**
 * Which shift of a request has changed hands since it was asked, given who holds each now; none:
 * undefined. A swap exchanges the shifts of the two who asked, so a shift now held by someone else
 * is not theirs to give; an open shift is asked for while nobody holds it.
 */
export function changedHands(request: Pick<ShiftRequest, 'kind' | 'staffId' | 'otherStaffId'>, holders: { shift: string | null; other: string | null }): 'shiftId' | 'otherShiftId' | undefined {
  if (request.kind === 'open_shift') return holders.shift ? 'shiftId' : undefined;
  if (holders.other !== request.staffId) return 'otherShiftId';
  // Asked before the other holder was kept: nothing to compare with.
  if (request.otherStaffId && holders.shift !== request.otherStaffId) return 'shiftId';
  return undefined;
}

/** A shift's local day and times, as messages name them. */
function shiftTimes(startAt: Date, endAt: Date, offset: number) {
  return { shiftDate: localDate(startAt.getTime(), offset), shiftStart: localTime(startAt.getTime(), offset), shiftEnd: localTime(endAt.getTime(), offset) };
}

/** Two deciders at once: the one who came second is told. */
function decidedMeanwhile(id: string) {
  return conflict(`shift request ${id} was decided meanwhile`, {}, [{ field: 'id', reason: 'request already decided' }]);
}
