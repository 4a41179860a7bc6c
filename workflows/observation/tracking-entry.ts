/** Lines of an observation's tracking log (日志), built the same way by the workflow and the enrolment. */
import type { ObservationInput } from './observation.messages';
import { dayOfPeriod, periodOf, releaseAt } from './observation-schedule';

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
  return { dedupKey: `${number}:${kind}:${extra.key ?? at}`, at, day, kind, slotStart: extra.slotStart, temperature: extra.temperature, detail };
}

/** The first line: from which anchor date, under which policy, due for release when. */
export function enrolledEntry(input: ObservationInput): TrackingEntry {
  const period = periodOf(input);
  const detail = { anchorDate: input.anchorDate, policyId: input.policy.id, releaseDueAt: new Date(releaseAt(period)).toISOString() };
  return trackingEntry(input.number, 'enrolled', input.startedAt, dayOfPeriod(period, input.startedAt), detail, { key: 'enrolled' });
}
