import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { RunResources } from '../../../activities/transfer/transfer.activities';
import { startTransferRun } from '../../../activities/transfer/run-launcher';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { conflict, FieldProblem, invalid, invalidAll, notFound } from '../../../libs/domain/errors';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { planTransferRun, TransferPlan } from '../../../workflows/transfer/transfer-planning';
import {
  HandOverCommand,
  handOverUpdate,
  MeetingPoint,
  RunKind,
  runStateQuery,
  RunView,
  TransferRunInput,
  TransferRunRules,
  transferRunWorkflowId,
  transferTripWorkflowId,
  tripStateQuery,
  TripView,
} from '../../../workflows/transfer/transfer.messages';
import { ManifestRow, ManifestTraveller, plannerResources, readManifest } from './transfer-manifest';
import { unlessGone } from '../../../libs/temporal/workflow-calls';

export interface RunRequest {
  clientRequestId?: string;
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

const UNIQUE_VIOLATION = '23505';

/** Starting runs and everything the dispatcher, escorts and receivers send to a run or a trip. */
@Injectable()
export class TransferRunService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `POST /transfer-runs`: every row judged (422 naming `travellers[i].field`), the run planned
   * (409 when someone cannot ride at all), then recorded and its workflow started. Nothing is
   * recorded for a refused manifest. Idempotent on clientRequestId.
   */
  async start(request: RunRequest, now = Date.now()): Promise<RunStarted> {
    if (request.clientRequestId) {
      const existing = await this.byClientRequestId(request.clientRequestId);
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

    const runId = randomUUID();
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
    };
    try {
      await this.dataSource.transaction((manager) => this.record(manager, request, input, resources, travellers));
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION || !request.clientRequestId) throw error;
      const existing = await this.byClientRequestId(request.clientRequestId);
      if (existing) return existing;
      throw error;
    }
    await startTransferRun(this.client, this.config.temporal.taskQueue, input);
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

  /** The run's resources from the registry; unknown or unavailable ones are refused by field. */
  private async resourcesOf(request: RunRequest): Promise<RunResources> {
    const [sortingPoint] = await this.dataSource.query(`SELECT id, name, address FROM transfer_sorting_point WHERE id = $1`, [request.sortingPointId]);
    const vehicles = await this.dataSource.query(`SELECT id, plate, seats, driver_name AS "driverName", driver_contact AS "driverContact", available FROM transfer_vehicle WHERE id = ANY($1)`, [request.vehicleIds]);
    const escorts = await this.dataSource.query(`SELECT id, name, contact, available FROM transfer_escort WHERE id = ANY($1)`, [request.escortIds]);
    const destinations = await this.dataSource.query(`SELECT id, kind, name, travel_minutes AS "travelMinutes", capacity, receiver, worker FROM transfer_destination ORDER BY id`);
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
    const strip = <T extends { available?: boolean }>({ available: _available, ...rest }: T) => rest;
    return { sortingPoint, vehicles: vehicles.map(strip), escorts: escorts.map(strip), destinations };
  }

  private async record(manager: EntityManager, request: RunRequest, input: TransferRunInput, resources: RunResources, travellers: ManifestTraveller[]): Promise<void> {
    await manager.query(
      `INSERT INTO transfer_run (id, client_request_id, kind, status, sorting_point_id, dispatcher, supervisor, resources, input, subdistrict)
       VALUES ($1, $2, $3, 'planned', $4, $5, $6, $7, $8, $9)`,
      [input.runId, request.clientRequestId ?? null, input.kind, request.sortingPointId, input.dispatcher, input.supervisor, JSON.stringify(resources), JSON.stringify(input), request.subdistrict ?? null],
    );
    const tripOf = new Map(input.plan.trips.flatMap((trip) => trip.travellerIds.map((id) => [id, trip.tripId] as const)));
    const rows = travellers.map((t) => ({
      travellerId: t.travellerId,
      row: t.row,
      name: t.name,
      documentType: t.documentType,
      documentNumber: t.documentNumber,
      mobile: t.mobile,
      address: t.address,
      responsibleWorker: t.responsibleWorker,
      arrivalTime: new Date(t.planned.arrivalTime).toISOString(),
      disposition: t.planned.disposition,
      keyPerson: t.planned.keyPerson === true,
      familyGroup: t.planned.familyGroup ?? null,
      destinationId: t.planned.destinationId,
      tripId: tripOf.get(t.travellerId) ?? null,
    }));
    await manager.query(
      `INSERT INTO transfer_traveller (run_id, traveller_id, row_number, name, document_type, document_number, mobile, address, responsible_worker,
         arrival_time, disposition, key_person, family_group, destination_id, status, trip_id, updated_at)
       SELECT $1, r."travellerId", r.row, r.name, r."documentType", r."documentNumber", r.mobile, r.address, r."responsibleWorker",
         r."arrivalTime", r.disposition, r."keyPerson", r."familyGroup", r."destinationId", 'waiting', r."tripId", now()
       FROM jsonb_to_recordset($2::jsonb) AS r("travellerId" text, row int, name text, "documentType" text, "documentNumber" text, mobile text, address jsonb,
         "responsibleWorker" text, "arrivalTime" timestamptz, disposition text, "keyPerson" boolean, "familyGroup" text, "destinationId" text, "tripId" text)`,
      [input.runId, JSON.stringify(rows)],
    );
  }

  private async byClientRequestId(clientRequestId: string): Promise<RunStarted | undefined> {
    const [row] = await this.dataSource.query(`SELECT id, input FROM transfer_run WHERE client_request_id = $1`, [clientRequestId]);
    if (!row) return undefined;
    const input = row.input as TransferRunInput;
    await startTransferRun(this.client, this.config.temporal.taskQueue, input);
    return { runId: row.id, status: 'existing', plan: { trips: input.plan.trips, stats: input.plan.stats } };
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  runHandle(runId: string) {
    return this.client.workflow.getHandle(transferRunWorkflowId(runId));
  }

  async runRow(runId: string) {
    const [row] = await this.dataSource.query(`SELECT id, kind, status, sorting_point_id, dispatcher, supervisor, counts, created_at, completed_at FROM transfer_run WHERE id = $1`, [runId]);
    if (!row) throw notFound('transfer run', runId);
    return row;
  }

  /** A dispatcher's or supervisor's command to the run (an update with a validator). */
  async runCommand<Arg>(runId: string, update: UpdateDefinition<RunView, [Arg]>, arg: Arg): Promise<RunView> {
    const row = await this.runRow(runId);
    if (row.status === 'completed') throw conflict(`run ${runId} is completed`, {}, [{ field: 'runId', reason: 'run is completed' }]);
    return this.runHandle(runId).executeUpdate(update, { args: [arg] });
  }

  /**
   * A leg event or exception from the road, sent to the trip's workflow; its validator decides.
   * A retry that reaches a trip already over is answered from the trip's last state if `done` says it took effect.
   * An `updateId` makes a repeated command one update: Temporal answers a repeat with the first one's result.
   */
  async tripCommand<Arg>(
    runId: string,
    tripId: string,
    update: UpdateDefinition<TripView, [Arg]>,
    arg: Arg,
    options: { done?: (view: TripView) => boolean; updateId?: string } = {},
  ): Promise<TripView> {
    const { done, updateId } = options;
    await this.runRow(runId);
    const [trip] = await this.dataSource.query(`SELECT leg FROM transfer_trip WHERE run_id = $1 AND trip_id = $2`, [runId, tripId]);
    if (!trip) throw notFound('trip', `${runId}/${tripId}`);
    const handle = this.client.workflow.getHandle(transferTripWorkflowId(runId, tripId));
    // A trip that has closed (or was never dispatched) answers from its last state, if the command is done there.
    return unlessGone(handle.executeUpdate(update, { args: [arg], updateId }), async () => {
      const last = trip.leg === 'planned' ? undefined : await handle.query(tripStateQuery).catch(() => undefined);
      if (last && done?.(last)) return last;
      throw conflict(`trip ${tripId} is ${last ? `${last.leg}` : 'not dispatched yet'}`, {}, [{ field: 'tripId', reason: `trip is ${last?.leg ?? trip.leg}` }]);
    });
  }

  /** The receiver acknowledges the person by name: the name must be the one on the manifest. */
  async handOver(runId: string, tripId: string, command: HandOverCommand & { name: string }): Promise<TripView> {
    const [traveller] = await this.dataSource.query(`SELECT name FROM transfer_traveller WHERE run_id = $1 AND traveller_id = $2`, [runId, command.travellerId]);
    if (!traveller) throw notFound('traveller', `${runId}/${command.travellerId}`);
    if (normaliseName(traveller.name) !== normaliseName(command.name)) throw invalid('name', `${command.travellerId} is not ${command.name}: check the person's identity`);
    const { name: _name, ...handOver } = command;
    return this.tripCommand(runId, tripId, handOverUpdate, handOver, { done: (view) => view.riders.some((r) => r.travellerId === command.travellerId && r.status === 'handed_over') });
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /** Runs, newest first; `subdistrict` (the actor's) narrows them to that subdistrict's runs. */
  async list(filter: { status?: string; page?: number; pageSize?: number; subdistrict?: string | null }) {
    const pageSize = filter.pageSize ?? 50;
    const page = filter.page ?? 1;
    const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR subdistrict = $2)`;
    const scope = [filter.status ?? null, filter.subdistrict ?? null];
    const rows = await this.dataSource.query(
      `SELECT id, kind, status, sorting_point_id, dispatcher, supervisor, counts, created_at, completed_at FROM transfer_run
       WHERE ${where} ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
      [...scope, pageSize, (page - 1) * pageSize],
    );
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM transfer_run WHERE ${where}`, scope);
    return { items: rows.map(toRun), total, page, pageSize };
  }

  /** The run: its record, the live state (plan, counts, each trip's leg, exceptions) and its people by name. */
  async detail(runId: string) {
    const row = await this.runRow(runId);
    const [live, travellers] = await Promise.all([this.liveState(runId), this.handOverSheet(runId)]);
    return { run: toRun(row), state: live ? { ...live, travellers: undefined } : undefined, travellers };
  }

  async liveState(runId: string): Promise<RunView | undefined> {
    return unlessGone(this.runHandle(runId).query(runStateQuery), () => undefined);
  }

  /** The trip's live state, with its order in the dispatch system and the vehicle's latest reported position. */
  async tripState(runId: string, tripId: string): Promise<TripView & TripTracking> {
    await this.runRow(runId);
    const view: TripView = await unlessGone(this.client.workflow.getHandle(transferTripWorkflowId(runId, tripId)).query(tripStateQuery), () => {
      throw notFound('dispatched trip', `${runId}/${tripId}`);
    });
    const [row] = await this.dataSource.query(
      `SELECT t.position_lat, t.position_lon, t.position_at, o.order_id, o.state, o.reference, o.reason, o.sent_at
       FROM transfer_trip t LEFT JOIN dispatch_order o ON o.run_id = t.run_id AND o.trip_id = t.trip_id
       WHERE t.run_id = $1 AND t.trip_id = $2`,
      [runId, tripId],
    );
    return {
      ...view,
      position: row?.position_at ? { lat: row.position_lat, lon: row.position_lon, at: new Date(row.position_at).toISOString() } : null,
      dispatchOrder: row?.order_id
        ? { orderId: row.order_id, state: row.state, reference: row.reference, reason: row.reason, sentAt: new Date(row.sent_at).toISOString() }
        : null,
    };
  }

  /** One row per person: who, from which trip and vehicle, handed over to whom and when, and what follows. */
  async handOverSheet(runId: string): Promise<HandOverSheetRow[]> {
    await this.runRow(runId);
    const rows = await this.dataSource.query(
      `SELECT t.row_number, t.traveller_id, t.name, t.document_type, t.document_number, t.mobile, t.disposition, t.destination_id,
              t.status, t.trip_id, tr.vehicle_id, tr.escort_ids, t.handed_over_at, t.receiver, t.observation_number, t.quarantine_record_id, t.closed_as, t.closed_by,
              r.resources
       FROM transfer_traveller t JOIN transfer_run r ON r.id = t.run_id
       LEFT JOIN transfer_trip tr ON tr.run_id = t.run_id AND tr.trip_id = t.trip_id
       WHERE t.run_id = $1 ORDER BY t.row_number`,
      [runId],
    );
    return rows.map((r: Record<string, any>): HandOverSheetRow => {
      const resources = r.resources as RunResources;
      return {
        row: r.row_number,
        travellerId: r.traveller_id,
        name: r.name,
        document: `${r.document_type}:${r.document_number}`,
        mobile: r.mobile,
        disposition: r.disposition,
        destination: resources.destinations.find((d) => d.id === r.destination_id)?.name ?? r.destination_id,
        status: r.status,
        tripId: r.trip_id,
        plate: resources.vehicles.find((v) => v.id === r.vehicle_id)?.plate ?? null,
        escorts: ((r.escort_ids ?? []) as string[]).map((id) => resources.escorts.find((e) => e.id === id)?.name ?? id).join(', ') || null,
        handedOverAt: r.handed_over_at ? new Date(r.handed_over_at).toISOString() : null,
        receiver: r.receiver ? `${r.receiver.name} (${r.receiver.role}${r.receiver.organisation ? `, ${r.receiver.organisation}` : ''})` : null,
        observationNumber: r.observation_number,
        quarantineRecordId: r.quarantine_record_id,
        closedAs: r.closed_as ? `${r.closed_as} (approved by ${r.closed_by})` : null,
      };
    });
  }
}

/** What the dispatch system says about a trip (null when the trip was dispatched through the notification channels, or nothing was reported). */
export interface TripTracking {
  position: { lat: number; lon: number; at: string } | null;
  dispatchOrder: { orderId: string; state: 'accepted' | 'refused'; reference: string | null; reason: string | null; sentAt: string } | null;
}

export interface HandOverSheetRow {
  row: number;
  travellerId: string;
  name: string;
  document: string;
  mobile: string | null;
  disposition: string;
  destination: string;
  status: string;
  tripId: string | null;
  plate: string | null;
  escorts: string | null;
  handedOverAt: string | null;
  receiver: string | null;
  observationNumber: string | null;
  quarantineRecordId: string | null;
  closedAs: string | null;
}

function normaliseName(name: string): string {
  return (name ?? '').replace(/\s+/g, '').toLowerCase();
}

function toRun(r: Record<string, any>) {
  return {
    runId: r.id,
    kind: r.kind,
    status: r.status,
    sortingPointId: r.sorting_point_id,
    dispatcher: r.dispatcher,
    supervisor: r.supervisor,
    counts: r.counts,
    createdAt: new Date(r.created_at).toISOString(),
    completedAt: r.completed_at ? new Date(r.completed_at).toISOString() : null,
  };
}
