import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { utcOffsetMinutes, zonedIso } from '../../libs/config/time-zone';
import { DomainError } from '../../libs/domain/errors';
import { covers, Jurisdiction } from '../../libs/auth/jurisdiction';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { localDate } from '../../libs/domain/local-time';
import type { RunCounts, RunStatus, RunTrip, TransferException, TravellerState } from '../../workflows/transfer/transfer.messages';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import { DISPATCH_SYSTEM, DispatchSystem } from './dispatch-system';

/** What one pass of a run workflow changed, written in one transaction. */
export interface TransferChanges {
  runId: string;
  run?: { status: RunStatus; counts: RunCounts };
  travellers: Array<{ travellerId: string } & TravellerState>;
  trips: RunTrip[];
  removedTripIds: string[];
  exceptions: TransferException[];
  notifications: NotificationRequest[];
}

export interface DispatchTripInput {
  runId: string;
  tripId: string;
  vehicleId: string;
  escortIds: string[];
  destinationId: string;
  boardAt: number;
  people: number;
  meetingPoint?: string;
}

/**
 * After a hand-over: home observation started, quarantine record made, referred to the home
 * jurisdiction's receiving side (an incoming hand-over it accepts), or why none could be.
 */
export interface Admission {
  kind: 'observation' | 'quarantine' | 'referred' | 'failed';
  observationNumber?: string;
  quarantineRecordId?: string;
  incomingHandOverId?: string;
  reason?: string;
}

/** A traveller's row of transfer_traveller, as an admission reads it. */
export interface TravellerRow {
  run_id: string;
  traveller_id: string;
  name: string;
  document_type: string;
  document_number: string;
  mobile: string | null;
  address: Record<string, string> | null;
  responsible_worker: string | null;
  arrival_time: Date;
}

/** The run's resources as recorded at its start: contacts for dispatch, names for sheets. */
export interface RunResources {
  sortingPoint: { id: string; name: string; address: string };
  vehicles: Array<{ id: string; plate: string; seats: number; driverName: string; driverContact: string }>;
  escorts: Array<{ id: string; name: string; contact: string }>;
  destinations: Array<{ id: string; kind: string; name: string; travelMinutes: number; capacity: number | null; receiver: string; worker: string | null }>;
}

/** The idempotency key of everything a hand-over starts: one observation, one quarantine record. */
export function admissionRequestId(runId: string, travellerId: string): string {
  return `transfer:${runId}:${travellerId}`;
}

/** The home observation a traveller taken home starts: category C from the local date of arrival, one per run and traveller. */
export function homeObservationEnrolment(t: TravellerRow, timeZone: string, responsibleWorker: string | null): Record<string, unknown> {
  return {
    name: t.name,
    documentType: t.document_type,
    documentNumber: t.document_number,
    mobile: t.mobile,
    address: t.address,
    category: 'C',
    anchorDate: arrivalDate(t, timeZone),
    responsibleWorker,
    clientRequestId: admissionRequestId(t.run_id, t.traveller_id),
  };
}

/**
 * Every method is a Temporal activity (apps/worker/worker.ts): the run's PostgreSQL mirror, the
 * dispatch of a trip, and the admission after a hand-over. All are idempotent, so retries are safe.
 */
@Injectable()
export class TransferActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DISPATCH_SYSTEM) private readonly dispatchSystem: DispatchSystem,
    private readonly notifications: NotificationOutbox,
    private readonly enrolment: EnrolmentService,
  ) {}

  /** Mirrors a run's pass: run status and counts, traveller statuses, trips, exceptions, queued messages. */
  async recordTransferChanges(changes: TransferChanges): Promise<{ toDeliver: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      if (changes.run) {
        await manager.query(
          `UPDATE transfer_run SET status = $2, counts = $3, updated_at = now(),
             completed_at = CASE WHEN $2 = 'completed' THEN coalesce(completed_at, now()) END WHERE id = $1`,
          [changes.runId, changes.run.status, JSON.stringify(changes.run.counts)],
        );
      }
      if (changes.travellers.length) await writeTravellers(manager, changes);
      if (changes.removedTripIds.length) await manager.query(`DELETE FROM transfer_trip WHERE run_id = $1 AND trip_id = ANY($2)`, [changes.runId, changes.removedTripIds]);
      if (changes.trips.length) await writeTrips(manager, changes.runId, changes.trips);
      if (changes.exceptions.length) await writeExceptions(manager, changes.runId, changes.exceptions);
      const toDeliver = await this.notifications.enqueue(manager, changes.notifications);
      return { toDeliver };
    });
  }

  /** Calls the trip's vehicle and escorts through the dispatch system. */
  async dispatchTrip(input: DispatchTripInput): Promise<{ reference: string }> {
    const resources = await runResources(this.dataSource.manager, input.runId);
    const vehicle = resources.vehicles.find((v) => v.id === input.vehicleId);
    const destination = resources.destinations.find((d) => d.id === input.destinationId);
    return this.dispatchSystem.dispatch({
      orderId: `${input.runId}/${input.tripId}`,
      runId: input.runId,
      tripId: input.tripId,
      plate: vehicle?.plate ?? input.vehicleId,
      driver: { name: vehicle?.driverName ?? input.vehicleId, contact: vehicle?.driverContact ?? input.vehicleId },
      escorts: input.escortIds.map((id) => resources.escorts.find((e) => e.id === id) ?? { name: id, contact: id }),
      pickupAddress: input.meetingPoint ?? `${resources.sortingPoint.name} ${resources.sortingPoint.address}`,
      pickupAt: zonedIso(input.boardAt, this.config.timeZone),
      destination: destination?.name ?? input.destinationId,
      people: input.people,
    });
  }

  /**
   * After a hand-over: a person going home gets a category C home observation anchored on their
   * arrival date; a person going to a hotel gets a centralized-quarantine record. Exactly once per
   * person and run whatever the retries (clientRequestId / unique key). A person whose home lies
   * outside the run's jurisdiction is not enrolled by the run: their home jurisdiction's receiving
   * side gets an incoming hand-over, and enrols them when it accepts it. A refusal of the enrolment
   * (a field, an observation already open) comes back as `failed` for the run to raise.
   */
  async admitAfterHandOver(input: { runId: string; travellerId: string; destinationId: string }): Promise<Admission> {
    const [t] = await this.dataSource.query(
      `SELECT t.*, r.subdistrict AS run_subdistrict FROM transfer_traveller t JOIN transfer_run r ON r.id = t.run_id WHERE t.run_id = $1 AND t.traveller_id = $2`,
      [input.runId, input.travellerId],
    );
    if (!t) return { kind: 'failed', reason: `traveller ${input.travellerId} is not in run ${input.runId}` };
    if (t.disposition === 'home_observation') {
      const run: Jurisdiction = { subdistrict: t.run_subdistrict, community: null };
      const home = homeOf(t.address);
      if (home && !covers(run, home)) {
        const [referred] = await this.dataSource.query(
          `WITH added AS (
             INSERT INTO incoming_hand_over (run_id, traveller_id, from_subdistrict, subdistrict, community) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (run_id, traveller_id) DO NOTHING RETURNING id)
           SELECT id FROM added UNION ALL SELECT id FROM incoming_hand_over WHERE run_id = $1 AND traveller_id = $2`,
          [input.runId, input.travellerId, t.run_subdistrict, home.subdistrict, home.community],
        );
        return { kind: 'referred', incomingHandOverId: referred.id };
      }
      try {
        const result = await this.enrolment.enrol(homeObservationEnrolment(t, this.config.timeZone, t.responsible_worker), run);
        return { kind: 'observation', observationNumber: result.observationNumber };
      } catch (error) {
        if (error instanceof DomainError && error.kind !== 'unavailable') return { kind: 'failed', reason: error.message };
        throw error;
      }
    }
    const requestId = admissionRequestId(input.runId, input.travellerId);
    await this.dataSource.query(
      `INSERT INTO centralized_quarantine (client_request_id, hotel_id, name, document_type, document_number, mobile, arrival_date, run_id, traveller_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (client_request_id) DO NOTHING`,
      [requestId, input.destinationId, t.name, t.document_type, t.document_number, t.mobile, arrivalDate(t, this.config.timeZone), input.runId, input.travellerId],
    );
    const [record] = await this.dataSource.query(`SELECT id FROM centralized_quarantine WHERE client_request_id = $1`, [requestId]);
    return { kind: 'quarantine', quarantineRecordId: record.id };
  }
}

/** The local date a traveller arrived on. */
function arrivalDate(t: TravellerRow, timeZone: string): string {
  const arrival = new Date(t.arrival_time).getTime();
  return localDate(arrival, utcOffsetMinutes(timeZone, arrival));
}

/** Where a traveller's home address lies, if the manifest gave one (subdistrict codes are upper case, as an enrolment has them). */
function homeOf(address: Record<string, string> | null): Jurisdiction | undefined {
  if (typeof address?.subdistrict !== 'string' || typeof address.community !== 'string') return undefined;
  return { subdistrict: address.subdistrict.trim().toUpperCase(), community: address.community.trim() };
}

export async function runResources(manager: EntityManager, runId: string): Promise<RunResources> {
  const [row] = await manager.query(`SELECT resources FROM transfer_run WHERE id = $1`, [runId]);
  if (!row) throw new Error(`transfer run ${runId} not found`);
  return row.resources;
}

const at = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

async function writeTravellers(manager: EntityManager, changes: TransferChanges): Promise<void> {
  const rows = changes.travellers.map((t) => ({ ...t, handedOverAt: at(t.handedOverAt) }));
  await manager.query(
    `UPDATE transfer_traveller t SET status = c.status, trip_id = c."tripId", destination_id = c."destinationId",
       handed_over_at = c."handedOverAt", receiver = c.receiver, aftercare = c.aftercare,
       observation_number = c."observationNumber", quarantine_record_id = c."quarantineRecordId"::uuid,
       closed_as = c."closedAs", closed_by = c."closedBy", updated_at = now()
     FROM jsonb_to_recordset($2::jsonb) AS c("travellerId" text, status text, "tripId" text, "destinationId" text, "handedOverAt" timestamptz,
       receiver jsonb, aftercare text, "observationNumber" text, "quarantineRecordId" text, "closedAs" text, "closedBy" text)
     WHERE t.run_id = $1 AND t.traveller_id = c."travellerId"`,
    [changes.runId, JSON.stringify(rows)],
  );
}

async function writeTrips(manager: EntityManager, runId: string, trips: RunTrip[]): Promise<void> {
  const rows = trips.map((t) => ({ ...t, departAt: at(t.departAt), arriveAt: at(t.arriveAt), returnAt: at(t.returnAt) }));
  await manager.query(
    `INSERT INTO transfer_trip (run_id, trip_id, vehicle_id, escort_ids, destination_id, traveller_ids, depart_at, arrive_at, return_at, leg, meeting, updated_at)
     SELECT $1, c."tripId", c."vehicleId", c."escortIds", c."destinationId", c."travellerIds", c."departAt", c."arriveAt", c."returnAt", c.leg, c.meeting, now()
     FROM jsonb_to_recordset($2::jsonb) AS c("tripId" text, "vehicleId" text, "escortIds" jsonb, "destinationId" text, "travellerIds" jsonb,
       "departAt" timestamptz, "arriveAt" timestamptz, "returnAt" timestamptz, leg text, meeting jsonb)
     ON CONFLICT (run_id, trip_id) DO UPDATE SET vehicle_id = EXCLUDED.vehicle_id, escort_ids = EXCLUDED.escort_ids, destination_id = EXCLUDED.destination_id,
       traveller_ids = EXCLUDED.traveller_ids, depart_at = EXCLUDED.depart_at, arrive_at = EXCLUDED.arrive_at, return_at = EXCLUDED.return_at,
       leg = EXCLUDED.leg, meeting = EXCLUDED.meeting, updated_at = now()`,
    [runId, JSON.stringify(rows)],
  );
}

async function writeExceptions(manager: EntityManager, runId: string, exceptions: TransferException[]): Promise<void> {
  const rows = exceptions.map((e) => ({ ...e, openedAt: at(e.openedAt), deadline: at(e.deadline), escalatedAt: at(e.escalatedAt) }));
  await manager.query(
    `INSERT INTO transfer_exception (id, run_id, kind, traveller_ids, trip_id, owner_role, owner, state, reason, opened_at, deadline, escalated_at, resolution, decided_by, updated_at)
     SELECT c.id, $1, c.kind, c."travellerIds", c."tripId", c."ownerRole", c.owner, c.state, c.reason, c."openedAt", c.deadline, c."escalatedAt", c.resolution, c."decidedBy", now()
     FROM jsonb_to_recordset($2::jsonb) AS c(id text, kind text, "travellerIds" jsonb, "tripId" text, "ownerRole" text, owner text, state text, reason text,
       "openedAt" timestamptz, deadline timestamptz, "escalatedAt" timestamptz, resolution text, "decidedBy" text)
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, owner = EXCLUDED.owner, escalated_at = EXCLUDED.escalated_at,
       resolution = EXCLUDED.resolution, decided_by = EXCLUDED.decided_by, updated_at = now()`,
    [runId, JSON.stringify(rows)],
  );
}
