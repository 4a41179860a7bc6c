/**
 * When an observation's instants fall, checked against values written out by hand (the local
 * midnight ending day N, in UTC), never against the function that computes them.
 */
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { ALL_DAY_RULES, DEFAULT_RULES, validateRules } from '../../workflows/observation/observation-policy';
import { dayOfPeriod, openSlotAt, releaseAt, slotsOf } from '../../workflows/observation/observation-schedule';

const SHANGHAI = utcOffsetMinutes('Asia/Shanghai', Date.parse('2026-03-01T00:00:00+08:00'));

describe('release instants', () => {
  it('is +480 minutes in Asia/Shanghai', () => {
    expect(SHANGHAI).toBe(480);
  });

  it.each([
    ['2026-03-01', 14, '2026-03-14T16:00:00.000Z'], // 2026-03-15 00:00 +08:00
    ['2026-01-25', 14, '2026-02-07T16:00:00.000Z'], // across the end of January: 2026-02-08 00:00 +08:00
    ['2026-02-20', 14, '2026-03-05T16:00:00.000Z'], // across a 28-day February: 2026-03-06 00:00 +08:00
    ['2028-02-20', 14, '2028-03-04T16:00:00.000Z'], // across a leap day: 2028-03-05 00:00 +08:00
    ['2026-12-25', 14, '2027-01-07T16:00:00.000Z'], // across the year end: 2027-01-08 00:00 +08:00
    ['2026-03-01', 21, '2026-03-21T16:00:00.000Z'], // a 21-day policy: 2026-03-22 00:00 +08:00
  ])('anchor %s, %i days: released at %s', (anchorDate, periodDays, released) => {
    const at = releaseAt({ anchorDate, utcOffsetMinutes: SHANGHAI, rules: { ...DEFAULT_RULES, periodDays } });
    expect(new Date(at).toISOString()).toBe(released);
  });

  it('counts the anchor date as day 1 and the last local day as day 14', () => {
    const period = { anchorDate: '2026-03-01', utcOffsetMinutes: SHANGHAI };
    expect(dayOfPeriod(period, Date.parse('2026-03-01T00:00:00+08:00'))).toBe(1);
    expect(dayOfPeriod(period, Date.parse('2026-03-14T23:59:59+08:00'))).toBe(14);
    expect(dayOfPeriod(period, Date.parse('2026-03-15T00:00:00+08:00'))).toBe(15);
  });

  it('opens the slots at local 08:00 and 14:00 up to the release, the last on 2026-03-14', () => {
    const slots = slotsOf({ anchorDate: '2026-03-01', startedAt: Date.parse('2026-03-01T07:00:00+08:00'), utcOffsetMinutes: SHANGHAI, rules: DEFAULT_RULES });
    expect(slots).toHaveLength(28);
    expect(slots[0]).toMatchObject({ key: '2026-03-01T00:00:00.000Z', day: 1, deadline: Date.parse('2026-03-01T11:00:00+08:00') });
    expect(slots[27]).toMatchObject({ key: '2026-03-14T06:00:00.000Z', day: 14, deadline: Date.parse('2026-03-14T17:00:00+08:00') });
  });

  it('leaves no minute without an open slot under the all-day rules the tests and the bench use, midnight included', () => {
    expect(validateRules(ALL_DAY_RULES)).toEqual([]);
    const period = { anchorDate: '2026-03-01', startedAt: Date.parse('2026-03-01T07:00:00+08:00'), utcOffsetMinutes: SHANGHAI, rules: ALL_DAY_RULES };
    expect(openSlotAt(period, Date.parse('2026-03-01T23:59:30+08:00'))).toMatchObject({ day: 1 });
    expect(openSlotAt(period, Date.parse('2026-03-02T00:00:00+08:00'))).toMatchObject({ day: 2 });
    for (let at = Date.parse('2026-03-02T00:00:00+08:00'); at < Date.parse('2026-03-03T00:00:00+08:00'); at += 30_000) {
      expect(openSlotAt(period, at)).toBeDefined();
    }
  });
});
