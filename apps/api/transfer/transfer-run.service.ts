import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { describeJurisdiction } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { conflict, FieldProblem, forbidden, invalid, invalidAll, notFound } from '../../../libs/domain/errors';
import { Page, PageQuery, pageOf } from '../../../libs/nest/paging';
import { DispatchRepository } from '../../../libs/persistence/transfer/dispatch.repository';
import { TransferResourceRepository } from '../../../libs/persistence/transfer/transfer-resource.repository';
import { RunResources, TransferRun, TransferRunRepository } from '../../../libs/persistence/transfer/transfer-run.repository';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { unlessGone } from '../../../libs/temporal/workflow-calls';
import { TransferRunLauncher } from '../../../libs/transfer/run-launcher';
import { planTransferRun, TransferPlan } from '../../../workflows/transfer/transfer-planning';
import {
  HandOverCommand,
  handOverUpdate,
  MeetingPoint,
  pickUpUpdate,
  RiderCommand,
  RunKind,
  RunStatus,
  runStateQuery,
  RunView,
  TransferRunInput,
  TransferRunRules,
  transferRunWorkflowId,
  transferTripWorkflowId,
  tripStateQuery,
  TripView,
} from '../../../workflows/transfer/transfer.messages';
import { ManifestRow, plannerResources, readManifest } from './transfer-manifest';
import { ArrivalView, arrivalView, HandOverSheetRowView, RunDetailView, runLiveView, RunSummaryView, runSummaryView, TrackedTripView, trackedTripView } from './transfer-views';

/** A receiver's list keeps trips handed over this long, so the day's hand-overs stay in view. */
const RECENT_ARRIVAL_HOURS = 12;

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

/** Starting runs and everything the dispatcher, escorts and receivers send to a run or a trip. */
@Injectable()
export class TransferRunService {
  constructor(
    private readonly runs: TransferRunRepository,
    private readonly resources: TransferResourceRepository,
    private readonly dispatch: DispatchRepository,
    private readonly launcher: TransferRunLauncher,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
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

  // ---------------------------------------------------------------------------------------------
  // Commands

  runHandle(runId: string) {
    return this.client.workflow.getHandle(transferRunWorkflowId(runId));
  }

  async run(runId: string): Promise<TransferRun> {
    const run = await this.runs.get(runId);
    if (!run) throw notFound('transfer run', runId);
    return run;
  }

  /**
   * A dispatcher's or supervisor's command to the run (an update with a validator). An `updateId`
   * makes a repeated command one update: Temporal answers a repeat with the first one's result.
   */
  async runCommand<Arg>(runId: string, update: UpdateDefinition<RunView, [Arg]>, arg: Arg, updateId?: string): Promise<RunView> {
    const run = await this.run(runId);
    if (run.status === 'completed') throw conflict(`run ${runId} is completed`, {}, [{ field: 'runId', reason: 'run is completed' }]);
    return this.runHandle(runId).executeUpdate(update, { args: [arg], updateId });
  }

  /**
   * A leg event or exception from the road, sent to the trip's workflow; its validator decides.
   * A retry that reaches a trip already over is answered from the trip's last state if `done` says it took effect.
   * An `updateId` makes a repeated command one update, as for the run's commands.
   */
  async tripCommand<Arg>(
    runId: string,
    tripId: string,
    update: UpdateDefinition<TripView, [Arg]>,
    arg: Arg,
    options: { done?: (view: TripView) => boolean; updateId?: string } = {},
  ): Promise<TripView> {
    const { done, updateId } = options;
    await this.run(runId);
    const leg = await this.runs.tripLeg(runId, tripId);
    if (!leg) throw notFound('trip', `${runId}/${tripId}`);
    const handle = this.client.workflow.getHandle(transferTripWorkflowId(runId, tripId));
    // A trip that has closed (or was never dispatched) answers from its last state, if the command is done there.
    return unlessGone(handle.executeUpdate(update, { args: [arg], updateId }), async () => {
      const last = leg === 'planned' ? undefined : await handle.query(tripStateQuery).catch(() => undefined);
      if (last && done?.(last)) return last;
      throw conflict(`trip ${tripId} is ${last ? `${last.leg}` : 'not dispatched yet'}`, {}, [{ field: 'tripId', reason: `trip is ${last?.leg ?? leg}` }]);
    });
  }

  /** The receiver acknowledges the person by name: the name must be the one on the manifest. */
  async handOver(runId: string, tripId: string, command: HandOverCommand & { name: string }, updateId?: string): Promise<TripView> {
    const { name: _name, ...handOver } = await this.confirmedByName(runId, command);
    return this.tripCommand(runId, tripId, handOverUpdate, handOver, {
      done: (view) => view.riders.some((r) => r.travellerId === command.travellerId && r.status === 'handed_over'),
      updateId,
    });
  }

  /** The escort confirms the person at their door by name, as a receiver does at a hand-over. */
  async pickUp(runId: string, tripId: string, command: RiderCommand & { name: string }, updateId?: string): Promise<TripView> {
    const { name: _name, ...pickUp } = await this.confirmedByName(runId, command);
    return this.tripCommand(runId, tripId, pickUpUpdate, pickUp, {
      done: (view) => view.riders.some((r) => r.travellerId === command.travellerId && r.status !== 'listed'),
      updateId,
    });
  }

  /** The command, if the name given is the traveller's on the manifest. */
  private async confirmedByName<C extends { travellerId: string; name: string }>(runId: string, command: C): Promise<C> {
    const traveller = await this.runs.traveller(runId, command.travellerId);
    if (!traveller) throw notFound('traveller', `${runId}/${command.travellerId}`);
    if (normaliseName(traveller.name) !== normaliseName(command.name)) throw invalid('name', `${command.travellerId} is not ${command.name}: check the person's identity`);
    return command;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /** `GET /receiving`: the trips coming to a receiver's destination, or to the destinations of a community worker's community. */
  async arrivals(actor: Principal): Promise<ArrivalView[]> {
    if (actor.role === 'receiver') return (await this.runs.arrivals({ destinationId: actor.destinationId! }, RECENT_ARRIVAL_HOURS)).map(arrivalView);
    if (!actor.subdistrict || !actor.community) throw forbidden(`trips are received in a community; your jurisdiction is ${describeJurisdiction(actor)}`);
    return (await this.runs.arrivals({ subdistrict: actor.subdistrict, community: actor.community }, RECENT_ARRIVAL_HOURS)).map(arrivalView);
  }

  /** The dispatched trips I ride as an escort or drive (recent ones handed over too), each person by name and status. */
  async crewTrips(actor: Principal): Promise<ArrivalView[]> {
    return (await this.runs.arrivals({ crewAccountId: actor.userId }, RECENT_ARRIVAL_HOURS)).map(arrivalView);
  }

  /** Runs, newest first; `subdistrict` (the actor's) narrows them to that subdistrict's runs. */
  async list(query: PageQuery & { status?: RunStatus; subdistrict?: string | null }): Promise<Page<RunSummaryView>> {
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await this.runs.page({ status: query.status, subdistrict: query.subdistrict }, { offset, pageSize });
    return { items: items.map(runSummaryView), page, pageSize, total };
  }

  /** The run: its record, the live state (plan, counts, each trip's leg, exceptions) and its people by name. */
  async detail(runId: string): Promise<RunDetailView> {
    const run = await this.run(runId);
    const [live, travellers] = await Promise.all([this.liveState(runId), this.handOverSheet(runId)]);
    return { run: runSummaryView(run), state: live && runLiveView(live), travellers };
  }

  async liveState(runId: string): Promise<RunView | undefined> {
    return unlessGone(this.runHandle(runId).query(runStateQuery), () => undefined);
  }

  /** The trip's live state, with its order in the dispatch system and the vehicle's latest reported position. */
  async tripState(runId: string, tripId: string): Promise<TrackedTripView> {
    await this.run(runId);
    const view: TripView = await unlessGone(this.client.workflow.getHandle(transferTripWorkflowId(runId, tripId)).query(tripStateQuery), () => {
      throw notFound('dispatched trip', `${runId}/${tripId}`);
    });
    return trackedTripView(view, await this.dispatch.tracking(runId, tripId));
  }

  /** One row per person: who, from which trip and vehicle, handed over to whom and when, and what follows. */
  async handOverSheet(runId: string): Promise<HandOverSheetRowView[]> {
    const [resources, travellers] = await Promise.all([this.runs.resourcesOf(runId), this.runs.sheet(runId)]);
    if (!resources) throw notFound('transfer run', runId);
    return travellers.map((t) => ({
      row: t.row,
      travellerId: t.travellerId,
      name: t.name,
      document: `${t.documentType}:${t.documentNumber}`,
      mobile: t.mobile,
      arrivalTime: t.arrivalTime.toISOString(),
      keyPerson: t.keyPerson,
      familyGroup: t.familyGroup,
      disposition: t.disposition,
      destination: resources.destinations.find((d) => d.id === t.destinationId)?.name ?? t.destinationId,
      status: t.status,
      tripId: t.tripId,
      plate: resources.vehicles.find((v) => v.id === t.vehicleId)?.plate ?? null,
      escorts: t.escortIds.map((id) => resources.escorts.find((e) => e.id === id)?.name ?? id).join(', ') || null,
      handedOverAt: t.handedOverAt?.toISOString() ?? null,
      receiver: t.receiver ? `${t.receiver.name} (${[t.receiver.role, t.receiver.organisation, t.receiver.account].filter(Boolean).join(', ')})` : null,
      observationNumber: t.observationNumber,
      quarantineRecordId: t.quarantineRecordId,
      closedAs: t.closedAs ? `${t.closedAs} (approved by ${t.closedBy})` : null,
    }));
  }
}

function normaliseName(name: string): string {
  return (name ?? '').replace(/\s+/g, '').toLowerCase();
}
