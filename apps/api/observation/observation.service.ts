import { fingerprintOf } from '../../../libs/domain/fingerprint';
import { assertCovers } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { conflict, invalid, invalidAll, notFound, FieldProblem } from '../../../libs/domain/errors';
import { PageQuery, Page, pageOf } from '../../../libs/nest/paging';
import { EscalationRecord, ObservationRecord, ObservationRepository, ObservationSelection, ReportLine } from '../../../libs/persistence/observation/observation.repository';
import { DEVICE_KEYS, DeviceKey, PersonRepository } from '../../../libs/persistence/observation/person.repository';
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
import { nextDeadlineAfter, openSlotAt, periodOf, slotsOf } from '../../../workflows/observation/observation-schedule';
import { DAY, localDate, localMidnight } from '../../../libs/domain/local-time';
import { policyRolloutProgressQuery, policyRolloutWorkflow } from '../../../workflows/observation/policy-rollout.workflow';
import { ObservationPolicyService } from '../../../libs/observation/observation-policy.service';
import { dateOrNull } from '../../../libs/domain/time';
import { reportEntry } from '../../../workflows/observation/tracking-entry';
import { unlessGone } from '../../../libs/temporal/workflow-calls';
import { startOnce } from '../../../libs/temporal/start-once';
import { wakeObservationClock } from '../../../libs/temporal/observation-clock';
import {
  DeviceEventAcceptedDto,
  escalationOf,
  ObservationDetailDto,
  ObservationDto,
  observationOf,
  ObservationStateDto,
  personOf,
  ReportAcceptedDto,
  RolloutPreviewDto,
  RolloutStartedDto,
  stateOf,
  TrackingLineDto,
  trackingLineOf,
  WorklistDto,
  WorklistPersonDto,
} from './observation.responses';

export const TEMPERATURE_RANGE = { min: 34.0, max: 43.0 };
const OPEN_STATUSES = ['active', 'escalated', 'awaiting_pickup'];
/** The device each kind of event comes from, by its key on the person's record. */
const DEVICE_OF_EVENT: Record<DeviceEvent['kind'], DeviceKey> = { door_opened: DEVICE_KEYS.doorSensorId, camera_motion: DEVICE_KEYS.cameraId, thermometer_reading: DEVICE_KEYS.thermometerId };

/** How a worker took a reading: a phone call to the person, or a visit at the door. */
export const REPORT_CHANNELS = ['phone_call', 'visit'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

export interface ReportInput {
  temperature: number;
  symptoms?: string[];
  source?: TemperatureReport['source'];
  channel?: ReportChannel;
}

/** A list's filters (already narrowed to the caller's jurisdiction). */
export interface ObservationFilter {
  subdistrict?: string;
  community?: string;
  category?: string;
  status?: string;
  /** A report is owed today (the jurisdiction's local day). */
  dueToday?: boolean;
  /** An open missed-report escalation. */
  overdue?: boolean;
}

/** Reports, device events, supervisors' commands and every read of observations. */
@Injectable()
export class ObservationService {
  constructor(
    private readonly observations: ObservationRepository,
    private readonly people: PersonRepository,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policies: ObservationPolicyService,
  ) {}

  handle(number: string) {
    return this.client.workflow.getHandle(observationWorkflowId(number));
  }

  /** The row; `loaded`: the one the access guard already read for this request (one query, not two). */
  async record(number: string, loaded?: ObservationRecord): Promise<ObservationRecord> {
    const row = loaded ?? (await this.observations.record(number));
    if (!row) throw notFound('observation', number);
    return row;
  }

  private async period(row: ObservationRecord) {
    const startedAt = row.startedAt.getTime();
    const policy = await this.policies.get(row.policyId);
    return periodOf({ anchorDate: row.anchorDate, startedAt, utcOffsetMinutes: utcOffsetMinutes(this.config.timeZone, startedAt), policy });
  }

  /** The check-in slot open at `at`, if any, and the next to open after it (none once the period is over). */
  async slotsAt(row: ObservationRecord, at: number) {
    const period = await this.period(row);
    return { period, open: openSlotAt(period, at), next: slotsOf(period).find((s) => s.opensAt > at) };
  }

  /**
   * A temperature report: checked against the record, made durable in Temporal (a signal the
   * workflow re-checks) and in the tracking log, both before the answer. Idempotent on requestId.
   */
  async report(number: string, input: ReportInput, requestId: string | undefined, at = Date.now(), loaded?: ObservationRecord): Promise<ReportAcceptedDto> {
    const problems: FieldProblem[] = [];
    if (typeof input.temperature !== 'number' || !Number.isFinite(input.temperature)) problems.push({ field: 'temperature', reason: 'is required, in °C' });
    else if (input.temperature < TEMPERATURE_RANGE.min || input.temperature > TEMPERATURE_RANGE.max) {
      problems.push({ field: 'temperature', reason: `must be from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max} °C, got ${input.temperature}` });
    }
    if (input.channel !== undefined && input.source === 'person') problems.push({ field: 'channel', reason: 'is how a worker took the reading; a report by the person has none' });
    if (problems.length) throw invalidAll(problems);
    const row = await this.record(number, loaded);
    if (!OPEN_STATUSES.includes(row.status)) throw conflict(`observation ${number} is ${row.status}; reports are closed`, {}, [{ field: 'number', reason: `observation is ${row.status}` }]);
    const answer = (first: ReportLine, key: string): ReportAcceptedDto => ({ number, requestId: key, slotKey: first.slotKey, temperature: first.temperature, fever: first.fever, recordedAt: first.at.toISOString() });
    const { period, open: slot, next } = await this.slotsAt(row, at);
    const temperature = Math.round(input.temperature! * 10) / 10;
    const fever = temperature >= period.rules.feverThreshold;
    // On the observation clock a plain report is only its line (the clock's sweep reads it): the
    // workflow is told when the report changes something, a fever or symptoms to escalate.
    const changesSomething = row.slotClock === null || fever || !!input.symptoms?.some((s) => s.trim());
    // A repeat of a report taken before answers as the first did, whenever it comes. A plain report
    // in an open slot learns that from its one write; any other looks first (it signals before writing).
    if (requestId && (!slot || changesSomething)) {
      const first = await this.observations.reportLine(number, requestId);
      if (first) return answer(first, requestId);
    }
    if (!slot) throw invalid('at', `no check-in slot is open now${next ? `; the next opens at ${new Date(next.opensAt).toISOString()}` : ''}`);
    const report: TemperatureReport = { requestId: requestId ?? randomUUID(), at, temperature, symptoms: input.symptoms, source: input.source ?? (input.channel ? 'worker' : 'person') };
    const signal = () =>
      unlessGone(this.handle(number).signal(reportSignal, report), () => {
        throw conflict(`observation ${number} has ended; reports are closed`);
      });
    if (changesSomething) await signal();
    const line = reportEntry(number, report, period, slot.opensAt, input.channel);
    const earlier = await this.observations.recordReport(number, line, dateOrNull(nextDeadlineAfter(period, slot.deadline)));
    if (earlier) return answer(earlier, report.requestId);
    // Written after the deadline, the sweep may have looked before it and raised a miss: the workflow answers it.
    if (!changesSomething && Date.now() >= slot.deadline) await signal();
    return { number, requestId: report.requestId, slotKey: slot.key, temperature, fever, recordedAt: new Date(at).toISOString() };
  }

  /** A device platform's event, routed by device id to the person's open observation. */
  async deviceEvent(input: { deviceId?: string; kind?: string; eventId?: string; at?: string; value?: number }, actor: Principal): Promise<DeviceEventAcceptedDto> {
    const problems: FieldProblem[] = [];
    if (!input.deviceId) problems.push({ field: 'deviceId', reason: 'is required' });
    if (!input.kind || !Object.hasOwn(DEVICE_OF_EVENT, input.kind)) problems.push({ field: 'kind', reason: 'must be door_opened, camera_motion or thermometer_reading' });
    const at = input.at ? Date.parse(input.at) : Date.now();
    if (Number.isNaN(at)) problems.push({ field: 'at', reason: 'must be an ISO date-time' });
    else if (at > Date.now() + 60_000) problems.push({ field: 'at', reason: 'is in the future' });
    if (input.kind === 'thermometer_reading' && (typeof input.value !== 'number' || input.value < TEMPERATURE_RANGE.min || input.value > TEMPERATURE_RANGE.max)) {
      problems.push({ field: 'value', reason: `a thermometer reading must be from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max} °C` });
    }
    if (problems.length) throw invalidAll(problems);
    const kind = input.kind as DeviceEvent['kind'];
    const observation = await this.observations.openWithDevice(DEVICE_OF_EVENT[kind], input.deviceId!);
    if (!observation) throw notFound('open observation with device', input.deviceId!);
    assertCovers(actor, observation, `the observation of device ${input.deviceId}`);
    // An event from before the enrolment belongs to no observation: it would open escalations or count as a report of a time not watched.
    if (at < observation.startedAt.getTime()) throw invalid('at', `is before the observation ${observation.number} began (${observation.startedAt.toISOString()})`);
    const event: DeviceEvent = { eventId: input.eventId ?? randomUUID(), deviceId: input.deviceId!, kind, at, value: input.value };
    await this.handle(observation.number).signal(deviceEventSignal, event);
    return { observationNumber: observation.number, eventId: event.eventId, accepted: true };
  }

  /** Sends a command (a Temporal update with a validator) to a running observation; answers its live state after it. */
  async command<Arg>(number: string, update: UpdateDefinition<ObservationView, [Arg]>, arg: Arg, loaded?: ObservationRecord): Promise<ObservationStateDto> {
    const row = await this.record(number, loaded);
    if (!OPEN_STATUSES.includes(row.status)) throw conflict(`observation ${number} is ${row.status}`, {}, [{ field: 'number', reason: `observation is ${row.status}` }]);
    const view = await unlessGone(this.handle(number).executeUpdate(update, { args: [arg] }), () => {
      throw conflict(`observation ${number} has ended`);
    });
    return this.withRecords(number, view);
  }

  /**
   * A command on one escalation. The observation clock writes its escalations before their workflow
   * takes them in (README "Home observation"): one the workflow does not know yet but PostgreSQL
   * does is a 409 to try again in a few seconds, not a 404.
   */
  async escalationCommand<Arg extends { escalationId: string }>(number: string, update: UpdateDefinition<ObservationView, [Arg]>, arg: Arg, loaded?: ObservationRecord): Promise<ObservationStateDto> {
    try {
      return await this.command(number, update, arg, loaded);
    } catch (error) {
      const failure = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
      if (!(failure instanceof ApplicationFailure && failure.type === 'not_found')) throw error;
      if (!(await this.observations.escalations(number)).some((e) => e.id === arg.escalationId)) throw error;
      throw conflict(`escalation ${arg.escalationId} was raised by the observation clock moments ago and its observation has not taken it in yet; try again in a few seconds`, {}, [
        { field: 'escalationId', reason: 'not yet taken in by its observation' },
      ]);
    }
  }

  /** A new policy version; the observation clock is woken, since the new version's slots may fall due before it would wake. */
  async createPolicy(input: { category: unknown; effectiveFrom: unknown; rules: unknown }) {
    const policy = await this.policies.create(input);
    await wakeObservationClock(this.client, this.config);
    return policy;
  }

  /**
   * Moves the selected running observations onto a policy version, durably: a rollout workflow. With
   * an idempotency key, the same key answers the same rollout and starts no second one.
   */
  async startPolicyRollout(policyId: string, input: { by: string; subdistrict?: string; community?: string; previewId?: string }, requestId?: string): Promise<RolloutStartedDto> {
    const { previewId, ...selection } = input;
    await this.policies.get(policyId);
    const rolloutId = `policy-rollout-${policyId}-${requestId ?? randomUUID()}`;
    let numbers: string[] | undefined;
    if (previewId !== undefined) {
      // A repeat of a confirmed rollout (same key) answers it, whatever has moved since.
      if (requestId && (await this.client.workflow.getHandle(rolloutId).describe().then(() => true, () => false))) return { rolloutId, policyId };
      const { preview, numbers: now } = await this.rolloutSelection(policyId, selection);
      if (preview.previewId !== previewId) {
        throw conflict('the observations changed since this preview: nothing was started; here is what the rollout would do now', { preview }, [{ field: 'previewId', reason: 'outdated' }]);
      }
      numbers = now;
    }
    await startOnce(this.client, policyRolloutWorkflow, { workflowId: rolloutId, taskQueue: this.config.temporal.taskQueue, args: [{ policyId, ...selection, numbers }] });
    return { rolloutId, policyId };
  }

  /** What a rollout would do now, changing nothing: the running observations it moves, by place; its previewId makes the rollout move exactly these. */
  async previewPolicyRollout(policyId: string, place: { subdistrict?: string; community?: string }): Promise<RolloutPreviewDto> {
    return (await this.rolloutSelection(policyId, place)).preview;
  }

  private async rolloutSelection(policyId: string, place: { subdistrict?: string; community?: string }): Promise<{ preview: RolloutPreviewDto; numbers: string[] }> {
    const policy = await this.policies.get(policyId);
    const selected = await this.observations.openNotOnPolicy(policy.category, policy.id, place);
    const numbers = selected.map((o) => o.number);
    const byPlace = new Map<string, RolloutPreviewDto['byPlace'][number]>();
    for (const { subdistrict, community } of selected) {
      const key = `${subdistrict}/${community}`;
      const counted = byPlace.get(key) ?? { subdistrict, community, observations: 0 };
      counted.observations += 1;
      byPlace.set(key, counted);
    }
    const preview = { previewId: fingerprintOf({ policyId, numbers }), policyId, observations: numbers.length, byPlace: [...byPlace.values()], numbers: numbers.slice(0, 200), notices: [] };
    return { preview, numbers };
  }

  async policyRolloutProgress(rolloutId: string) {
    if (!rolloutId.startsWith('policy-rollout-')) throw notFound('rollout', rolloutId);
    return unlessGone(this.client.workflow.getHandle(rolloutId).query(policyRolloutProgressQuery), () => {
      throw notFound('rollout', rolloutId);
    });
  }

  /** The live workflow state (a query; closed workflows answer from their history), or null when the workflow is gone. */
  async liveState(number: string, escalations?: Promise<EscalationRecord[]>): Promise<ObservationStateDto | null> {
    const view = await unlessGone(this.handle(number).query(observationStateQuery), () => undefined);
    return view ? this.withRecords(number, view, escalations) : null;
  }

  /**
   * The workflow's view with what only the records know: the reports from the tracking log (on the
   * observation clock a plain report is not signalled, so the workflow knows only those that changed
   * something), and each recorded escalation's owner account by name (the workflow names a role).
   */
  private async withRecords(number: string, view: ObservationView, recorded = this.observations.escalations(number)): Promise<ObservationStateDto> {
    const [slots, escalations] = await Promise.all([this.observations.reportedSlots(number), recorded]);
    const reported = new Map(slots.map((r) => [r.slotStart.toISOString(), r.temperature]));
    const today = view.today.map((slot) => (reported.has(slot.slotKey) ? { ...slot, state: 'reported' as const, temperature: reported.get(slot.slotKey) } : slot));
    const owners = new Map(escalations.map((e) => [e.id, e.owner]));
    const owned = view.escalations.map((e) => ({ ...e, owner: owners.get(e.id) ?? e.owner }));
    return stateOf({ ...view, today, escalations: owned, reportsReceived: Math.max(view.reportsReceived, reported.size) });
  }

  async detail(number: string): Promise<ObservationDetailDto> {
    const row = await this.record(number);
    // Read once: the live state takes its escalations' owners from the same rows.
    const recorded = this.observations.escalations(number);
    const [person, state, escalations, trackingLog] = await Promise.all([this.people.byId(row.personId), this.liveState(number, recorded), recorded, this.observations.trackingLog(number)]);
    return { observation: observationOf(row), person: personOf(person!), state, escalations: escalations.map(escalationOf), trackingLog: trackingLog.map(trackingLineOf) };
  }

  /** The whole tracking log, oldest first (the 14-day sheet's export). */
  async trackingLog(number: string): Promise<TrackingLineDto[]> {
    await this.record(number);
    return (await this.observations.trackingLog(number)).map(trackingLineOf);
  }

  /** A page of the tracking log, oldest first. */
  async trackingLogPage(number: string, query: PageQuery): Promise<Page<TrackingLineDto>> {
    await this.record(number);
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await this.observations.trackingLogPage(number, { offset, pageSize });
    return { items: items.map(trackingLineOf), page, pageSize, total };
  }

  /**
   * A worker's day in the place: who owes a report in their open check-in slot (the slot from the
   * person's policy; reported once a report came after it opened), and the unresolved escalations,
   * missed reports apart. Reads PostgreSQL, not Temporal.
   */
  async worklist(place: { subdistrict?: string; community?: string }, actor: Principal, at = Date.now()): Promise<WorklistDto> {
    const [owing, escalations] = await Promise.all([this.observations.openOwingReports(place), this.observations.unresolvedEscalations(place)]);
    const due: WorklistPersonDto[] = [];
    for (const row of owing) {
      const { open } = await this.slotsAt(row, at);
      if (!open || (row.lastReportAt && row.lastReportAt.getTime() >= open.opensAt)) continue;
      const { number, name, category, status, community, responsibleWorker, lastReportAt } = row;
      due.push({ number, name, category, status, community, responsibleWorker, slotKey: open.key, deadline: new Date(open.deadline).toISOString(), lastReportAt: lastReportAt?.toISOString() ?? null });
    }
    due.sort((a, b) => a.deadline.localeCompare(b.deadline) || a.number.localeCompare(b.number));
    const listed = escalations.map((e) => ({ ...escalationOf(e), number: e.observationNumber, name: e.name, community: e.community, mine: e.ownerAccount === actor.userId }));
    const missed = (e: { kind: string }) => e.kind.startsWith('missed_report');
    return { at: new Date(at).toISOString(), timeZone: this.config.timeZone, due, missed: listed.filter(missed), escalations: listed.filter((e) => !missed(e)) };
  }

  /** Supervisors' list: filtered, paged, newest first; reads PostgreSQL, not Temporal. */
  async list(filter: ObservationFilter, query: PageQuery): Promise<Page<ObservationDto>> {
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await this.observations.page(this.selection(filter), { offset, pageSize });
    return { items: items.map(observationOf), page, pageSize, total };
  }

  /** How many the filter selects: the dashboard's counts, always those of the list they open. */
  count(filter: ObservationFilter): Promise<number> {
    return this.observations.count(this.selection(filter));
  }

  /** Every row the filter selects (for export), in number order. */
  async listAll(filter: ObservationFilter): Promise<ObservationDto[]> {
    return (await this.observations.all(this.selection(filter))).map(observationOf);
  }

  private selection({ dueToday, ...filter }: ObservationFilter): ObservationSelection {
    if (!dueToday) return filter;
    const offset = utcOffsetMinutes(this.config.timeZone);
    const midnight = localMidnight(localDate(Date.now(), offset), offset);
    return { ...filter, dueBetween: { from: new Date(midnight), to: new Date(midnight + DAY) } };
  }
}
