/**
 * What an observation records outside its workflow history — tracking-log lines (日志) and what the
 * Web UI shows — built the same way by the workflow and the enrolment.
 */
import type { SearchAttributePair } from '@temporalio/common';
import type { ObservationInput, ObservationStatus, TemperatureReport } from './observation.messages';
import { dayOfPeriod, nextDeadlineAfter, ObservationPeriod, periodOf, releaseAt } from './observation-schedule';
import { CATEGORY, COMMUNITY, NEXT_DUE_AT, STATUS, SUBDISTRICT } from '../../libs/temporal/search-attributes';

export interface TrackingEntry {
  /** One line per event however often it is written: retries and replays write it once. */
  dedupKey: string;
  at: number;
  day: number;
  kind: string;
  slotStart?: number;
  temperature?: number;
  detail: Record<string, unknown>;
}

export function trackingEntry(
  number: string,
  kind: string,
  at: number,
  day: number,
  detail: Record<string, unknown>,
  extra: { slotStart?: number; temperature?: number; key?: string } = {},
): TrackingEntry {
  return { dedupKey: dedupKeyOf(number, kind, extra.key ?? at), at, day, kind, slotStart: extra.slotStart, temperature: extra.temperature, detail };
}

/**
 * A temperature report's line, the record of reports the clock's sweep and the pages read, whoever
 * writes it: the API, or the workflow for a thermometer's reading. `channel`: how a worker took it.
 */
export function reportEntry(number: string, report: Pick<TemperatureReport, 'requestId' | 'at' | 'temperature' | 'symptoms' | 'source'>, period: Pick<ObservationPeriod, 'anchorDate' | 'utcOffsetMinutes' | 'rules'>, slotStart: number, channel?: string): TrackingEntry {
  const detail = { requestId: report.requestId, source: report.source, ...(channel && { channel }), symptoms: report.symptoms ?? [], fever: report.temperature >= period.rules.feverThreshold };
  return trackingEntry(number, 'report', report.at, dayOfPeriod(period, report.at), detail, { slotStart, temperature: report.temperature, key: report.requestId });
}

/** The line's identity: a report's is its request id. */
export function dedupKeyOf(number: string, kind: string, key: string | number): string {
  return `${number}:${kind}:${key}`;
}

/** What the enrolment's records need of an observation: not yet its person, who is written in the same statement. */
type Enrolled = Pick<ObservationInput, 'number' | 'anchorDate' | 'startedAt' | 'utcOffsetMinutes' | 'policy'>;

/** What an enrolment shows at start (search attributes and the record's next due time). */
export function enrolmentVisibility(input: Enrolled): { status: ObservationStatus; nextDueAt?: number } {
  return { status: 'active', nextDueAt: nextDeadlineAfter(periodOf(input), input.startedAt) };
}

/** The search attributes an observation's workflow starts with, whoever starts it (the enrolment, a quarantine stay). */
export function observationSearchAttributes(input: ObservationInput): SearchAttributePair[] {
  const { status, nextDueAt } = enrolmentVisibility(input);
  return [
    { key: SUBDISTRICT, value: input.subdistrict },
    { key: COMMUNITY, value: input.community },
    { key: CATEGORY, value: input.category },
    { key: STATUS, value: status },
    ...(nextDueAt ? [{ key: NEXT_DUE_AT, value: new Date(nextDueAt) }] : []),
  ];
}

/** The first line: from which anchor date, under which policy, due for release when. */
export function enrolledEntry(input: Enrolled): TrackingEntry {
  const period = periodOf(input);
  const detail = { anchorDate: input.anchorDate, policyId: input.policy.id, releaseDueAt: new Date(releaseAt(period)).toISOString() };
  return trackingEntry(input.number, 'enrolled', input.startedAt, dayOfPeriod(period, input.startedAt), detail, { key: 'enrolled' });
}
