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
import { StayLauncher } from '../../libs/observation/stay-launcher';
import { IncomingHandOverRepository } from '../../libs/persistence/observation/incoming-hand-over.repository';
import { NotificationOutbox, SentNotificationRequest, withoutLegacy } from '../../libs/notifications/notification-outbox';
import { RecipientResolver } from '../../libs/notifications/recipient-resolver';
import { fromLegacy, isRoleRecipient, NotificationRecipient, RoleRecipient } from '../../libs/notifications/recipients';
import { CentralizedQuarantineRepository } from '../../libs/persistence/transfer/centralized-quarantine.repository';
import { TransferResourceRepository } from '../../libs/persistence/transfer/transfer-resource.repository';
import { RunPass, TransferRunRepository } from '../../libs/persistence/transfer/transfer-run.repository';
import { DISPATCH_SYSTEM, DispatchSystem } from '../../libs/transfer/dispatch/dispatch-system';

/** What one pass of a run workflow changed, written in one transaction with the messages it queued. */
export interface TransferChanges extends RunPass {
  /** Role recipients without the run's subdistrict; runs started before routing send `{ staff: <name or receiver@destination> }`. */
  notifications: SentNotificationRequest[];
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
  /** A pick-up trip: the traveller whose home address (in PostgreSQL) the escort fetches the party from. */
  pickupFrom?: string;
}

/**
 * After a hand-over: home observation started, quarantine record made, referred to the home
 * jurisdiction's receiving side (an incoming hand-over it accepts), or why none could be.
 */
export interface Admission {
  kind: 'observation' | 'quarantine' | 'referred' | 'hospital' | 'failed';
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
    private readonly resolver: RecipientResolver,
    private readonly resources: TransferResourceRepository,
    private readonly stays: StayLauncher,
  ) {}

  /**
   * Mirrors a run's pass: run status and counts, traveller statuses, trips, exceptions, queued messages.
   * An exception first written gets its owner account: the named dispatcher or supervisor of the
   * run, else the first holder of its owner role for the run (a receiver of the trip's destination),
   * one level up when nobody holds it.
   */
  async recordTransferChanges(changes: TransferChanges): Promise<{ toDeliver: string[] }> {
    const run = changes.exceptions.length || changes.notifications.length ? await this.runs.get(changes.runId) : undefined;
    // A role for this run is held in the run's subdistrict; a receiver at their destination.
    const forRun = (recipient: NotificationRecipient): NotificationRecipient =>
      isRoleRecipient(recipient) && recipient.role !== 'receiver' ? { subdistrict: run?.subdistrict ?? null, ...recipient } : recipient;
    const named = (name: string): RoleRecipient => ({ role: name === run?.supervisor ? 'supervisor' : 'dispatcher', preferred: name });
    return this.dataSource.transaction(async (manager) => {
      const owners = new Map<string, string | null>();
      for (const e of changes.exceptions) {
        const owner = forRun(fromLegacy({ staff: e.owner }, (name) => ({ role: e.ownerRole, preferred: name })));
        if (isRoleRecipient(owner)) owners.set(e.id, await this.resolver.owner(manager, owner));
      }
      await this.runs.recordPass(manager, changes, owners);
      const notifications = withoutLegacy(changes.notifications, named).map((n) => ({ ...n, recipient: forRun(n.recipient) }));
      return { toDeliver: await this.notifications.enqueue(manager, notifications) };
    });
  }

  /** Calls the trip's vehicle and escorts through the dispatch system. */
  async dispatchTrip(input: DispatchTripInput): Promise<{ reference: string }> {
    const resources = await this.runs.resourcesOf(input.runId);
    if (!resources) throw new Error(`transfer run ${input.runId} is not recorded`);
    const vehicle = resources.vehicles.find((v) => v.id === input.vehicleId);
    const destination = resources.destinations.find((d) => d.id === input.destinationId);
    const accounts = await this.resources.linkedAccounts(input.vehicleId, input.escortIds);
    const home = input.pickupFrom ? (await this.runs.traveller(input.runId, input.pickupFrom))?.address : undefined;
    return this.dispatchSystem.dispatch({
      orderId: `${input.runId}/${input.tripId}`,
      runId: input.runId,
      tripId: input.tripId,
      plate: vehicle?.plate ?? input.vehicleId,
      driver: { name: vehicle?.driverName ?? input.vehicleId, contact: vehicle?.driverContact ?? input.vehicleId, accountId: accounts.get(input.vehicleId) },
      escorts: input.escortIds.map((id) => {
        const escort = resources.escorts.find((e) => e.id === id);
        return { name: escort?.name ?? id, contact: escort?.contact ?? id, accountId: accounts.get(id) };
      }),
      pickupAddress: home ? addressText(home) : (input.meetingPoint ?? `${resources.sortingPoint.name} ${resources.sortingPoint.address}`),
      pickupAt: zonedIso(input.boardAt, this.config.timeZone),
      destination: destination?.name ?? input.destinationId,
      people: input.people,
    });
  }

  /**
   * After a hand-over: a person going home gets a category C home observation anchored on their
   * arrival date; a person going to a hotel gets a centralized-quarantine record and its stay; a hospital keeps
   * its own (a pick-up's observation is ended by the trip itself). Exactly once per
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
    // The hospital keeps its own records: the hand-over is the whole of it.
    if (t.disposition === 'hospital') return { kind: 'hospital' };
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
    // The stay (room, health checks, release or hand-back) follows the admission, started once per admission.
    await this.stays.start(quarantineRecordId);
    return { kind: 'quarantine', quarantineRecordId };
  }
}

/** A home address as the escort reads it, from the largest place to the door. */
function addressText(address: Record<string, string>): string {
  return ['subdistrict', 'community', 'building', 'unit', 'detail'].map((part) => address[part]).filter((part) => typeof part === 'string' && part.trim()).join(' ');
}

/** Where a traveller's home address lies, if the manifest gave one (subdistrict codes are upper case, as an enrolment has them). */
function homeOf(address: Record<string, string> | null): { subdistrict: string; community: string } | undefined {
  if (typeof address?.subdistrict !== 'string' || typeof address.community !== 'string') return undefined;
  return { subdistrict: address.subdistrict.trim().toUpperCase(), community: address.community.trim() };
}
