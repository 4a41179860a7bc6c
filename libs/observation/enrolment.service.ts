import { assertCovers, covers, describeJurisdiction, Jurisdiction } from '../auth/jurisdiction';
import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { utcOffsetMinutes } from '../config/time-zone';
import { conflict, DomainError, invalid, invalidAll, FieldProblem, notFound } from '../domain/errors';
import { EnrolmentRequest, validateEnrolment, validateMove } from '../domain/person/enrolment';
import { ObservationRepository } from '../persistence/observation/observation.repository';
import { PersonOnRecord, PersonRepository } from '../persistence/observation/person.repository';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { StartOutcome, startOnce, workflowState } from '../temporal/start-once';
import { wakeObservationClock } from '../temporal/observation-clock';
import { ObservationInput, observationWorkflowId } from '../../workflows/observation/observation.messages';
import { periodOf, releaseAt } from '../../workflows/observation/observation-schedule';
import { localDate } from '../domain/local-time';
import { observationWorkflow } from '../../workflows/observation/observation.workflow';
import { ObservationPolicyService } from './observation-policy.service';
import { ReportLinks } from './report-links';
import { enrolledEntry, enrolmentVisibility, observationSearchAttributes } from '../../workflows/observation/tracking-entry';
import { dateOrNull } from '../domain/time';

export interface EnrolmentResult {
  observationNumber: string;
  personId: string;
  status: 'created' | 'existing';
  releaseDueAt: string;
  policyId: string;
}

/** The observation number read out on the phone: subdistrict, category, sequence (XYL-C-000123). */
export function formatObservationNumber(subdistrict: string, category: string, sequence: number): string {
  return `${subdistrict}-${category}-${String(sequence).padStart(6, '0')}`;
}

const UNIQUE_VIOLATION = '23505';
/** The person's record changed between the two statements of an enrolment (see record()). */
const NOT_NULL_VIOLATION = '23502';
/** The unique index of each device kind (migration 1764416000000), for a 409 naming the device. */
const DEVICE_OF_INDEX: Record<string, 'doorSensorId' | 'cameraId' | 'thermometerId'> = {
  person_door_sensor_unique: 'doorSensorId',
  person_camera_unique: 'cameraId',
  person_thermometer_unique: 'thermometerId',
};

/** The whole district: sees every record it refuses. */
const THE_DISTRICT: Jurisdiction = { subdistrict: null, community: null };

@Injectable()
export class EnrolmentService {
  constructor(
    private readonly observations: ObservationRepository,
    private readonly people: PersonRepository,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policies: ObservationPolicyService,
    private readonly reportLinks: ReportLinks,
  ) {}

  /**
   * `POST /persons`: validate, record person and observation, start the workflow. Idempotent on
   * requestId within the place enrolled in. `scope` is the jurisdiction enrolling (the
   * caller's, or a transfer run's): the person's address must lie in it, and a record outside it is
   * refused without telling what or where it is. `startedAt`: when the observation begins (an
   * activity passes its workflow's clock).
   */
  async enrol(body: Record<string, unknown>, scope: Jurisdiction, startedAt = Date.now()): Promise<EnrolmentResult> {
    const { enrolment, problems } = validateEnrolment(body);
    if (!enrolment) throw invalidAll(problems);
    assertCovers(scope, enrolment.address, 'the person’s address');
    let input: ObservationInput;
    try {
      input = await this.record(enrolment, startedAt, scope, true);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const device = DEVICE_OF_INDEX[(error as { constraint?: string }).constraint ?? ''];
      if (device) throw deviceClash(device, enrolment.devices![device]!);
      const lostRace = code === UNIQUE_VIOLATION || code === NOT_NULL_VIOLATION;
      if (!lostRace && !(error instanceof DomainError)) throw error;
      // A retry of a request already enrolled (refused as open or as known, or its request id
      // taken by a concurrent retry that won the race): answer as the first did.
      const existing = enrolment.requestId ? await this.byRequestId(enrolment.requestId, enrolment.address) : undefined;
      if (existing) return existing;
      throw lostRace ? await this.refusalAfterRace(enrolment, scope) : error;
    }
    await this.start(input);
    return { observationNumber: input.number, personId: input.personId, status: 'created', releaseDueAt: new Date(releaseAt(periodOf(input))).toISOString(), policyId: input.policy.id };
  }

  /**
   * Records the person (latest contact details win) and a new observation. Throws 409 if the person
   * already has an open observation, or lives in another place than the enrolment's (a move is a
   * command of its own: move()). A device id fitted to someone no longer under observation moves to
   * this person (the device was given back); one fitted to someone under observation is a 409.
   *
   * Two statements, each its own transaction, so that the number counter's row (one per subdistrict
   * and category, shared by a whole ledger import) stays locked only while its own statement commits,
   * not across round trips: held for a whole enrolment it made concurrent enrolments queue on it.
   * Numbers are therefore unique but not gapless: an enrolment that loses a race to a concurrent one
   * of the same person, or fails after taking its number, leaves that number unused. A refusal or a
   * retry of an enrolled request takes none. `textNow`: the person's link is texted at once, not
   * left to the outbox relay.
   */
  async record(e: EnrolmentRequest, startedAt = Date.now(), scope: Jurisdiction = THE_DISTRICT, textNow = false): Promise<ObservationInput> {
    const offset = utcOffsetMinutes(this.config.timeZone, startedAt);
    const policy = await this.policies.effective(e.category, localDate(startedAt, offset));
    const release = releaseAt({ anchorDate: e.anchorDate, utcOffsetMinutes: offset, rules: policy.rules });
    if (release <= startedAt) {
      throw invalid('anchorDate', `the ${policy.rules.periodDays}-day observation from ${e.anchorDate} ended on ${new Date(release).toISOString()}; nothing to observe`);
    }
    // The next number, unless the person is already under observation or lives elsewhere, or the
    // request was already enrolled (a retry): then no number is taken.
    const taken = await this.observations.takeNumber({
      documentType: e.documentType,
      documentNumber: e.documentNumber,
      prefix: `${e.address.subdistrict}-${e.category}`,
      requestId: e.requestId ?? null,
      place: e.address,
      devices: e.devices ?? {},
    });
    const refusal = taken.person && refusalFor(taken.person, e, scope);
    if (refusal) {
      // A retry of an enrolment whose workflow start failed (Temporal down) comes back as this 409.
      if (taken.person!.openNumber) await this.ensureStarted(taken.person!.openNumber);
      throw refusal;
    }
    if (taken.knownNumber) throw conflict(`request ${e.requestId} was already enrolled as ${taken.knownNumber}`, { observationNumber: taken.knownNumber });
    const number = formatObservationNumber(e.address.subdistrict, e.category, Number(taken.sequence));
    const input: Omit<ObservationInput, 'personId'> = {
      number,
      category: e.category,
      subdistrict: e.address.subdistrict,
      community: e.address.community,
      responsibleWorker: e.responsibleWorker,
      anchorDate: e.anchorDate,
      startedAt,
      utcOffsetMinutes: offset,
      policy,
      enrolmentRecorded: true,
      slotClock: this.config.temporal.taskQueue,
    };
    // Person, observation and its "enrolled" line in one statement: the workflow's first task then has nothing to write.
    const { subdistrict, community, building, unit, detail } = e.address;
    const { personId, firstOnClock } = await this.observations.recordEnrolment({
      person: { name: e.name, documentType: e.documentType, documentNumber: e.documentNumber, mobile: e.mobile, language: e.language, subdistrict, community, building, unit, addressDetail: detail ?? null, devices: e.devices ?? {} },
      observation: {
        number,
        category: e.category,
        responsibleWorker: e.responsibleWorker,
        anchorDate: e.anchorDate,
        policyId: policy.id,
        startedAt: new Date(startedAt),
        releaseDueAt: new Date(release),
        nextDueAt: dateOrNull(enrolmentVisibility(input).nextDueAt),
        requestId: e.requestId ?? null,
        slotClock: input.slotClock!,
      },
      enrolled: enrolledEntry(input),
    });
    // The clock wakes for the slots of the policies it has observations on: the first on a policy tells it.
    if (firstOnClock) await wakeObservationClock(this.client, this.config);
    // The person's report link, by SMS: tried now for one person (textNow), else by the outbox relay.
    await this.reportLinks.sendOnEnrolment(number, personId, textNow);
    return { ...input, personId };
  }

  /**
   * `POST /persons/move`: a person not under observation moves house, perhaps into another community
   * or subdistrict. Both places must lie in the mover's jurisdiction (a subdistrict's supervisor
   * moves people between its communities; the district's, between subdistricts). Enrolment never
   * moves anyone: it refuses a person who lives elsewhere.
   */
  async move(body: Record<string, unknown>, scope: Jurisdiction): Promise<{ personId: string; address: EnrolmentRequest['address'] }> {
    const { move, problems } = validateMove(body);
    if (!move) throw invalidAll(problems);
    assertCovers(scope, move.address, 'the new address');
    const person = await this.people.byDocument(move.documentType, move.documentNumber);
    if (!person) throw notFound('person with document', move.documentNumber);
    if (!covers(scope, person)) throw elsewhere();
    if (person.openNumber) {
      throw conflict(`the person is under observation as ${person.openNumber}: end it before they move`, { observationNumber: person.openNumber }, [
        { field: 'documentNumber', reason: `under observation as ${person.openNumber}` },
      ]);
    }
    const personId = await this.people.move(move, person, move.address);
    if (!personId) throw conflict('the person was enrolled or moved meanwhile; retry');
    return { personId, address: move.address };
  }

  /** Starts the observation's workflow unless it runs or ran: safe to call again after a failure. */
  start(input: ObservationInput): Promise<StartOutcome> {
    return startOnce(this.client, observationWorkflow, {
      workflowId: observationWorkflowId(input.number),
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      typedSearchAttributes: observationSearchAttributes(input),
    });
  }

  private async byRequestId(requestId: string, place: { subdistrict: string; community: string }): Promise<EnrolmentResult | undefined> {
    const row = await this.observations.byRequestId(requestId, place);
    if (!row) return undefined;
    if (row.status === 'active' || row.status === 'escalated') await this.ensureStarted(row.number);
    return { observationNumber: row.number, personId: row.personId, status: 'existing', releaseDueAt: row.releaseDueAt.toISOString(), policyId: row.policyId };
  }

  /**
   * The open observation's workflow, started if it never was (its enrolment's start failed). Asked
   * first, so the usual case, a retry of an enrolment that went through, costs one call.
   */
  private async ensureStarted(number: string): Promise<void> {
    if (!(await workflowState(this.client, observationWorkflowId(number)))) await this.start(await this.inputOf(number));
  }

  /** Rebuilds a workflow input from the record, to (re)start a workflow whose start was interrupted. */
  async inputOf(number: string): Promise<ObservationInput> {
    const row = await this.observations.startRecord(number);
    if (!row) throw notFound('observation', number);
    const startedAt = row.startedAt.getTime();
    const { policyId, ...record } = row;
    return { ...record, startedAt, utcOffsetMinutes: utcOffsetMinutes(this.config.timeZone, startedAt), policy: await this.policies.get(policyId) };
  }

  /** Why an enrolment that lost a race to a concurrent one (of the same person or request) is refused. */
  private async refusalAfterRace(e: EnrolmentRequest, scope: Jurisdiction) {
    const person = await this.people.byDocument(e.documentType, e.documentNumber);
    return (person && refusalFor(person, e, scope)) || conflict('a concurrent enrolment changed this person; retry');
  }
}

/**
 * Why the person on record cannot be enrolled as asked, if they cannot: already under observation,
 * or living in another place. Told in full within the enrolling jurisdiction; outside it, a plain
 * 409 that says neither what nor where.
 */
function refusalFor(person: PersonOnRecord, e: EnrolmentRequest, scope: Jurisdiction): DomainError | undefined {
  const home = { subdistrict: person.subdistrict, community: person.community };
  if (person.openNumber) {
    if (!covers(scope, { subdistrict: person.openSubdistrict, community: person.openCommunity }) || !covers(scope, home)) return elsewhere();
    const problems: FieldProblem[] = [{ field: 'documentNumber', reason: `already under observation as ${person.openNumber}` }];
    // No document number in the text: it is audited, and a hand-over's admission repeats it in a notice.
    return conflict(`this person is already under observation as ${person.openNumber}`, { observationNumber: person.openNumber }, problems);
  }
  if (home.subdistrict === e.address.subdistrict && home.community === e.address.community) return undefined;
  if (!covers(scope, home)) return elsewhere();
  const problems: FieldProblem[] = [{ field: 'address', reason: `the person lives in ${describeJurisdiction(home)}; a supervisor moves them first (POST /persons/move)` }];
  return conflict(`this person lives in ${describeJurisdiction(home)}: a supervisor moves them (POST /persons/move) before they are enrolled elsewhere`, {}, problems);
}

/** A record outside the enrolling jurisdiction: refused without naming it or where it lies. */
function elsewhere(): DomainError {
  return conflict('this person’s record lies outside your jurisdiction and cannot be enrolled or changed from here', {}, [{ field: 'documentNumber', reason: 'is recorded outside your jurisdiction' }]);
}

function deviceClash(device: string, id: string): DomainError {
  return conflict(`devices.${device}: ${id} is fitted to another person under observation`, {}, [{ field: `devices.${device}`, reason: `${id} is fitted to another person under observation` }]);
}
