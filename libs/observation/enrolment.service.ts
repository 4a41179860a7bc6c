import { assertCovers } from '../auth/jurisdiction';
import type { Principal } from '../auth/roles';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { utcOffsetMinutes } from '../config/time-zone';
import { conflict, DomainError, invalid, invalidAll, FieldProblem } from '../domain/errors';
import { EnrolmentRequest, validateEnrolment } from '../domain/person/enrolment';
import { CATEGORY, COMMUNITY, NEXT_DUE_AT, STATUS, SUBDISTRICT } from '../temporal/search-attributes';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { StartOutcome, startOnce, workflowState } from '../temporal/start-once';
import { ObservationInput, observationWorkflowId } from '../../workflows/observation/observation.messages';
import { localDate, periodOf, releaseAt } from '../../workflows/observation/observation-schedule';
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
/** The open observation of the person with document $1, $2, if any. */
const OPEN_BY_DOCUMENT = `SELECT o.number FROM person p JOIN observation o ON o.person_id = p.id
  WHERE p.document_type = $1 AND p.document_number = $2 AND o.status IN ('active', 'escalated') LIMIT 1`;

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
   * clientRequestId. With an actor, the person's address must lie in the actor's jurisdiction.
   */
  async enrol(body: Record<string, unknown>, actor?: Principal): Promise<EnrolmentResult> {
    const { enrolment, problems } = validateEnrolment(body);
    if (!enrolment) throw invalidAll(problems);
    if (actor) assertCovers(actor, enrolment.address, 'the person’s address');
    let input: ObservationInput;
    try {
      input = await this.record(enrolment);
    } catch (error) {
      const uniqueViolation = (error as { code?: string }).code === UNIQUE_VIOLATION;
      if (!uniqueViolation && !(error instanceof DomainError)) throw error;
      // A retry of a request already enrolled (refused as open or as known, or its client request id
      // taken by a concurrent retry that won the race): answer as the first did.
      const existing = enrolment.clientRequestId ? await this.byClientRequestId(enrolment.clientRequestId) : undefined;
      if (existing) return existing;
      throw uniqueViolation ? await this.alreadyOpen(enrolment) : error;
    }
    await this.start(input);
    return { observationNumber: input.number, personId: input.personId, status: 'created', releaseDueAt: new Date(releaseAt(periodOf(input))).toISOString(), policyId: input.policy.id };
  }

  /**
   * Records the person (latest contact details win) and a new observation. Throws 409 if the person
   * already has an open observation.
   *
   * Two statements, each its own transaction, so that the number counter's row (one per subdistrict
   * and category, shared by a whole ledger import) stays locked only while its own statement commits,
   * not across round trips: held for a whole enrolment it made concurrent enrolments queue on it.
   * Numbers are therefore unique but not gapless: an enrolment that loses a race to a concurrent one
   * of the same person, or fails after taking its number, leaves that number unused. A refusal or a
   * retry of an enrolled request takes none.
   */
  async record(e: EnrolmentRequest, startedAt = Date.now()): Promise<ObservationInput> {
    const offset = utcOffsetMinutes(this.config.timeZone, startedAt);
    const policy = await this.policies.effective(e.category, localDate(startedAt, offset));
    const release = releaseAt({ anchorDate: e.anchorDate, utcOffsetMinutes: offset, rules: policy.rules });
    if (release <= startedAt) {
      throw invalid('anchorDate', `the ${policy.rules.periodDays}-day observation from ${e.anchorDate} ended on ${new Date(release).toISOString()}; nothing to observe`);
    }
    // The next number, unless the person is already under observation or the request was already
    // enrolled (a retry): then no number is taken.
    const [taken] = await this.dataSource.query(
      `WITH open AS (${OPEN_BY_DOCUMENT}),
       known AS (SELECT number FROM observation WHERE client_request_id = $4),
       counter AS (
         INSERT INTO observation_number_counter (prefix, last_value) SELECT $3, 1
         WHERE NOT EXISTS (SELECT 1 FROM open) AND NOT EXISTS (SELECT 1 FROM known)
         ON CONFLICT (prefix) DO UPDATE SET last_value = observation_number_counter.last_value + 1 RETURNING last_value)
       SELECT (SELECT number FROM open) AS open_number, (SELECT number FROM known) AS known_number, (SELECT last_value FROM counter) AS sequence`,
      [e.documentType, e.documentNumber, `${e.address.subdistrict}-${e.category}`, e.clientRequestId ?? null],
    );
    if (taken.open_number) {
      // A retry of an enrolment whose workflow start failed (Temporal down) comes back as this 409.
      await this.ensureStarted(taken.open_number);
      throw this.conflictFor(taken.open_number, e);
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
    // index, which undoes the whole statement, person update included.
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
           subdistrict = EXCLUDED.subdistrict, community = EXCLUDED.community, building = EXCLUDED.building,
           unit = EXCLUDED.unit, address_detail = EXCLUDED.address_detail, devices = EXCLUDED.devices
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

  private async byClientRequestId(clientRequestId: string): Promise<EnrolmentResult | undefined> {
    const rows = await this.dataSource.query(
      `SELECT number, person_id, release_due_at, policy_id, status FROM observation WHERE client_request_id = $1`,
      [clientRequestId],
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

  private async alreadyOpen(e: EnrolmentRequest) {
    const rows = await this.dataSource.query(OPEN_BY_DOCUMENT, [e.documentType, e.documentNumber]);
    return rows.length ? this.conflictFor(rows[0].number, e) : conflict('a concurrent enrolment changed this person; retry');
  }

  private conflictFor(number: string, e: EnrolmentRequest) {
    const problems: FieldProblem[] = [{ field: 'documentNumber', reason: `already under observation as ${number}` }];
    return conflict(`${e.documentType} ${e.documentNumber} is already under observation as ${number}`, { observationNumber: number }, problems);
  }
}
