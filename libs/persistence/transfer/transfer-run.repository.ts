import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Jurisdiction } from '../../auth/jurisdiction';
import { dateOrNull } from '../../domain/time';
import type { Disposition } from '../../../workflows/transfer/transfer-planning';
import type {
  Aftercare,
  Receiver,
  RunCounts,
  RunKind,
  RunStatus,
  RunTrip,
  TransferException,
  TransferRunInput,
  TravellerState,
  TravellerStatus,
  TripLeg,
} from '../../../workflows/transfer/transfer.messages';
import type { SortingPoint, TransferDestination, TransferEscort, TransferVehicle } from './transfer-resource.repository';

/** The run's resources as recorded at its start (transfer_run.resources): contacts for dispatch, names for sheets. */
export interface RunResources {
  sortingPoint: SortingPoint;
  vehicles: Array<Omit<TransferVehicle, 'available'>>;
  escorts: Array<Omit<TransferEscort, 'available'>>;
  destinations: TransferDestination[];
}

/** A run as lists read it (transfer_run); the run's workflow is the source of truth while it runs. */
export interface TransferRun {
  id: string;
  kind: RunKind;
  status: RunStatus;
  sortingPointId: string;
  dispatcher: string;
  supervisor: string;
  /** The subdistrict that runs the transfer; null: the district command. */
  subdistrict: string | null;
  /** As the run's last pass recorded them: empty until its first. */
  counts: Partial<RunCounts>;
  createdAt: Date;
  completedAt: Date | null;
}

/** A run to record, before its workflow starts. */
export interface NewTransferRun {
  id: string;
  /** The idempotency key it was asked with: the same key finds this run again. */
  requestId: string | null;
  kind: RunKind;
  sortingPointId: string;
  dispatcher: string;
  supervisor: string;
  subdistrict: string | null;
  resources: RunResources;
  /** The workflow's input, to start it again if its first start was lost. */
  input: TransferRunInput;
}

/** One person of a run's manifest (transfer_traveller): identity here only, status mirrored from the run. */
export interface TransferTraveller {
  runId: string;
  travellerId: string;
  /** 1-based row of the manifest. */
  row: number;
  name: string;
  documentType: string;
  documentNumber: string;
  mobile: string | null;
  /** Home-bound: the address the observation starts at. */
  address: Record<string, string> | null;
  responsibleWorker: string | null;
  arrivalTime: Date;
  disposition: Disposition;
  keyPerson: boolean;
  familyGroup: string | null;
  destinationId: string;
  status: TravellerStatus;
  tripId: string | null;
  handedOverAt: Date | null;
  receiver: Receiver | null;
  aftercare: Aftercare | null;
  observationNumber: string | null;
  quarantineRecordId: string | null;
  closedAs: string | null;
  closedBy: string | null;
}

export type NewTraveller = Pick<
  TransferTraveller,
  | 'travellerId'
  | 'row'
  | 'name'
  | 'documentType'
  | 'documentNumber'
  | 'mobile'
  | 'address'
  | 'responsibleWorker'
  | 'arrivalTime'
  | 'disposition'
  | 'keyPerson'
  | 'familyGroup'
  | 'destinationId'
  | 'tripId'
>;

/** A traveller with the vehicle and escorts of their trip, as the hand-over sheet lists them. */
export interface SheetTraveller extends TransferTraveller {
  vehicleId: string | null;
  escortIds: string[];
}

/** What one pass of a run's workflow changed (its PostgreSQL mirror), written together. */
export interface RunPass {
  runId: string;
  run?: { status: RunStatus; counts: RunCounts };
  travellers: Array<{ travellerId: string } & TravellerState>;
  trips: RunTrip[];
  removedTripIds: string[];
  exceptions: TransferException[];
}

const RUN = `r.id, r.kind, r.status, r.sorting_point_id AS "sortingPointId", r.dispatcher, r.supervisor, r.subdistrict, r.counts,
  r.created_at AS "createdAt", r.completed_at AS "completedAt"`;

const TRAVELLER = `t.run_id AS "runId", t.traveller_id AS "travellerId", t.row_number AS row, t.name, t.document_type AS "documentType",
  t.document_number AS "documentNumber", t.mobile, t.address, t.responsible_worker AS "responsibleWorker", t.arrival_time AS "arrivalTime",
  t.disposition, t.key_person AS "keyPerson", t.family_group AS "familyGroup", t.destination_id AS "destinationId", t.status, t.trip_id AS "tripId",
  t.handed_over_at AS "handedOverAt", t.receiver, t.aftercare, t.observation_number AS "observationNumber",
  t.quarantine_record_id AS "quarantineRecordId", t.closed_as AS "closedAs", t.closed_by AS "closedBy"`;

const RUN_FILTER = `($1::text IS NULL OR r.status = $1) AND ($2::text IS NULL OR r.subdistrict = $2)`;

/**
 * Every statement on a run's tables: transfer_run, transfer_traveller, transfer_trip and
 * transfer_exception (the run's mirror, written by its workflow's passes).
 */
@Injectable()
export class TransferRunRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records a run with its travellers, waiting, in one transaction; false (and nothing written)
   * when a run was already recorded under its request id.
   */
  async create(run: NewTransferRun, travellers: NewTraveller[]): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query(
        `INSERT INTO transfer_run (id, client_request_id, kind, status, sorting_point_id, dispatcher, supervisor, resources, input, subdistrict)
         VALUES ($1, $2, $3, 'planned', $4, $5, $6, $7, $8, $9) ON CONFLICT (client_request_id) DO NOTHING RETURNING id`,
        [run.id, run.requestId, run.kind, run.sortingPointId, run.dispatcher, run.supervisor, JSON.stringify(run.resources), JSON.stringify(run.input), run.subdistrict],
      );
      if (!inserted.length) return false;
      await manager.query(
        `INSERT INTO transfer_traveller (run_id, traveller_id, row_number, name, document_type, document_number, mobile, address, responsible_worker,
           arrival_time, disposition, key_person, family_group, destination_id, status, trip_id, updated_at)
         SELECT $1, r."travellerId", r.row, r.name, r."documentType", r."documentNumber", r.mobile, r.address, r."responsibleWorker",
           r."arrivalTime", r.disposition, r."keyPerson", r."familyGroup", r."destinationId", 'waiting', r."tripId", now()
         FROM jsonb_to_recordset($2::jsonb) AS r("travellerId" text, row int, name text, "documentType" text, "documentNumber" text, mobile text, address jsonb,
           "responsibleWorker" text, "arrivalTime" timestamptz, disposition text, "keyPerson" boolean, "familyGroup" text, "destinationId" text, "tripId" text)`,
        [run.id, JSON.stringify(travellers)],
      );
      return true;
    });
  }

  /** The run recorded under an idempotency key, with its workflow's input. */
  async byRequestId(requestId: string): Promise<{ id: string; input: TransferRunInput } | undefined> {
    const [row] = await this.dataSource.query(`SELECT id, input FROM transfer_run WHERE client_request_id = $1`, [requestId]);
    return row;
  }

  async get(runId: string): Promise<TransferRun | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${RUN} FROM transfer_run r WHERE r.id = $1`, [runId]);
    return row;
  }

  /** Runs, newest first, of a status and a subdistrict when given. */
  async page(filter: { status?: RunStatus; subdistrict?: string | null }, page: { offset: number; pageSize: number }): Promise<{ items: TransferRun[]; total: number }> {
    const scope = [filter.status ?? null, filter.subdistrict ?? null];
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query(`SELECT ${RUN} FROM transfer_run r WHERE ${RUN_FILTER} ORDER BY r.created_at DESC, r.id LIMIT $3 OFFSET $4`, [...scope, page.pageSize, page.offset]),
      this.dataSource.query(`SELECT count(*)::int AS total FROM transfer_run r WHERE ${RUN_FILTER}`, scope),
    ]);
    return { items, total };
  }

  /** Where a run lies, for the access check: its subdistrict (none for the district command's); empty when there is no such run. */
  async places(runId: string): Promise<Jurisdiction[]> {
    return this.dataSource.query(`SELECT subdistrict, NULL AS community FROM transfer_run WHERE id = $1`, [runId]);
  }

  async inputOf(runId: string): Promise<TransferRunInput | undefined> {
    const [row] = await this.dataSource.query(`SELECT input FROM transfer_run WHERE id = $1`, [runId]);
    return row?.input;
  }

  async resourcesOf(runId: string): Promise<RunResources | undefined> {
    const [row] = await this.dataSource.query(`SELECT resources FROM transfer_run WHERE id = $1`, [runId]);
    return row?.resources;
  }

  /** Runs not completed that were recorded more than `seconds` ago. */
  async openIds(olderThanSeconds: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM transfer_run WHERE status IN ('planned', 'running') AND created_at < now() - make_interval(secs => $1)`,
      [olderThanSeconds],
    );
    return rows.map((row) => row.id);
  }

  /** A traveller of a run, with the subdistrict of the run. */
  async traveller(runId: string, travellerId: string): Promise<(TransferTraveller & { runSubdistrict: string | null }) | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT ${TRAVELLER}, r.subdistrict AS "runSubdistrict" FROM transfer_traveller t JOIN transfer_run r ON r.id = t.run_id WHERE t.run_id = $1 AND t.traveller_id = $2`,
      [runId, travellerId],
    );
    return row;
  }

  /** Every traveller of a run in manifest order, with their trip's vehicle and escorts. */
  async sheet(runId: string): Promise<SheetTraveller[]> {
    return this.dataSource.query(
      `SELECT ${TRAVELLER}, tr.vehicle_id AS "vehicleId", coalesce(tr.escort_ids, '[]') AS "escortIds"
       FROM transfer_traveller t LEFT JOIN transfer_trip tr ON tr.run_id = t.run_id AND tr.trip_id = t.trip_id
       WHERE t.run_id = $1 ORDER BY t.row_number`,
      [runId],
    );
  }

  /** The leg a trip was last recorded in, if the run has that trip. */
  async tripLeg(runId: string, tripId: string): Promise<TripLeg | undefined> {
    const [row] = await this.dataSource.query(`SELECT leg FROM transfer_trip WHERE run_id = $1 AND trip_id = $2`, [runId, tripId]);
    return row?.leg;
  }

  /** Writes a pass of the run's workflow within the caller's transaction: run status and counts, travellers, trips, exceptions. */
  async recordPass(manager: EntityManager, pass: RunPass): Promise<void> {
    if (pass.run) {
      await manager.query(
        `UPDATE transfer_run SET status = $2, counts = $3, updated_at = now(),
           completed_at = CASE WHEN $2 = 'completed' THEN coalesce(completed_at, now()) END WHERE id = $1`,
        [pass.runId, pass.run.status, JSON.stringify(pass.run.counts)],
      );
    }
    if (pass.travellers.length) await this.writeTravellers(manager, pass);
    if (pass.removedTripIds.length) await manager.query(`DELETE FROM transfer_trip WHERE run_id = $1 AND trip_id = ANY($2)`, [pass.runId, pass.removedTripIds]);
    if (pass.trips.length) await this.writeTrips(manager, pass);
    if (pass.exceptions.length) await this.writeExceptions(manager, pass);
  }

  /** Runs completed and travellers handed over within [from, to), each by status. */
  async countsWithin(from: Date, to: Date): Promise<{ runs: Record<string, number>; travellers: Record<string, number> }> {
    const [{ runs, travellers }] = await this.dataSource.query(
      `SELECT (SELECT coalesce(json_object_agg(status, n), '{}') FROM (SELECT status, count(*)::int AS n FROM transfer_run
                 WHERE completed_at >= $1 AND completed_at < $2 GROUP BY status) c) AS runs,
              (SELECT coalesce(json_object_agg(status, n), '{}') FROM (SELECT status, count(*)::int AS n FROM transfer_traveller
                 WHERE handed_over_at >= $1 AND handed_over_at < $2 GROUP BY status) c) AS travellers`,
      [from, to],
    );
    return { runs, travellers };
  }

  private async writeTravellers(manager: EntityManager, pass: RunPass): Promise<void> {
    const rows = pass.travellers.map((t) => ({ ...t, handedOverAt: dateOrNull(t.handedOverAt) }));
    await manager.query(
      `UPDATE transfer_traveller t SET status = c.status, trip_id = c."tripId", destination_id = c."destinationId",
         handed_over_at = c."handedOverAt", receiver = c.receiver, aftercare = c.aftercare,
         observation_number = c."observationNumber", quarantine_record_id = c."quarantineRecordId"::uuid,
         closed_as = c."closedAs", closed_by = c."closedBy", updated_at = now()
       FROM jsonb_to_recordset($2::jsonb) AS c("travellerId" text, status text, "tripId" text, "destinationId" text, "handedOverAt" timestamptz,
         receiver jsonb, aftercare text, "observationNumber" text, "quarantineRecordId" text, "closedAs" text, "closedBy" text)
       WHERE t.run_id = $1 AND t.traveller_id = c."travellerId"`,
      [pass.runId, JSON.stringify(rows)],
    );
  }

  private async writeTrips(manager: EntityManager, pass: RunPass): Promise<void> {
    const rows = pass.trips.map((t) => ({ ...t, departAt: dateOrNull(t.departAt), arriveAt: dateOrNull(t.arriveAt), returnAt: dateOrNull(t.returnAt) }));
    await manager.query(
      `INSERT INTO transfer_trip (run_id, trip_id, vehicle_id, escort_ids, destination_id, traveller_ids, depart_at, arrive_at, return_at, leg, meeting, updated_at)
       SELECT $1, c."tripId", c."vehicleId", c."escortIds", c."destinationId", c."travellerIds", c."departAt", c."arriveAt", c."returnAt", c.leg, c.meeting, now()
       FROM jsonb_to_recordset($2::jsonb) AS c("tripId" text, "vehicleId" text, "escortIds" jsonb, "destinationId" text, "travellerIds" jsonb,
         "departAt" timestamptz, "arriveAt" timestamptz, "returnAt" timestamptz, leg text, meeting jsonb)
       ON CONFLICT (run_id, trip_id) DO UPDATE SET vehicle_id = EXCLUDED.vehicle_id, escort_ids = EXCLUDED.escort_ids, destination_id = EXCLUDED.destination_id,
         traveller_ids = EXCLUDED.traveller_ids, depart_at = EXCLUDED.depart_at, arrive_at = EXCLUDED.arrive_at, return_at = EXCLUDED.return_at,
         leg = EXCLUDED.leg, meeting = EXCLUDED.meeting, updated_at = now()`,
      [pass.runId, JSON.stringify(rows)],
    );
  }

  private async writeExceptions(manager: EntityManager, pass: RunPass): Promise<void> {
    const rows = pass.exceptions.map((e) => ({ ...e, openedAt: dateOrNull(e.openedAt), deadline: dateOrNull(e.deadline), escalatedAt: dateOrNull(e.escalatedAt) }));
    await manager.query(
      `INSERT INTO transfer_exception (id, run_id, kind, traveller_ids, trip_id, owner_role, owner, state, reason, opened_at, deadline, escalated_at, resolution, decided_by, updated_at)
       SELECT c.id, $1, c.kind, c."travellerIds", c."tripId", c."ownerRole", c.owner, c.state, c.reason, c."openedAt", c.deadline, c."escalatedAt", c.resolution, c."decidedBy", now()
       FROM jsonb_to_recordset($2::jsonb) AS c(id text, kind text, "travellerIds" jsonb, "tripId" text, "ownerRole" text, owner text, state text, reason text,
         "openedAt" timestamptz, deadline timestamptz, "escalatedAt" timestamptz, resolution text, "decidedBy" text)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, owner = EXCLUDED.owner, escalated_at = EXCLUDED.escalated_at,
         resolution = EXCLUDED.resolution, decided_by = EXCLUDED.decided_by, updated_at = now()`,
      [pass.runId, JSON.stringify(rows)],
    );
  }
}
