/**
 * What a missed report records, for the clock's sweep and for workflows on their own timers, and
 * which slot the sweep calls the one before, and the next due instant it sets: values written out by hand.
 */
import { DEFAULT_RULES } from '../../workflows/observation/observation-policy';
import { missedReport, sweptEscalationIds } from '../../workflows/observation/missed-report';
import { CohortSlot, nextDeadlineAfter, slotBefore } from '../../workflows/observation/observation-schedule';

const SHANGHAI = 480;
/** 2026-03-02, 08:00–10:00 +08:00, grace 60 min (DEFAULT_RULES). */
const MORNING: CohortSlot = {
  key: '2026-03-02T00:00:00.000Z',
  opensAt: Date.parse('2026-03-02T00:00:00.000Z'),
  remindAt: Date.parse('2026-03-02T00:00:00.000Z'),
  closesAt: Date.parse('2026-03-02T02:00:00.000Z'),
  deadline: Date.parse('2026-03-02T03:00:00.000Z'),
};
const PERSON = { number: 'XYL-C-000042', anchorDate: '2026-03-01', subdistrict: 'XYL', community: 'east', responsibleWorker: 'worker-li' };

describe('the slot before a slot', () => {
  it('is the afternoon before (the day before)', () => {
    expect(slotBefore(DEFAULT_RULES, SHANGHAI, MORNING)).toEqual({
      key: '2026-03-01T06:00:00.000Z', // 2026-03-01 14:00 +08:00
      opensAt: Date.parse('2026-03-01T06:00:00.000Z'),
      remindAt: Date.parse('2026-03-01T06:00:00.000Z'),
      closesAt: Date.parse('2026-03-01T08:00:00.000Z'),
      deadline: Date.parse('2026-03-01T09:00:00.000Z'),
    });
  });

  it('with one slot a day, is the same slot on the day before', () => {
    expect(slotBefore({ ...DEFAULT_RULES, slots: [{ start: '08:00', end: '10:00' }] }, SHANGHAI, MORNING).key).toBe('2026-03-01T00:00:00.000Z');
  });
});

describe('the next due instant after a missed slot (the sweep moves it)', () => {
  const period = (anchorDate: string) => ({ anchorDate, startedAt: MORNING.opensAt, utcOffsetMinutes: SHANGHAI, rules: DEFAULT_RULES });

  it("is the afternoon slot's deadline the same day", () => {
    expect(nextDeadlineAfter(period(PERSON.anchorDate), MORNING.deadline)).toBe(Date.parse('2026-03-02T09:00:00.000Z'));
  });

  it('is none on the last day of the period, after its last slot', () => {
    // Anchored 2026-02-17: 14 days end at 2026-03-03 00:00 local; the afternoon slot of 2026-03-02 is the last.
    expect(nextDeadlineAfter(period('2026-02-17'), MORNING.deadline)).toBe(Date.parse('2026-03-02T09:00:00.000Z'));
    expect(nextDeadlineAfter(period('2026-02-17'), Date.parse('2026-03-02T09:00:00.000Z'))).toBeUndefined();
  });
});

describe('a missed report', () => {
  it('is a miss line, the worker escalation and its notice, under the ids given', () => {
    const records = missedReport(PERSON, SHANGHAI, MORNING, undefined, sweptEscalationIds(PERSON.number, MORNING.key));
    const id = 'XYL-C-000042/missed:2026-03-02T00:00:00.000Z';
    expect(records.escalations).toEqual([
      { id, kind: 'missed_report', ownerRole: 'community_worker', owner: 'worker-li', state: 'open', reason: 'no report for the slot opening 2026-03-02T00:00:00.000Z', openedAt: MORNING.deadline, slotKey: MORNING.key },
    ]);
    expect(records.tracking.map((t) => [t.kind, t.dedupKey, t.day, t.at])).toEqual([
      ['missed_report', 'XYL-C-000042:missed_report:missed:2026-03-02T00:00:00.000Z', 2, MORNING.deadline],
      ['escalation', `XYL-C-000042:escalation:${id}`, 2, MORNING.deadline],
    ]);
    expect(records.notifications).toEqual([
      {
        id: 'XYL-C-000042:missed:2026-03-02T00:00:00.000Z',
        recipient: { role: 'community_worker', subdistrict: 'XYL', community: 'east', preferred: 'worker-li' },
        template: 'missed_report',
        params: { slotStart: '08:00', slotEnd: '10:00' },
        concerns: { kind: 'escalation', id },
      },
    ]);
  });

  it('after a missed slot, is also the supervisor escalation and notice; a workflow numbers its own', () => {
    const previous = slotBefore(DEFAULT_RULES, SHANGHAI, MORNING);
    const records = missedReport(PERSON, SHANGHAI, MORNING, previous, { missed: 'XYL-C-000042/3', repeat: 'XYL-C-000042/4' });
    expect(records.escalations.map((e) => [e.id, e.kind, e.ownerRole, e.owner, e.reason])).toEqual([
      ['XYL-C-000042/3', 'missed_report', 'community_worker', 'worker-li', 'no report for the slot opening 2026-03-02T00:00:00.000Z'],
      ['XYL-C-000042/4', 'missed_report_repeat', 'supervisor', 'supervisor@XYL', 'second consecutive missed report (2026-03-01T06:00:00.000Z, 2026-03-02T00:00:00.000Z)'],
    ]);
    expect(records.notifications.map((n) => [n.id, n.recipient, n.template])).toEqual([
      ['XYL-C-000042:missed:2026-03-02T00:00:00.000Z', { role: 'community_worker', subdistrict: 'XYL', community: 'east', preferred: 'worker-li' }, 'missed_report'],
      ['XYL-C-000042:missed-repeat:2026-03-02T00:00:00.000Z', { role: 'supervisor', subdistrict: 'XYL' }, 'missed_report_repeat'],
    ]);
  });
});
