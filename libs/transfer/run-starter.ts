import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { utcOffsetMinutes } from '../config/time-zone';
import { conflict, FieldProblem, invalid, invalidAll } from '../domain/errors';
import { TransferResourceRepository } from '../persistence/transfer/transfer-resource.repository';
import { RunResources, TransferRunRepository } from '../persistence/transfer/transfer-run.repository';
import { planTransferRun, TransferPlan } from '../../workflows/transfer/transfer-planning';
import type { MeetingPoint, RunKind, TransferRunInput, TransferRunRules } from '../../workflows/transfer/transfer.messages';
import { ManifestRow, plannerResources, readManifest } from './manifest';
import { TransferRunLauncher } from './run-launcher';

export interface RunRequest {
  /** Idempotency key: the same key answers the same run. */
  requestId?: string;
  /** The subdistrict running the transfer (the dispatcher's); null or absent: the district command. */
  subdistrict?: string | null;
  kind?: RunKind;
  sortingPointId: string;
  dispatcher: string;
  supervisor: string;
  vehicleIds: string[];
  escortIds: string[];
  /** Key-person runs: where and when the escort meets the person. */
  meeting?: { point: string; at: string };
  rules?: TransferRunRules;
  /** Dispatch at once instead of showing the plan first. */
  dispatch?: boolean;
  travellers: ManifestRow[];
}

export interface RunStarted {
  runId: string;
  status: 'created' | 'existing';
  plan: Pick<TransferPlan, 'trips' | 'stats'>;
}

/**
 * Starts transfer runs: a dispatcher's (`POST /transfer-runs`, the API) and the pick-up run an
 * observation's decision starts (the worker's PickupActivities), with the same checks.
 */
@Injectable()
export class TransferRunStarter {
  constructor(
    private readonly runs: TransferRunRepository,
    private readonly resources: TransferResourceRepository,
    private readonly launcher: TransferRunLauncher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `POST /transfer-runs`: every row judged (422 naming `travellers[i].field`), the run planned
   * (409 when someone cannot ride at all), then recorded and its workflow started. Nothing is
   * recorded for a refused manifest. Idempotent on requestId. A pick-up a decision starts gives
   * its run id and the observation its one traveller ends at the hand-over.
   */
  async start(request: RunRequest, now = Date.now(), decided?: { runId: string; observationNumber: string }): Promise<RunStarted> {
    if (request.requestId) {
      const existing = await this.byRequestId(request.requestId);
      if (existing) return existing;
    }
    const kind = request.kind ?? 'standard';
    const meeting = this.meetingOf(request);
    const resources = await this.resourcesOf(request);
    const offset = (at: number) => utcOffsetMinutes(this.config.timeZone, at);
    const { travellers, problems } = readManifest(request.travellers, resources, { kind, meeting, utcOffsetMinutes: offset, now });
    if (!travellers) throw invalidAll(problems);

    const planner = plannerResources(resources, now);
    // A key-person run is one escorted trip: every escort the dispatcher gives it goes along.
    const rules: TransferRunRules = kind === 'key_person' ? { ...request.rules, keyPersonEscorts: request.rules?.keyPersonEscorts ?? resources.escorts.length } : (request.rules ?? {});
    const plan = planTransferRun({ travellers: travellers.map((t) => t.planned), ...planner, rules, startAt: now });
    if (plan.unplanned.length) {
      const rows = new Map(travellers.map((t) => [t.travellerId, t.row]));
      throw conflict(
        `${plan.unplanned.length} of ${travellers.length} people cannot be carried by this run's vehicles`,
        {},
        plan.unplanned.map((u) => ({ field: `travellers[${rows.get(u.travellerId)! - 1}]`, reason: u.reason })),
      );
    }
    if (kind === 'key_person' && plan.trips.length !== 1) throw conflict(`a key-person transfer is one escorted trip; this needs ${plan.trips.length}`);

    const runId = decided?.runId ?? randomUUID();
    const input: TransferRunInput = {
      runId,
      kind,
      dispatcher: request.dispatcher,
      supervisor: request.supervisor,
      travellers: travellers.map((t) => t.planned),
      ...planner,
      rules,
      plan,
      meeting,
      dispatchNow: request.dispatch === true,
      utcOffsetMinutes: offset(now),
      ...(decided ? { observations: { [travellers[0].travellerId]: decided.observationNumber } } : {}),
    };
    const tripOf = new Map(plan.trips.flatMap((trip) => trip.travellerIds.map((id) => [id, trip.tripId] as const)));
    const recorded = await this.runs.create(
      { id: runId, requestId: request.requestId ?? null, kind, sortingPointId: request.sortingPointId, dispatcher: request.dispatcher, supervisor: request.supervisor, subdistrict: request.subdistrict ?? null, resources, input },
      travellers.map(({ planned, ...t }) => ({
        ...t,
        arrivalTime: new Date(planned.arrivalTime),
        disposition: planned.disposition,
        keyPerson: planned.keyPerson === true,
        familyGroup: planned.familyGroup ?? null,
        destinationId: planned.destinationId,
        tripId: tripOf.get(t.travellerId) ?? null,
      })),
    );
    // Not recorded: a request with the same key, at the same time, recorded its run first.
    if (!recorded) return (await this.byRequestId(request.requestId!))!;
    await this.launcher.start(input);
    return { runId, status: 'created', plan: { trips: plan.trips, stats: plan.stats } };
  }

  private meetingOf(request: RunRequest): MeetingPoint | undefined {
    if ((request.kind ?? 'standard') !== 'key_person') {
      if (request.meeting) throw invalid('meeting', 'only a key-person run has a meeting point');
      return undefined;
    }
    const at = Date.parse(request.meeting?.at ?? '');
    const problems: FieldProblem[] = [];
    if (!request.meeting?.point?.trim()) problems.push({ field: 'meeting.point', reason: 'a key-person transfer needs a meeting point' });
    if (!Number.isFinite(at)) problems.push({ field: 'meeting.at', reason: 'must be an ISO date-time' });
    if (problems.length) throw invalidAll(problems);
    return { point: request.meeting!.point.trim(), at };
  }

  /** The run's resources from the registry, in the order the request gives them; unknown or unavailable ones are refused by field. */
  private async resourcesOf(request: RunRequest): Promise<RunResources> {
    const [sortingPoint, vehicles, escorts, destinations, roomsTaken] = await Promise.all([
      this.resources.get('sorting-points', request.sortingPointId),
      this.resources.byIds('vehicles', request.vehicleIds),
      this.resources.byIds('escorts', request.escortIds),
      this.resources.all('destinations'),
      this.resources.hotelRoomsTaken(),
    ]);
    const problems: FieldProblem[] = [];
    if (!sortingPoint) problems.push({ field: 'sortingPointId', reason: `no sorting point ${request.sortingPointId}` });
    const check = (field: string, ids: string[], rows: Array<{ id: string; available: boolean }>, what: string) =>
      ids.forEach((id, i) => {
        const row = rows.find((r) => r.id === id);
        if (!row) problems.push({ field: `${field}[${i}]`, reason: `no ${what} ${id}` });
        else if (!row.available) problems.push({ field: `${field}[${i}]`, reason: `${what} ${id} is marked unavailable` });
        else if (ids.indexOf(id) !== i) problems.push({ field: `${field}[${i}]`, reason: `${id} is listed twice` });
      });
    check('vehicleIds', request.vehicleIds, vehicles, 'vehicle');
    check('escortIds', request.escortIds, escorts, 'escort');
    if (problems.length) throw invalidAll(problems);
    const inRequestOrder = <T extends { id: string; available: boolean }>(ids: string[], rows: T[]) =>
      ids.map((id) => {
        const { available: _available, ...rest } = rows.find((r) => r.id === id)!;
        return rest;
      });
    // The crew's account links are read live (TransferRunRepository.tripCrew), not copied into the run.
    return {
      sortingPoint: sortingPoint!,
      vehicles: inRequestOrder(request.vehicleIds, vehicles).map(({ driverAccountId: _link, subdistrict: _of, ...vehicle }) => vehicle),
      escorts: inRequestOrder(request.escortIds, escorts).map(({ accountId: _link, subdistrict: _of, ...escort }) => escort),
      // A hotel's rooms free now: a full hotel is refused at planning, not at the door.
      destinations: destinations.map((d) => (d.capacity === null ? d : { ...d, capacity: Math.max(0, d.capacity - (roomsTaken.get(d.id) ?? 0)) })),
    };
  }

  private async byRequestId(requestId: string): Promise<RunStarted | undefined> {
    const run = await this.runs.byRequestId(requestId);
    if (!run) return undefined;
    await this.launcher.start(run.input);
    return { runId: run.id, status: 'existing', plan: { trips: run.input.plan.trips, stats: run.input.plan.stats } };
  }
}
