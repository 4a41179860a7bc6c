import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { describeJurisdiction } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { conflict, forbidden, invalid, notFound } from '../../../libs/domain/errors';
import { Page, PageQuery, pageOf } from '../../../libs/nest/paging';
import { DispatchRepository } from '../../../libs/persistence/transfer/dispatch.repository';
import { TransferRun, TransferRunRepository } from '../../../libs/persistence/transfer/transfer-run.repository';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { unlessGone } from '../../../libs/temporal/workflow-calls';
import {
  HandOverCommand,
  handOverUpdate,
  pickUpUpdate,
  RiderCommand,
  RunStatus,
  runStateQuery,
  RunView,
  transferRunWorkflowId,
  transferTripWorkflowId,
  tripStateQuery,
  TripView,
} from '../../../workflows/transfer/transfer.messages';
import { ArrivalView, arrivalView, HandOverSheetRowView, RunDetailView, runLiveView, RunSummaryView, runSummaryView, TrackedTripView, trackedTripView } from './transfer-views';

/** A receiver's list keeps trips handed over this long, so the day's hand-overs stay in view. */
const RECENT_ARRIVAL_HOURS = 12;

/** Everything the dispatcher, escorts and receivers send to a run or a trip, and what they read of runs (a run starts in libs/transfer/run-starter.ts). */
@Injectable()
export class TransferRunService {
  constructor(
    private readonly runs: TransferRunRepository,
    private readonly dispatch: DispatchRepository,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
  ) {}

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
