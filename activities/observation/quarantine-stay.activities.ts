import { Inject, Injectable } from '@nestjs/common';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { DomainError } from '../../libs/domain/errors';
import { EnrolmentRequest, validateEnrolment } from '../../libs/domain/person/enrolment';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { ObservationPolicyService } from '../../libs/observation/observation-policy.service';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { PersonRepository } from '../../libs/persistence/observation/person.repository';
import { StayRecord, StayRepository } from '../../libs/persistence/observation/stay.repository';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { unlessGone } from '../../libs/temporal/workflow-calls';
import { endEarlyUpdate, ObservationInput, observationWorkflowId } from '../../workflows/observation/observation.messages';
import { periodOf, releaseAt } from '../../workflows/observation/observation-schedule';
import { handBackRequestId, HandBackCommand } from '../../workflows/observation/quarantine-stay.messages';

/** Arrivals taken to a hotel are observed as arrivals from abroad, as a hand-over home enrols them. */
const STAY_CATEGORY = 'C';

export interface CheckedIn {
  hotelId: string;
  room: number;
  anchorDate: string;
  /** The end of the period (epoch ms), the health checks' release or, without them, the policy's. */
  releaseDueAt: number;
  /** The health checks' observation, for the stay to start as its child. */
  observation?: ObservationInput;
  healthChecksRefused?: string;
}

/**
 * The quarantine stay's I/O (workflows/observation/quarantine-stay.workflow.ts): the room, the
 * enrolment of its health checks, the hand-back home, the check-out. Each is idempotent.
 */
@Injectable()
export class QuarantineStayActivities {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stays: StayRepository,
    private readonly enrolment: EnrolmentService,
    private readonly observations: ObservationRepository,
    private readonly people: PersonRepository,
    private readonly policies: ObservationPolicyService,
  ) {}

  /**
   * Checks the person into a free room, then records their health checks as an observation at the
   * hotel (category C from the arrival date, the hotel's worker responsible), not yet started: the
   * stay starts it as its child. A person on record elsewhere and not under observation is moved to
   * the hotel first; one the enrolment refuses keeps the room without health checks, the reason recorded.
   */
  async checkInStay(stayId: string): Promise<CheckedIn> {
    const stay = await this.stays.checkIn(stayId);
    if (!stay) {
      const hotel = await this.stays.hotelOf(stayId);
      if (!hotel) throw ApplicationFailure.nonRetryable(`no hotel admission ${stayId}`);
      // Full (planning counts the rooms, so a capacity lowered meanwhile), or a concurrent check-in took the room found: tried again.
      throw new Error(`hotel ${hotel.hotelId}: no room free to check into (${hotel.occupied} of ${hotel.capacity ?? 0} taken, or taken concurrently); trying again`);
    }
    const checkedIn = { hotelId: stay.hotelId, room: stay.room, anchorDate: stay.anchorDate };
    const observation = await this.healthChecks(stay);
    if ('refused' in observation) return { ...checkedIn, releaseDueAt: await this.releaseDueAt(stay.anchorDate), healthChecksRefused: observation.refused };
    return { ...checkedIn, releaseDueAt: releaseAt(periodOf(observation)), observation };
  }

  /** Ends the stay's health checks so the person can go home; an observation already ended is left as it is. */
  async endStayHealthChecks({ number, by, note }: { number: string; by: string; note?: string }): Promise<void> {
    const handle = this.client.workflow.getHandle(observationWorkflowId(number));
    try {
      await unlessGone(handle.executeUpdate(endEarlyUpdate, { args: [{ reason: 'moved_away', by, note: note ?? 'handed back to home observation' }], updateId: 'stay-hand-back' }), () => undefined);
    } catch (error) {
      // The validator refuses an observation no longer open: already ended, which is what is asked.
      if (!(error instanceof WorkflowUpdateFailedError && (error.cause as ApplicationFailure | undefined)?.type === 'conflict')) throw error;
    }
  }

  /**
   * Checks out of the room and enrols the home observation for the days left: the stay's anchor
   * date, so it releases on the last day of the original period; once per stay (handBackRequestId).
   * The person's record moves from the hotel to the home first.
   */
  async handBackHome(command: { stayId: string } & Omit<HandBackCommand, 'note'>): Promise<{ homeObservationNumber: string }> {
    const stay = await this.stays.get(command.stayId);
    if (!stay) throw ApplicationFailure.nonRetryable(`no stay ${command.stayId}`);
    if (stay.homeObservationNumber) return { homeObservationNumber: stay.homeObservationNumber };
    await this.stays.checkOut(stay.id, { status: 'handed_back', reason: 'handed back to home observation for the days left', by: command.by, at: new Date(now()) });
    const person = await this.people.byDocument(stay.documentType, stay.documentNumber);
    if (person && !person.openNumber) await this.people.move(stay, person, command.address);
    try {
      const enrolled = await this.enrolment.enrol(
        { ...enrolmentOf(stay), address: command.address, responsibleWorker: command.responsibleWorker, requestId: handBackRequestId(stay.id) },
        command.scope,
        now(),
      );
      await this.stays.recordHomeObservation(stay.id, enrolled.observationNumber);
      return { homeObservationNumber: enrolled.observationNumber };
    } catch (error) {
      // Tried again: the database away, or the stay's own observation not yet written as ended (it ran on its own, not as the stay's child).
      const passing = !(error instanceof DomainError) || error.kind === 'unavailable' || error.details.observationNumber === stay.observationNumber;
      if (passing) throw error;
      throw ApplicationFailure.nonRetryable(`the home observation was refused: ${error.message}`, error.kind);
    }
  }

  /** The room is given up at the end of the stay: released, or transferred out with the reason. */
  async checkOutStay({ stayId, status, reason }: { stayId: string; status: 'released' | 'transferred_out'; reason: string }): Promise<void> {
    await this.stays.checkOut(stayId, { status, reason, by: 'quarantine-stay', at: new Date(now()) });
  }

  private async healthChecks(stay: StayRecord): Promise<ObservationInput | { refused: string }> {
    if (stay.observationNumber) return this.enrolment.inputOf(stay.observationNumber);
    if (stay.healthChecksRefused) return { refused: stay.healthChecksRefused };
    const requestId = `stay:${stay.id}:health-checks`;
    const outcome = await this.enrolAtHotel(stay, requestId);
    await this.stays.recordHealthChecks(stay.id, 'refused' in outcome ? outcome : { observationNumber: outcome.number });
    return outcome;
  }

  private async enrolAtHotel(stay: StayRecord, requestId: string): Promise<ObservationInput | { refused: string }> {
    if (!stay.subdistrict || !stay.community) return { refused: `hotel ${stay.hotelId} has no subdistrict and community to hold its health checks` };
    const hotel = { subdistrict: stay.subdistrict, community: stay.community, building: stay.hotelName, unit: `room ${stay.room}` };
    // A retry after the observation was recorded: the same one.
    const recorded = await this.observations.byRequestId(requestId, hotel);
    if (recorded) return this.enrolment.inputOf(recorded.number);
    const { enrolment, problems } = validateEnrolment({ ...enrolmentOf(stay), address: hotel, responsibleWorker: stay.responsibleWorker ?? stay.hotelName, requestId });
    if (!enrolment) return { refused: problems.map((p) => `${p.field}: ${p.reason}`).join('; ') };
    const person = await this.people.byDocument(stay.documentType, stay.documentNumber);
    if (person && !person.openNumber) await this.people.move(stay, person, hotel);
    try {
      return await this.enrolment.record(enrolment as EnrolmentRequest, now());
    } catch (error) {
      if (error instanceof DomainError && error.kind !== 'unavailable') return { refused: error.message };
      throw error;
    }
  }

  /** The end of the period from the arrival date under the policy in force, for a stay without health checks. */
  private async releaseDueAt(anchorDate: string): Promise<number> {
    const policy = await this.policies.effective(STAY_CATEGORY, anchorDate);
    return releaseAt({ anchorDate, utcOffsetMinutes: utcOffsetMinutes(this.config.timeZone, now()), rules: policy.rules });
  }
}

/** The workflow's time when this activity was scheduled: the clock enrolments, check-outs and slots are counted on. */
function now(): number {
  return Context.current().info.currentAttemptScheduledTimestampMs;
}

/** Who the stay's person is, as an enrolment takes them. */
function enrolmentOf(stay: StayRecord): Record<string, unknown> {
  return { name: stay.name, documentType: stay.documentType, documentNumber: stay.documentNumber, mobile: stay.mobile, category: STAY_CATEGORY, anchorDate: stay.anchorDate };
}
