import { ObservationRecord, SELECT_RECORD } from '../../../libs/observation/observation-record';
import { assertCovers } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { conflict, invalid, invalidAll, notFound, FieldProblem } from '../../../libs/domain/errors';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import {
  DeviceEvent,
  observationStateQuery,
  ObservationView,
  observationWorkflowId,
  reportSignal,
  TemperatureReport,
  deviceEventSignal,
} from '../../../workflows/observation/observation.messages';
import { isCategory } from '../../../workflows/observation/observation-policy';
import { dayOfPeriod, nextDeadlineAfter, openSlotAt, periodOf, slotsOf } from '../../../workflows/observation/observation-schedule';
import { DAY, localDate, localMidnight } from '../../../libs/domain/local-time';
import { policyRolloutProgressQuery, policyRolloutWorkflow } from '../../../workflows/observation/policy-rollout.workflow';
import { ObservationPolicyService } from '../../../libs/observation/observation-policy.service';
import { dateOrNull } from '../../../libs/domain/time';
import { unlessGone } from '../../../libs/temporal/workflow-calls';

export const TEMPERATURE_RANGE = { min: 34.0, max: 43.0 };
const OPEN_STATUSES = ['active', 'escalated'];
const STATUSES = ['active', 'escalated', 'released', 'ended'];

export interface ReportInput {
  temperature: number;
  symptoms?: string[];
  requestId?: string;
  source?: TemperatureReport['source'];
}

export interface ObservationFilter {
  subdistrict?: string;
  community?: string;
  category?: string;
  status?: string;
  dueToday?: boolean;
  overdue?: boolean;
  page?: number;
  pageSize?: number;
}

/** Reports, device events, supervisors' commands and every read of observations. */
@Injectable()
export class ObservationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policies: ObservationPolicyService,
  ) {}

  handle(number: string) {
    return this.client.workflow.getHandle(observationWorkflowId(number));
  }

  /** The row; `loaded`: the one the access guard already read for this request (one query, not two). */
  async record(number: string, loaded?: ObservationRecord): Promise<ObservationRecord> {
    if (loaded) return loaded;
    const rows: ObservationRecord[] = await this.dataSource.query(`${SELECT_RECORD} WHERE o.number = $1`, [number]);
    if (!rows.length) throw notFound('observation', number);
    return rows[0];
  }

  private async period(row: ObservationRecord) {
    const startedAt = new Date(row.started_at).getTime();
    const policy = await this.policies.get(row.policy_id);
    return periodOf({ anchorDate: row.anchor_date, startedAt, utcOffsetMinutes: utcOffsetMinutes(this.config.timeZone, startedAt), policy });
  }

  /**
   * A temperature report: checked against the record, made durable in Temporal (a signal the
   * workflow re-checks) and in the tracking log, both before the answer. Idempotent on requestId.
   */
  async report(number: string, input: ReportInput, at = Date.now(), loaded?: ObservationRecord) {
    const problems: FieldProblem[] = [];
    if (typeof input.temperature !== 'number' || !Number.isFinite(input.temperature)) problems.push({ field: 'temperature', reason: 'is required, in °C' });
    else if (input.temperature < TEMPERATURE_RANGE.min || input.temperature > TEMPERATURE_RANGE.max) {
      problems.push({ field: 'temperature', reason: `must be from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max} °C, got ${input.temperature}` });
    }
    if (problems.length) throw invalidAll(problems);
    const row = await this.record(number, loaded);
    if (!OPEN_STATUSES.includes(row.status)) throw conflict(`observation ${number} is ${row.status}; reports are closed`, {}, [{ field: 'number', reason: `observation is ${row.status}` }]);
    const period = await this.period(row);
    const slot = openSlotAt(period, at);
    if (!slot) {
      const next = slotsOf(period).find((s) => s.opensAt > at);
      throw invalid('at', `no check-in slot is open now${next ? `; the next opens at ${new Date(next.opensAt).toISOString()}` : ''}`);
    }
    const temperature = Math.round(input.temperature * 10) / 10;
    const report: TemperatureReport = { requestId: input.requestId ?? randomUUID(), at, temperature, symptoms: input.symptoms, source: input.source ?? 'person' };
    await unlessGone(this.handle(number).signal(reportSignal, report), () => {
      throw conflict(`observation ${number} has ended; reports are closed`);
    });
    const fever = temperature >= period.rules.feverThreshold;
    await this.dataSource.query(
      `WITH logged AS (
         INSERT INTO tracking_log (observation_number, at, day, kind, slot_start, temperature, detail, dedup_key)
         VALUES ($1, $2, $3, 'report', $4, $5, $6::jsonb, $7) ON CONFLICT (dedup_key) DO NOTHING RETURNING 1)
       UPDATE observation SET last_report_at = $2, next_due_at = $8, updated_at = now() WHERE number = $1`,
      [
        number,
        new Date(at),
        dayOfPeriod(period, at),
        new Date(slot.opensAt),
        temperature,
        JSON.stringify({ requestId: report.requestId, source: report.source, symptoms: input.symptoms ?? [], fever }),
        `${number}:report:${report.requestId}`,
        dateOrNull(nextDeadlineAfter(period, slot.deadline)),
      ],
    );
    return { number, requestId: report.requestId, slotKey: slot.key, temperature, fever, recordedAt: new Date(at).toISOString() };
  }

  /** A device platform's event, routed by device id to the person's open observation. */
  async deviceEvent(input: { deviceId?: string; kind?: string; eventId?: string; at?: string; value?: number }, actor: Principal) {
    const problems: FieldProblem[] = [];
    if (!input.deviceId) problems.push({ field: 'deviceId', reason: 'is required' });
    if (!['door_opened', 'camera_motion', 'thermometer_reading'].includes(input.kind ?? '')) problems.push({ field: 'kind', reason: 'must be door_opened, camera_motion or thermometer_reading' });
    const at = input.at ? Date.parse(input.at) : Date.now();
    if (Number.isNaN(at)) problems.push({ field: 'at', reason: 'must be an ISO date-time' });
    else if (at > Date.now() + 60_000) problems.push({ field: 'at', reason: 'is in the future' });
    if (input.kind === 'thermometer_reading' && (typeof input.value !== 'number' || input.value < TEMPERATURE_RANGE.min || input.value > TEMPERATURE_RANGE.max)) {
      problems.push({ field: 'value', reason: `a thermometer reading must be from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max} °C` });
    }
    if (problems.length) throw invalidAll(problems);
    const key = { door_opened: 'doorSensorId', camera_motion: 'cameraId', thermometer_reading: 'thermometerId' }[input.kind as DeviceEvent['kind']];
    // A device id is on one person at most (a unique index per kind); the key is one of three literals.
    const rows = await this.dataSource.query(
      `SELECT o.number, o.subdistrict, o.community, o.started_at FROM person p JOIN observation o ON o.person_id = p.id
       WHERE p.devices->>'${key}' = $1 AND o.status IN ('active', 'escalated')`,
      [input.deviceId],
    );
    if (!rows.length) throw notFound('open observation with device', input.deviceId!);
    assertCovers(actor, rows[0], `the observation of device ${input.deviceId}`);
    // An event from before the enrolment belongs to no observation: it would open escalations or count as a report of a time not watched.
    const enrolledAt = new Date(rows[0].started_at).getTime();
    if (at < enrolledAt) throw invalid('at', `is before the observation ${rows[0].number} began (${new Date(enrolledAt).toISOString()})`);
    const event: DeviceEvent = { eventId: input.eventId ?? randomUUID(), deviceId: input.deviceId!, kind: input.kind as DeviceEvent['kind'], at, value: input.value };
    await this.handle(rows[0].number).signal(deviceEventSignal, event);
    return { observationNumber: rows[0].number, eventId: event.eventId, accepted: true };
  }

  /** Sends a command (a Temporal update with a validator) to a running observation. */
  async command<Arg>(number: string, update: UpdateDefinition<ObservationView, [Arg]>, arg: Arg, loaded?: ObservationRecord): Promise<ObservationView> {
    const row = await this.record(number, loaded);
    if (!OPEN_STATUSES.includes(row.status)) throw conflict(`observation ${number} is ${row.status}`, {}, [{ field: 'number', reason: `observation is ${row.status}` }]);
    return unlessGone(this.handle(number).executeUpdate(update, { args: [arg] }), () => {
      throw conflict(`observation ${number} has ended`);
    });
  }

  /** Moves the selected running observations onto a policy version, durably: a rollout workflow. */
  async startPolicyRollout(policyId: string, input: { by: string; subdistrict?: string; community?: string }) {
    await this.policies.get(policyId);
    const rolloutId = `policy-rollout-${policyId}-${randomUUID()}`;
    await this.client.workflow.start(policyRolloutWorkflow, { workflowId: rolloutId, taskQueue: this.config.temporal.taskQueue, args: [{ policyId, ...input }] });
    return { rolloutId, policyId };
  }

  async policyRolloutProgress(rolloutId: string) {
    if (!rolloutId.startsWith('policy-rollout-')) throw notFound('rollout', rolloutId);
    return unlessGone(this.client.workflow.getHandle(rolloutId).query(policyRolloutProgressQuery), () => {
      throw notFound('rollout', rolloutId);
    });
  }

  /** The live workflow state (a query; closed workflows answer from their history). */
  async liveState(number: string): Promise<ObservationView | undefined> {
    return unlessGone(this.handle(number).query(observationStateQuery), () => undefined);
  }

  async detail(number: string) {
    const row = await this.record(number);
    const [person] = await this.dataSource.query(
      `SELECT id, name, document_type, document_number, mobile, subdistrict, community, building, unit, address_detail, devices FROM person WHERE id = $1`,
      [row.person_id],
    );
    const [state, trackingLog, escalations] = await Promise.all([
      this.liveState(number),
      this.trackingLog(number),
      this.dataSource.query(`SELECT * FROM escalation WHERE observation_number = $1 ORDER BY opened_at`, [number]),
    ]);
    return { observation: this.toRecord(row), person: toPerson(person), state, escalations, trackingLog };
  }

  async trackingLog(number: string) {
    await this.record(number);
    const rows = await this.dataSource.query(
      `SELECT at, day, kind, slot_start, temperature, detail FROM tracking_log WHERE observation_number = $1 ORDER BY at, id`,
      [number],
    );
    return rows.map((r: { at: Date; day: number; kind: string; slot_start: Date | null; temperature: string | null; detail: unknown }) => ({
      at: r.at.toISOString(),
      day: r.day,
      kind: r.kind,
      slotStart: r.slot_start?.toISOString() ?? null,
      temperature: r.temperature === null ? null : Number(r.temperature),
      detail: r.detail,
    }));
  }

  /** Supervisors' list: filtered, paged, newest first; reads PostgreSQL, not Temporal. */
  async list(filter: ObservationFilter) {
    const { where, params } = this.where(filter);
    const pageSize = filter.pageSize ?? 50;
    const page = filter.page ?? 1;
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query(`${SELECT_RECORD} ${where} ORDER BY o.created_at DESC, o.number LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`, params),
      this.dataSource.query(`SELECT count(*)::int AS total FROM observation o ${where}`, params),
    ]);
    return { items: items.map((r: ObservationRecord) => this.toRecord(r)), total, page, pageSize };
  }

  /** Every row the filter selects (for export), in number order. */
  async listAll(filter: ObservationFilter) {
    const { where, params } = this.where(filter);
    const rows: ObservationRecord[] = await this.dataSource.query(`${SELECT_RECORD} ${where} ORDER BY o.number`, params);
    return rows.map((r) => this.toRecord(r));
  }

  private where(filter: ObservationFilter): { where: string; params: unknown[] } {
    const problems: FieldProblem[] = [];
    if (filter.category && !isCategory(filter.category)) problems.push({ field: 'category', reason: 'must be A, B, C or D' });
    if (filter.status && !STATUSES.includes(filter.status)) problems.push({ field: 'status', reason: `must be one of ${STATUSES.join(', ')}` });
    if (filter.page !== undefined && (!Number.isInteger(filter.page) || filter.page < 1)) problems.push({ field: 'page', reason: 'must be a whole number ≥ 1' });
    if (filter.pageSize !== undefined && (!Number.isInteger(filter.pageSize) || filter.pageSize < 1 || filter.pageSize > 500)) problems.push({ field: 'pageSize', reason: 'must be 1-500' });
    if (problems.length) throw invalidAll(problems);
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      clauses.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.subdistrict) add('o.subdistrict = ?', filter.subdistrict);
    if (filter.community) add('o.community = ?', filter.community);
    if (filter.category) add('o.category = ?', filter.category);
    if (filter.status) add('o.status = ?', filter.status);
    if (filter.dueToday) {
      const offset = utcOffsetMinutes(this.config.timeZone);
      const midnight = localMidnight(localDate(Date.now(), offset), offset);
      add(`o.status IN ('active', 'escalated') AND o.next_due_at >= ?`, new Date(midnight));
      add('o.next_due_at < ?', new Date(midnight + DAY));
    }
    if (filter.overdue) {
      clauses.push(`o.status IN ('active', 'escalated') AND EXISTS (SELECT 1 FROM escalation e WHERE e.observation_number = o.number AND e.kind LIKE 'missed_report%' AND e.state <> 'resolved')`);
    }
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  private toRecord(r: ObservationRecord) {
    return {
      number: r.number,
      personId: r.person_id,
      category: r.category,
      status: r.status,
      subdistrict: r.subdistrict,
      community: r.community,
      responsibleWorker: r.responsible_worker,
      anchorDate: r.anchor_date,
      policyId: r.policy_id,
      startedAt: new Date(r.started_at).toISOString(),
      releaseDueAt: new Date(r.release_due_at).toISOString(),
      nextDueAt: r.next_due_at ? new Date(r.next_due_at).toISOString() : null,
      lastReportAt: r.last_report_at ? new Date(r.last_report_at).toISOString() : null,
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
      endReason: r.end_reason,
    };
  }
}

function toPerson(p: Record<string, unknown>) {
  return {
    id: p.id,
    name: p.name,
    documentType: p.document_type,
    documentNumber: p.document_number,
    mobile: p.mobile,
    address: { subdistrict: p.subdistrict, community: p.community, building: p.building, unit: p.unit, detail: p.address_detail },
    devices: p.devices,
  };
}
