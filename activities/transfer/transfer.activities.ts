import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { zonedIso } from '../../libs/config/time-zone';
import { DomainError } from '../../libs/domain/errors';
import { covers, Jurisdiction } from '../../libs/auth/jurisdiction';
import { admissionRequestId, arrivalDate, homeObservationEnrolment } from '../../libs/observation/arrival-enrolment';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { IncomingHandOverRepository } from '../../libs/persistence/observation/incoming-hand-over.repository';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import { CentralizedQuarantineRepository } from '../../libs/persistence/transfer/centralized-quarantine.repository';
import { RunPass, TransferRunRepository } from '../../libs/persistence/transfer/transfer-run.repository';
import { DISPATCH_SYSTEM, DispatchSystem } from '../../libs/transfer/dispatch/dispatch-system';

/** What one pass of a run workflow changed, written in one transaction with the messages it queued. */
export interface TransferChanges extends RunPass {
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
    private readonly incomingHandOvers: IncomingHandOverRepository,
    private readonly runs: TransferRunRepository,
    private readonly quarantine: CentralizedQuarantineRepository,
  ) {}

  /** Mirrors a run's pass: run status and counts, traveller statuses, trips, exceptions, queued messages. */
  async recordTransferChanges(changes: TransferChanges): Promise<{ toDeliver: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      await this.runs.recordPass(manager, changes);
      return { toDeliver: await this.notifications.enqueue(manager, changes.notifications) };
    });
  }

  /** Calls the trip's vehicle and escorts through the dispatch system. */
  async dispatchTrip(input: DispatchTripInput): Promise<{ reference: string }> {
    const resources = await this.runs.resourcesOf(input.runId);
    if (!resources) throw new Error(`transfer run ${input.runId} is not recorded`);
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
   * person and run whatever the retries (admissionRequestId). A person whose home lies
   * outside the run's jurisdiction is not enrolled by the run: their home jurisdiction's receiving
   * side gets an incoming hand-over, and enrols them when it accepts it. A refusal of the enrolment
   * (a field, an observation already open) comes back as `failed` for the run to raise.
   */
  async admitAfterHandOver(input: { runId: string; travellerId: string; destinationId: string }): Promise<Admission> {
    const t = await this.runs.traveller(input.runId, input.travellerId);
    if (!t) return { kind: 'failed', reason: `traveller ${input.travellerId} is not in run ${input.runId}` };
    if (t.disposition === 'home_observation') {
      const run: Jurisdiction = { subdistrict: t.runSubdistrict, community: null };
      const home = homeOf(t.address);
      if (home && !covers(run, home)) {
        const incomingHandOverId = await this.incomingHandOvers.refer({ ...input, fromSubdistrict: t.runSubdistrict, ...home });
        return { kind: 'referred', incomingHandOverId };
      }
      try {
        const result = await this.enrolment.enrol(homeObservationEnrolment(t, this.config.timeZone, t.responsibleWorker), run);
        return { kind: 'observation', observationNumber: result.observationNumber };
      } catch (error) {
        if (error instanceof DomainError && error.kind !== 'unavailable') return { kind: 'failed', reason: error.message };
        throw error;
      }
    }
    const quarantineRecordId = await this.quarantine.admit({
      requestId: admissionRequestId(input.runId, input.travellerId),
      hotelId: input.destinationId,
      name: t.name,
      documentType: t.documentType,
      documentNumber: t.documentNumber,
      mobile: t.mobile,
      arrivalDate: arrivalDate(t.arrivalTime, this.config.timeZone),
      runId: input.runId,
      travellerId: input.travellerId,
    });
    return { kind: 'quarantine', quarantineRecordId };
  }
}

/** Where a traveller's home address lies, if the manifest gave one (subdistrict codes are upper case, as an enrolment has them). */
function homeOf(address: Record<string, string> | null): { subdistrict: string; community: string } | undefined {
  if (typeof address?.subdistrict !== 'string' || typeof address.community !== 'string') return undefined;
  return { subdistrict: address.subdistrict.trim().toUpperCase(), community: address.community.trim() };
}
