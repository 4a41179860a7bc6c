import { assertCovers, covers, describeJurisdiction, Jurisdiction } from '../auth/jurisdiction';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { utcOffsetMinutes } from '../config/time-zone';
import { conflict, DomainError, invalid, invalidAll, FieldProblem, notFound } from '../domain/errors';
import { EnrolmentRequest, validateEnrolment, validateMove } from '../domain/person/enrolment';
import { CATEGORY, COMMUNITY, NEXT_DUE_AT, STATUS, SUBDISTRICT } from '../temporal/search-attributes';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { StartOutcome, startOnce, workflowState } from '../temporal/start-once';
import { ObservationInput, observationWorkflowId } from '../../workflows/observation/observation.messages';
import { periodOf, releaseAt } from '../../workflows/observation/observation-schedule';
import { localDate } from '../domain/local-time';
import { observationWorkflow } from '../../workflows/observation/observation.workflow';
import { ObservationPolicyService } from './observation-policy.service';
import { trackingLogInsert } from './tracking-log';
import { enrolledEntry, enrolmentVisibility } from '../../workflows/observation/tracking-entry';
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
/** The person with document $1, $2, where their record lies, and their open observation with its place, if any. */
const PERSON_BY_DOCUMENT = `SELECT p.subdistrict, p.community, o.number AS open_number, o.subdistrict AS open_subdistrict, o.community AS open_community
  FROM person p LEFT JOIN observation o ON o.person_id = p.id AND o.status IN ('active', 'escalated')
  WHERE p.document_type = $1 AND p.document_number = $2 LIMIT 1`;
/** The unique index of each device kind (migration 1764416000000), for a 409 naming the device. */
const DEVICE_OF_INDEX: Record<string, 'doorSensorId' | 'cameraId' | 'thermometerId'> = {
  person_door_sensor_unique: 'doorSensorId',
  person_camera_unique: 'cameraId',
  person_thermometer_unique: 'thermometerId',
};

/** The whole district: sees every record it refuses. */
const THE_DISTRICT: Jurisdiction = { subdistrict: null, community: null };

interface PersonOnRecord {
  subdistrict: string;
  community: string;
  open_number: string | null;
  open_subdistrict: string | null;
  open_community: string | null;
}

@Injectable()
export class EnrolmentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policies: ObservationPolicyService,
  ) {}

  /**
   * `POST /persons`: validate, record person and observation, start the workflow. Idempotent on
   * clientRequestId within the place enrolled in. `scope` is the jurisdiction enrolling (the
   * caller's, or a transfer run's): the person's address must lie in it, and a record outside it is
   * refused without telling what or where it is.
   */
  async enrol(body: Record<string, unknown>, scope: Jurisdiction): Promise<EnrolmentResult> {
    const { enrolment, problems } = validateEnrolment(body);
    if (!enrolment) throw invalidAll(problems);
    assertCovers(scope, enrolment.address, 'the person’s address');
    let input: ObservationInput;
    try {
      input = await this.record(enrolment, Date.now(), scope);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const device = DEVICE_OF_INDEX[(error as { constraint?: string }).constraint ?? ''];
      if (device) throw deviceClash(device, enrolment.devices![device]!);
      const lostRace = code === UNIQUE_VIOLATION || code === NOT_NULL_VIOLATION;
      if (!lostRace && !(error instanceof DomainError)) throw error;
      // A retry of a request already enrolled (refused as open or as known, or its client request id
      // taken by a concurrent retry that won the race): answer as the first did.
      const existing = enrolment.clientRequestId ? await this.byClientRequestId(enrolment.clientRequestId, enrolment.address) : undefined;
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
   * retry of an enrolled request takes none.
   */
  async record(e: EnrolmentRequest, startedAt = Date.now(), scope: Jurisdiction = THE_DISTRICT): Promise<ObservationInput> {
    const offset = utcOffsetMinutes(this.config.timeZone, startedAt);
    const policy = await this.policies.effective(e.category, localDate(startedAt, offset));
    const release = releaseAt({ anchorDate: e.anchorDate, utcOffsetMinutes: offset, rules: policy.rules });
    if (release <= startedAt) {
      throw invalid('anchorDate', `the ${policy.rules.periodDays}-day observation from ${e.anchorDate} ended on ${new Date(release).toISOString()}; nothing to observe`);
    }
    // The next number, unless the person is already under observation or lives elsewhere, or the
    // request was already enrolled (a retry): then no number is taken.
    const [taken] = await this.dataSource.query(
      `WITH person AS (${PERSON_BY_DOCUMENT}),
       known AS (SELECT number FROM observation WHERE client_request_id = $4 AND subdistrict = $5 AND community = $6),
       counter AS (
         INSERT INTO observation_number_counter (prefix, last_value) SELECT $3, 1
         WHERE NOT EXISTS (SELECT 1 FROM person WHERE open_number IS NOT NULL OR (subdistrict, community) <> ($5, $6)) AND NOT EXISTS (SELECT 1 FROM known)
         ON CONFLICT (prefix) DO UPDATE SET last_value = observation_number_counter.last_value + 1 RETURNING last_value),
       given_back AS (
         UPDATE person p SET devices = p.devices - ARRAY(SELECT d.key FROM jsonb_each_text($7::jsonb) d WHERE p.devices->>d.key = d.value)
         WHERE EXISTS (SELECT 1 FROM counter) AND (p.document_type, p.document_number) <> ($1, $2)
           AND (p.devices->>'doorSensorId' = $7::jsonb->>'doorSensorId' OR p.devices->>'cameraId' = $7::jsonb->>'cameraId' OR p.devices->>'thermometerId' = $7::jsonb->>'thermometerId')
           AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.person_id = p.id AND o.status IN ('active', 'escalated')))
       SELECT (SELECT row_to_json(person) FROM person) AS person, (SELECT number FROM known) AS known_number, (SELECT last_value FROM counter) AS sequence`,
      [e.documentType, e.documentNumber, `${e.address.subdistrict}-${e.category}`, e.clientRequestId ?? null, e.address.subdistrict, e.address.community, JSON.stringify(e.devices ?? {})],
    );
    const refusal = taken.person && refusalFor(taken.person, e, scope);
    if (refusal) {
      // A retry of an enrolment whose workflow start failed (Temporal down) comes back as this 409.
      if (taken.person.open_number) await this.ensureStarted(taken.person.open_number);
      throw refusal;
    }
    if (taken.known_number) throw conflict(`request ${e.clientRequestId} was already enrolled as ${taken.known_number}`, { observationNumber: taken.known_number });
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
    };
    // Person, observation and its "enrolled" line in one statement: the workflow's first task then has
    // nothing to write. A concurrent enrolment of the same person is caught by the one-open-observation
    // index, which undoes the whole statement, person update included; a person moved meanwhile is not
    // updated, and the observation without a person fails its NOT NULL.
    const values: unknown[] = [
      e.name, e.documentType, e.documentNumber, e.mobile, e.address.subdistrict, e.address.community, e.address.building, e.address.unit, e.address.detail ?? null, JSON.stringify(e.devices ?? {}),
      number, e.category, input.subdistrict, input.community, input.responsibleWorker, input.anchorDate, policy.id,
      new Date(startedAt), new Date(release), dateOrNull(enrolmentVisibility(input).nextDueAt), e.clientRequestId ?? null,
    ];
    const enrolled = trackingLogInsert(number, [enrolledEntry(input)], values.length + 1);
    const [person] = await this.dataSource.query(
      `WITH person AS (
         INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit, address_detail, devices)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (document_type, document_number) DO UPDATE SET name = EXCLUDED.name, mobile = EXCLUDED.mobile,
           building = EXCLUDED.building, unit = EXCLUDED.unit, address_detail = EXCLUDED.address_detail, devices = EXCLUDED.devices
           WHERE person.subdistrict = EXCLUDED.subdistrict AND person.community = EXCLUDED.community
         RETURNING id),
       observation AS (
         INSERT INTO observation (number, person_id, category, status, subdistrict, community, responsible_worker, anchor_date, policy_id, started_at, release_due_at, next_due_at, client_request_id)
         VALUES ($11, (SELECT id FROM person), $12, 'active', $13, $14, $15, $16, $17, $18, $19, $20, $21)),
       enrolled AS (${enrolled.sql})
       SELECT id FROM person`,
      [...values, ...enrolled.values],
    );
    return { ...input, personId: person.id };
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
    const [person]: PersonOnRecord[] = await this.dataSource.query(PERSON_BY_DOCUMENT, [move.documentType, move.documentNumber]);
    if (!person) throw notFound('person with document', move.documentNumber);
    if (!covers(scope, person)) throw elsewhere();
    if (person.open_number) {
      throw conflict(`the person is under observation as ${person.open_number}: end it before they move`, { observationNumber: person.open_number }, [
        { field: 'documentNumber', reason: `under observation as ${person.open_number}` },
      ]);
    }
    const a = move.address;
    // Only as read: a concurrent enrolment or move since is refused, not overwritten.
    const [moved] = await this.dataSource.query(
      `UPDATE person p SET subdistrict = $3, community = $4, building = $5, unit = $6, address_detail = $7
       WHERE document_type = $1 AND document_number = $2 AND subdistrict = $8 AND community = $9
         AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.person_id = p.id AND o.status IN ('active', 'escalated'))
       RETURNING id`,
      [move.documentType, move.documentNumber, a.subdistrict, a.community, a.building, a.unit, a.detail ?? null, person.subdistrict, person.community],
    );
    if (!moved?.[0]) throw conflict('the person was enrolled or moved meanwhile; retry');
    return { personId: moved[0].id, address: a };
  }

  /** Starts the observation's workflow unless it runs or ran: safe to call again after a failure. */
  start(input: ObservationInput): Promise<StartOutcome> {
    const { status, nextDueAt } = enrolmentVisibility(input);
    return startOnce(this.client, observationWorkflow, {
      workflowId: observationWorkflowId(input.number),
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: SUBDISTRICT, value: input.subdistrict },
        { key: COMMUNITY, value: input.community },
        { key: CATEGORY, value: input.category },
        { key: STATUS, value: status },
        ...(nextDueAt ? [{ key: NEXT_DUE_AT, value: new Date(nextDueAt) }] : []),
      ],
    });
  }

  private async byClientRequestId(clientRequestId: string, place: Jurisdiction): Promise<EnrolmentResult | undefined> {
    const rows = await this.dataSource.query(
      `SELECT number, person_id, release_due_at, policy_id, status FROM observation WHERE client_request_id = $1 AND subdistrict = $2 AND community = $3`,
      [clientRequestId, place.subdistrict, place.community],
    );
    if (!rows.length) return undefined;
    const row = rows[0];
    if (row.status === 'active' || row.status === 'escalated') await this.ensureStarted(row.number);
    return { observationNumber: row.number, personId: row.person_id, status: 'existing', releaseDueAt: new Date(row.release_due_at).toISOString(), policyId: row.policy_id };
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
    const [row] = await this.dataSource.query(
      `SELECT o.number, o.person_id, o.category, o.subdistrict, o.community, o.responsible_worker,
              to_char(o.anchor_date, 'YYYY-MM-DD') AS anchor_date, o.started_at, o.policy_id,
              EXISTS (SELECT 1 FROM tracking_log t WHERE t.observation_number = o.number AND t.kind = 'enrolled') AS enrolment_recorded
       FROM observation o WHERE o.number = $1`,
      [number],
    );
    const startedAt = new Date(row.started_at).getTime();
    return {
      number: row.number,
      personId: row.person_id,
      category: row.category,
      subdistrict: row.subdistrict,
      community: row.community,
      responsibleWorker: row.responsible_worker,
      anchorDate: row.anchor_date,
      startedAt,
      utcOffsetMinutes: utcOffsetMinutes(this.config.timeZone, startedAt),
      policy: await this.policies.get(row.policy_id),
      enrolmentRecorded: row.enrolment_recorded,
    };
  }

  /** Why an enrolment that lost a race to a concurrent one (of the same person or request) is refused. */
  private async refusalAfterRace(e: EnrolmentRequest, scope: Jurisdiction) {
    const [person] = await this.dataSource.query(PERSON_BY_DOCUMENT, [e.documentType, e.documentNumber]);
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
  if (person.open_number) {
    if (!covers(scope, { subdistrict: person.open_subdistrict, community: person.open_community }) || !covers(scope, home)) return elsewhere();
    const problems: FieldProblem[] = [{ field: 'documentNumber', reason: `already under observation as ${person.open_number}` }];
    // No document number in the text: it is audited, and a hand-over's admission repeats it in a notice.
    return conflict(`this person is already under observation as ${person.open_number}`, { observationNumber: person.open_number }, problems);
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
