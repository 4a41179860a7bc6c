/**
 * "Guard posted" over HTTP against the real dev server, a real worker and PostgreSQL: the ladder's
 * steps taken through the API post a guard whose post and shifts the roster routes show; ending the
 * observation early cancels them; a guard nobody can staff is a dashboard gap and a supervisor's
 * escalation until the guard is lifted.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { localDate } from '../../libs/domain/local-time';
import { guardPostId } from '../../workflows/observation/observation.messages';
import { Http, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { enrolmentRequest } from '../support/observation-fixtures';
import { insertStaff, uniqueTag } from '../roster/roster-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

interface ShiftItem {
  id: string;
  staffId: string | null;
  status: string;
  dutyState: string;
  workflowStarted: boolean;
}

describe('guard posted (API, dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  // Read when used: a run can cross the local midnight.
  const today = () => localDate(Date.now(), 480);
  let api: INestApplication;
  let db: DataSource;
  let http: Http;

  systemPerFile(async (system) => {
    ({ api, db } = system);
    http = await supervisorHttp(api);
  }, { config });

  /** An observation in a community of its own with `staffCount` guards living there. */
  async function enrolIn(staffCount: number): Promise<{ number: string; community: string; staff: string[] }> {
    const tag = uniqueTag();
    const community = `guard-api-${tag}`;
    const staff = Array.from({ length: staffCount }, (_, i) => `guard-api-${i}-${tag}`);
    for (const id of staff) await insertStaff(db, { id, skills: ['guard'], role: 'guard', homeCommunity: community });
    const { body } = await http
      .post('/persons')
      .send({ ...enrolmentRequest({ category: 'B', anchorDate: today() }), address: { subdistrict: 'XYL', community, building: '7', unit: '1' } })
      .expect(201);
    return { number: body.observationNumber, community, staff };
  }

  async function postTheGuard(number: string) {
    await http.post(`/observations/${number}/measures`).send({ measure: 'warning_talk', by: '李社工' }).expect(200);
    return (await http.post(`/observations/${number}/measures`).send({ measure: 'guard_posted', by: '王主任' }).expect(200)).body;
  }

  const shiftsOf = async (number: string): Promise<ShiftItem[]> =>
    (await http.get('/shifts').query({ postId: guardPostId(number), pageSize: 500 }).expect(200)).body.items;

  const summary = async (community: string) => (await http.get('/dashboard/summary').query({ subdistrict: 'XYL', community }).expect(200)).body;

  it('warning talk, then guard posted: the post and its shifts are on the roster routes; an early end cancels them', async () => {
    const { number, community, staff } = await enrolIn(8);
    const state = await postTheGuard(number);
    expect(state.guardPost).toMatchObject({ postId: guardPostId(number), unfilled: 0, planId: expect.any(String) });

    const post = (await http.get(`/roster/posts/${guardPostId(number)}`).expect(200)).body;
    expect(post).toMatchObject({ kind: 'guard', jurisdiction: community, subdistrict: 'XYL', observationNumber: number, location: '7 1', closedAt: null });
    const shifts = await shiftsOf(number);
    expect(shifts).toHaveLength(state.guardPost.shifts);
    for (const shift of shifts) expect(staff).toContain(shift.staffId);
    expect(shifts.some((s) => s.workflowStarted)).toBe(true);
    const detail = (await http.get(`/observations/${number}`).expect(200)).body;
    expect(detail.trackingLog.map((line: { kind: string }) => line.kind)).toContain('guard_posted');
    expect((await summary(community)).guardPostGaps).toEqual({ count: 0, items: [] });

    await http.post(`/observations/${number}/early-end`).send({ reason: 'moved_away', by: '王主任' }).expect(200);
    const cancelled = await eventually(() => shiftsOf(number), (items) => items.every((s) => s.status === 'cancelled' && s.dutyState === 'cancelled'), {
      what: 'every guard shift cancelled',
      timeoutMs: 60_000,
      intervalMs: 200,
      show: (items) => items.map((s) => `${s.status}/${s.dutyState}`),
    });
    expect(cancelled).toHaveLength(shifts.length);
    // Those whose workflow ran were told: each workflow has ended, none left marked for the reconciler.
    for (const shift of shifts.filter((s) => s.workflowStarted)) {
      expect((await http.get(`/shifts/${shift.id}`).expect(200)).body.state).toMatchObject({ state: 'cancelled', endReason: expect.stringContaining('observation ended: moved_away') });
    }
    expect(await db.query(`SELECT id FROM roster_shift WHERE post_id = $1 AND untold_change IS NOT NULL`, [guardPostId(number)])).toEqual([]);
    expect((await http.get(`/roster/posts/${guardPostId(number)}`).expect(200)).body).toMatchObject({ closeReason: 'observation ended: moved_away', closedAt: expect.any(String) });
  });

  it('a guard nobody can staff is a dashboard gap and a supervisor escalation until it is lifted', async () => {
    const { number, community } = await enrolIn(0);
    const state = await postTheGuard(number);
    expect(state.guardPost.unfilled).toBe(state.guardPost.shifts);
    expect(state.escalations).toContainEqual(expect.objectContaining({ kind: 'guard_unstaffed', ownerRole: 'supervisor', state: 'open' }));
    const gaps = (await summary(community)).guardPostGaps;
    expect(gaps.count).toBe(1);
    expect(gaps.items[0]).toMatchObject({ postId: guardPostId(number), observationNumber: number, community, subdistrict: 'XYL', unfilledShifts: expect.any(Number) });
    expect(gaps.items[0].reason).toEqual(expect.any(String));

    // Only a supervisor lifts it, once, naming who.
    await http.post(`/observations/${number}/measures/guard/lift`).send({}).expect(422);
    const lifted = (await http.post(`/observations/${number}/measures/guard/lift`).send({ by: '王主任', note: 'cooperates now' }).expect(200)).body;
    expect(lifted).toMatchObject({ status: 'active', guardPost: { liftedAt: expect.any(String) } });
    expect(lifted.escalations).toContainEqual(expect.objectContaining({ kind: 'guard_unstaffed', state: 'resolved', resolution: 'guard lifted' }));
    const again = await http.post(`/observations/${number}/measures/guard/lift`).send({ by: '王主任' }).expect(409);
    expect(JSON.stringify(again.body)).toContain('the guard was lifted at');
    expect((await summary(community)).guardPostGaps).toEqual({ count: 0, items: [] });
    for (const shift of await shiftsOf(number)) expect(shift.status).toBe('cancelled');
  });

  it('refuses to lift a guard that was never posted (409 naming the measure)', async () => {
    const { number } = await enrolIn(0);
    const refused = await http.post(`/observations/${number}/measures/guard/lift`).send({ by: '王主任' }).expect(409);
    expect(refused.body.errors).toEqual([{ field: 'measure', reason: `no guard is posted at observation ${number}` }]);
  });
});
