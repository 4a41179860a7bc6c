/**
 * What a missed report records (README "Home observation"): the tracking lines, the community
 * worker's escalation, the supervisor's when the slot before was missed too, and their notices.
 * Built here once for the workflow keeping its own timers and for the observation clock's sweep,
 * which writes everyone's in a few statements.
 */
import type { NotificationRequest } from '../../libs/notifications/notification-outbox';
import { roleWhereLiving } from '../../libs/notifications/recipients';
import { localTime } from '../../libs/domain/local-time';
import type { Escalation } from './observation.messages';
import { CohortSlot, dayOfPeriod } from './observation-schedule';
import { TrackingEntry, trackingEntry } from './tracking-entry';

export interface MissingPerson {
  number: string;
  anchorDate: string;
  subdistrict: string;
  community: string;
  responsibleWorker: string;
}

export interface MissedReport {
  tracking: TrackingEntry[];
  escalations: Escalation[];
  notifications: NotificationRequest[];
}

/** The ids of the clock's escalations: one of each kind per slot, so a sweep retried writes none twice. */
export function sweptEscalationIds(number: string, slotKey: string): { missed: string; repeat: string } {
  return { missed: `${number}/missed:${slotKey}`, repeat: `${number}/missed-repeat:${slotKey}` };
}

/**
 * `previousMissed`: the slot before, when it was missed too. The workflow's own runs number their
 * escalations (`ids`), the clock's name them after the slot.
 */
export function missedReport(o: MissingPerson, utcOffsetMinutes: number, slot: CohortSlot, previousMissed: CohortSlot | undefined, ids: { missed: string; repeat: string }): MissedReport {
  const at = slot.deadline;
  const day = dayOfPeriod({ anchorDate: o.anchorDate, utcOffsetMinutes }, at);
  const params = { slotStart: localTime(slot.opensAt, utcOffsetMinutes), slotEnd: localTime(slot.closesAt, utcOffsetMinutes) };
  const supervisor = `supervisor@${o.subdistrict}`;
  const records: MissedReport = {
    tracking: [trackingEntry(o.number, 'missed_report', at, day, { slotKey: slot.key }, { slotStart: slot.opensAt, key: `missed:${slot.key}` })],
    escalations: [],
    notifications: [],
  };
  const escalate = (e: Omit<Escalation, 'state' | 'openedAt' | 'slotKey'>, purpose: string, recipient: NotificationRequest['recipient'], template: 'missed_report' | 'missed_report_repeat') => {
    const escalation: Escalation = { ...e, state: 'open', openedAt: at, slotKey: slot.key };
    records.escalations.push(escalation);
    records.tracking.push(trackingEntry(o.number, 'escalation', at, day, { escalationId: e.id, kind: e.kind, owner: e.owner, reason: e.reason }, { key: e.id }));
    records.notifications.push({ id: `${o.number}:${purpose}:${slot.key}`, recipient, template, params, concerns: { kind: 'escalation', id: e.id } });
  };
  escalate(
    { id: ids.missed, kind: 'missed_report', ownerRole: 'community_worker', owner: o.responsibleWorker, reason: `no report for the slot opening ${slot.key}` },
    'missed',
    roleWhereLiving('community_worker', o, o.responsibleWorker),
    'missed_report',
  );
  if (previousMissed) {
    escalate(
      { id: ids.repeat, kind: 'missed_report_repeat', ownerRole: 'supervisor', owner: supervisor, reason: `second consecutive missed report (${previousMissed.key}, ${slot.key})` },
      'missed-repeat',
      roleWhereLiving('supervisor', o),
      'missed_report_repeat',
    );
  }
  return records;
}
