import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Jurisdiction } from '../../auth/jurisdiction';
import { dateOrNull } from '../../domain/time';
import type { DestinationKind, Disposition } from '../../../workflows/transfer/transfer-planning';
import type {
  Aftercare,
  ExceptionKind,
  ExceptionOwnerRole,
  ExceptionState,
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
  // Without the crew's account links: they are read live from the registry (a link made after the start counts).
  vehicles: Array<Omit<TransferVehicle, 'available' | 'driverAccountId' | 'subdistrict'>>;
  escorts: Array<Omit<TransferEscort, 'available' | 'accountId' | 'subdistrict'>>;
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

/** Who owns an exception and where it lies (its run's subdistrict, and its trip's destination if it has a trip), for an inbox's actions. */
export interface ExceptionOwnership {
  id: string;
  runId: string;
  kind: ExceptionKind;
  ownerRole: ExceptionOwnerRole;
  ownerAccount: string | null;
  state: ExceptionState;
  subdistrict: string | null;
  destinationId: string | null;
}

/** A trip's destination, as its receiving side is checked against it. */
export interface TripDestination {
  destinationId: string;
  kind: DestinationKind;
  name: string;
  subdistrict: string | null;
  community: string | null;
}

/** A trip on its way to (or at) a destination, with each person on it, as the receiving side reads it. */
export interface Arrival {
  runId: string;
  tripId: string;
  leg: TripLeg;
  destinationId: string;
  destinationName: string;
  plate: string | null;
  departAt: Date;
  arriveAt: Date;
  travellers: Array<{ travellerId: string; name: string; status: TravellerStatus; handedOverAt: string | null }>;
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

  /** Where a trip goes, for the access check of its receiving side; undefined when there is no such trip. */
  async tripDestination(runId: string, tripId: string): Promise<TripDestination | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT d.id AS "destinationId", d.kind, d.name, d.subdistrict, d.community FROM transfer_trip t JOIN transfer_destination d ON d.id = t.destination_id
       WHERE t.run_id = $1 AND t.trip_id = $2`,
      [runId, tripId],
    );
    return row;
  }

  /**
   * The accounts linked as a dispatched trip's escorts and driver (none before it is dispatched, or
   * when there is no such trip).
   */
  async tripCrew(runId: string, tripId: string): Promise<string[]> {
    const rows: Array<{ account: string }> = await this.dataSource.query(
      `SELECT v.driver_account_id AS account FROM transfer_trip t JOIN transfer_vehicle v ON v.id = t.vehicle_id
       WHERE t.run_id = $1 AND t.trip_id = $2 AND t.leg <> 'planned' AND v.driver_account_id IS NOT NULL
       UNION SELECT e.account_id FROM transfer_trip t JOIN transfer_escort e ON t.escort_ids ? e.id
       WHERE t.run_id = $1 AND t.trip_id = $2 AND t.leg <> 'planned' AND e.account_id IS NOT NULL`,
      [runId, tripId],
    );
    return rows.map((row) => row.account);
  }

  /**
   * Trips on their way (trips handed over in the last `recentHours` too), soonest first, each with
   * its people by name in manifest order: to one destination or the destinations of one community
   * (its receiving side), or crewed by one account (linked as an escort or the driver).
   */
  arrivals(at: { destinationId: string } | { subdistrict: string; community: string } | { crewAccountId: string }, recentHours: number): Promise<Arrival[]> {
    const destinationId = 'destinationId' in at ? at.destinationId : null;
    const [subdistrict, community] = 'community' in at ? [at.subdistrict, at.community] : [null, null];
    const crewAccountId = 'crewAccountId' in at ? at.crewAccountId : null;
    return this.dataSource.query(
      `SELECT t.run_id AS "runId", t.trip_id AS "tripId", t.leg, d.id AS "destinationId", d.name AS "destinationName", v.plate, t.depart_at AS "departAt", t.arrive_at AS "arriveAt",
         coalesce(json_agg(json_build_object('travellerId', p.traveller_id, 'name', p.name, 'status', p.status, 'handedOverAt', p.handed_over_at) ORDER BY p.row_number)
           FILTER (WHERE p.traveller_id IS NOT NULL), '[]') AS travellers
       FROM transfer_trip t JOIN transfer_destination d ON d.id = t.destination_id
       LEFT JOIN transfer_vehicle v ON v.id = t.vehicle_id
       LEFT JOIN transfer_traveller p ON p.run_id = t.run_id AND p.trip_id = t.trip_id
       WHERE (t.leg IN ('dispatched', 'boarding', 'departed', 'arrived') OR (t.leg = 'completed' AND t.updated_at > now() - make_interval(hours => $4)))
         AND (d.id = $1 OR (d.subdistrict = $2 AND d.community = $3)
           OR v.driver_account_id = $5 OR EXISTS (SELECT 1 FROM transfer_escort e WHERE t.escort_ids ? e.id AND e.account_id = $5))
       GROUP BY t.run_id, t.trip_id, d.id, v.plate
       ORDER BY t.arrive_at, t.run_id, t.trip_id`,
      [destinationId, subdistrict, community, recentHours, crewAccountId],
    );
  }

  /** The exceptions of these ids that exist, with their owner and place. */
  exceptionOwnership(ids: string[]): Promise<ExceptionOwnership[]> {
    return this.dataSource.query(
      `SELECT x.id, x.run_id AS "runId", x.kind, x.owner_role AS "ownerRole", x.owner_account AS "ownerAccount", x.state, r.subdistrict, t.destination_id AS "destinationId"
       FROM transfer_exception x JOIN transfer_run r ON r.id = x.run_id LEFT JOIN transfer_trip t ON t.run_id = x.run_id AND t.trip_id = x.trip_id
       WHERE x.id = ANY($1)`,
      [ids],
    );
  }

  /** Makes the account the owner of an exception still open; false when it is resolved. */
  async takeException(id: string, accountId: string): Promise<boolean> {
    const [rows] = await this.dataSource.query(`UPDATE transfer_exception SET owner_account = $2, updated_at = now() WHERE id = $1 AND state <> 'resolved' RETURNING id`, [id, accountId]);
    return rows.length > 0;
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

  /**
   * Writes a pass of the run's workflow within the caller's transaction: run status and counts,
   * travellers, trips, exceptions (an exception's owner account with its first row only: a later
   * pass never changes who owns it).
   */
  async recordPass(manager: EntityManager, pass: RunPass, ownerAccounts = new Map<string, string | null>()): Promise<void> {
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
    if (pass.exceptions.length) await this.writeExceptions(manager, pass, ownerAccounts);
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

  private async writeExceptions(manager: EntityManager, pass: RunPass, ownerAccounts: Map<string, string | null>): Promise<void> {
    const rows = pass.exceptions.map((e) => ({ ...e, openedAt: dateOrNull(e.openedAt), deadline: dateOrNull(e.deadline), escalatedAt: dateOrNull(e.escalatedAt), ownerAccount: ownerAccounts.get(e.id) ?? null }));
    await manager.query(
      `INSERT INTO transfer_exception (id, run_id, kind, traveller_ids, trip_id, owner_role, owner, state, reason, opened_at, deadline, escalated_at, resolution, decided_by, owner_account, updated_at)
       SELECT c.id, $1, c.kind, c."travellerIds", c."tripId", c."ownerRole", c.owner, c.state, c.reason, c."openedAt", c.deadline, c."escalatedAt", c.resolution, c."decidedBy", c."ownerAccount", now()
       FROM jsonb_to_recordset($2::jsonb) AS c(id text, kind text, "travellerIds" jsonb, "tripId" text, "ownerRole" text, owner text, state text, reason text,
         "openedAt" timestamptz, deadline timestamptz, "escalatedAt" timestamptz, resolution text, "decidedBy" text, "ownerAccount" uuid)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, owner = EXCLUDED.owner, escalated_at = EXCLUDED.escalated_at,
         resolution = EXCLUDED.resolution, decided_by = EXCLUDED.decided_by, updated_at = now()`,
      [pass.runId, JSON.stringify(rows)],
    );
  }
}
