/**
 * The field pages in a real browser (Debian's Chromium driven by playwright-core) against the real
 * API, worker, dev server and PostgreSQL, at phone size (390×844) in zh-CN and en: an escort opens
 * the trip from the dispatch SMS link, ticks each person boarded (a tap whose first request is lost
 * is sent again under the same Idempotency-Key), departs and arrives; the hotel's receiver takes a
 * person over by name; duty staff check in, write a hand-over note and report an incident, the incoming guard
 * acknowledges the note, and a guard asks to swap a shift. At desktop size (1440×900)
 * a message reaches the inbox page with its live count in the top bar and is marked read.
 * Screenshots go to test-results/web/.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import type { Role } from '../../libs/auth/roles';
import { localDate, localMidnight, localTime, MINUTE } from '../../libs/domain/local-time';
import { NotificationOutbox } from '../../libs/notifications/notification-outbox';
import { Http, httpAs, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { solvedPlan } from '../roster/roster-fixtures';
import { manifestRow, registerResources, Registry } from '../transfer/transfer-fixtures';
import { launchBrowser, logIn, openPage, overflow, SHOTS, ViewportName } from './browser';
import { systemPerFile } from '../support/system';

jest.setTimeout(240_000);

type Language = 'zh-CN' | 'en';
const LANGUAGES: Language[] = ['zh-CN', 'en'];

const WORDS = {
  'zh-CN': { boarded: '已上车', departed: '已出发', arrived: '已到达', takenOver: '已接收', taken: '已接收 1 / 2 人', onDuty: '在岗', noteDone: '已提交', unread: '未读', acknowledged: '已接班' },
  en: { boarded: 'On board', departed: 'On the road', arrived: 'Arrived', takenOver: 'Taken over', taken: '1 of 2 taken over', onDuty: 'On duty', noteDone: 'Submitted', unread: 'unread', acknowledged: 'Taken over (' },
};

interface Login {
  username: string;
  password: string;
  displayName: string;
  userId: string;
}

describe('field pages in Chromium: escort, receiver, duty staff, inbox (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  let api: INestApplication;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let registry: Registry;
  let dispatcher: Http;
  let supervisor: Http;

  async function login(role: Role, displayName: string, scope: { destinationId?: string; subdistrict?: string } = {}): Promise<Login> {
    const username = `web-${role}-${randomUUID().slice(0, 6)}`;
    const password = `pw-${randomUUID()}`;
    const user = await api.get(UsersService).create({ username, displayName, password, role, subdistrict: scope.subdistrict ?? null, community: null, destinationId: scope.destinationId ?? null });
    return { username, password, displayName, userId: user.id };
  }

  /** A run of two people to the hotel, dispatched at once with the escort linked to `escort`; the trip and the people's names. */
  async function dispatchedTrip(escort: Login) {
    const [escortId] = registry.escortIds;
    await dispatcher.put(`/transfer/escorts/${escortId}`).send({ id: escortId, name: escort.displayName, contact: '13700000000', accountId: escort.userId }).expect(200);
    const travellers = [manifestRow(registry.destination('hotel'), false, Date.now() - 5 * MINUTE, { name: '王小明' }), manifestRow(registry.destination('hotel'), false, Date.now() - 5 * MINUTE, { name: 'Anna Schmidt' })];
    const { runId, plan } = (
      await dispatcher
        .post('/transfer-runs')
        .send({ sortingPointId: registry.sortingPointId, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: registry.vehicleIds, escortIds: [escortId], dispatch: true, travellers })
        .expect(201)
    ).body;
    const [{ tripId, travellerIds }] = plan.trips as Array<{ tripId: string; travellerIds: string[] }>;
    await eventually(() => db.query(`SELECT leg FROM transfer_trip WHERE run_id = $1 AND trip_id = $2`, [runId, tripId]), (rows) => rows[0]?.leg === 'dispatched', { what: 'the trip dispatched' });
    return { runId, tripId, travellerIds, names: travellers.map((t) => t.name) };
  }

  /** A whole-page screenshot from the top. */
  async function shot(page: Page, name: string, size: ViewportName, lang: Language): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `${name}-${size}-${lang}.png`), fullPage: true });
  }

  systemPerFile(async (system) => {
    ({ api, db, base } = system);
    dispatcher = httpAs(api, await signIn(api, 'dispatcher'));
    supervisor = httpAs(api, await signIn(api, 'supervisor'));
    registry = await registerResources(db, {
      destinations: [{ destinationId: 'hotel', kind: 'hotel', name: '锦江之星隔离酒店', travelMinutes: 20, capacity: 20 }],
      vehicles: [{ vehicleId: 'V1', seats: 4 }],
      escorts: [{ escortId: 'E1' }],
    });
    browser = await launchBrowser();
  }, { config, listen: true, timeoutMs: 300_000 });

  afterAll(async () => {
    await browser?.close();
  });

  it.each(LANGUAGES)('an escort ticks each person boarded from the SMS link, departs and arrives; the receiver takes a person over by name (phone, %s)', async (lang) => {
    const escort = await login('duty_staff', lang === 'en' ? 'Escort Li' : '随车 李');
    const receiver = await login('receiver', lang === 'en' ? 'Desk Liu' : '前台 刘', { destinationId: registry.destination('hotel') });
    const { runId, tripId, travellerIds, names } = await dispatchedTrip(escort);

    const { context, page, errors } = await openPage(browser, 'phone', lang, config.timeZone);
    // The link the dispatch SMS carries; logging in there stays on the trip.
    await page.goto(`${base}/app/trips/${runId}/${tripId}?lang=${lang}`);
    await logIn(page, escort);
    const riders = page.getByTestId('riders');
    await riders.waitFor({ state: 'visible' });
    expect(await riders.textContent()).toContain(names[0]);
    expect(await riders.textContent()).toContain(names[1]);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'trip-list', 'phone', lang);

    // A slow connection: the first boarding request is lost; the page sends it again with the same key.
    const keys: string[] = [];
    let lost = false;
    await page.route('**/boarded', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (!lost) {
        lost = true;
        return route.abort('connectionfailed');
      }
      return route.continue();
    });
    const first = page.locator(`li[data-traveller="${travellerIds[0]}"]`);
    await first.locator('[data-action="boarded"]').click();
    // While it is sent again, the page says so; then it shows the person as recorded.
    await page.getByTestId('sending').waitFor();
    await page.locator(`li[data-traveller="${travellerIds[0]}"][data-status="on_board"]`).waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await first.getByTestId('rider-status').textContent()).toBe(WORDS[lang].boarded);
    await page.locator(`li[data-traveller="${travellerIds[1]}"] [data-action="boarded"]`).click();
    await page.locator(`li[data-traveller="${travellerIds[1]}"][data-status="on_board"]`).waitFor();
    await shot(page, 'trip-boarded', 'phone', lang);

    await page.click('[data-action="departed"]');
    await eventually(() => page.getByTestId('trip-leg').textContent(), (text) => text === WORDS[lang].departed, { what: 'the trip departed' });
    await page.click('[data-action="arrived"]');
    await eventually(() => page.getByTestId('trip-leg').textContent(), (text) => text === WORDS[lang].arrived, { what: 'the trip arrived' });
    expect(await page.getByTestId('recorded').textContent()).toContain(WORDS[lang].arrived);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'trip-arrived', 'phone', lang);
    const boardings = await db.query(`SELECT status FROM audit_log WHERE actor = $1 AND action = 'POST /transfer-runs/:runId/trips/:tripId/boarded'`, [escort.username]);
    expect(boardings.map((a: { status: number }) => a.status)).toEqual([200, 200]);

    // The escort is duty staff: their landing is the duty page, one tap from their trips (in the
    // language they choose with the switch, which this browser keeps; ?lang= is for one page).
    await page.click(`.lang button[data-lang="${lang}"]`);
    await page.goto(`${base}/app/`);
    await page.waitForURL(/\/app\/duty\//);
    await page.getByTestId('my-trips-link').click();
    await page.locator(`[data-trip="${runId}/${tripId}"]`).waitFor();
    await shot(page, 'trips', 'phone', lang);
    expect(errors).toEqual([]);
    await context.close();

    // The hotel's receiver: one login lands on the arrivals; take the first person over by name.
    const desk = await openPage(browser, 'phone', lang, config.timeZone);
    await desk.page.goto(`${base}/app/?lang=${lang}`);
    await logIn(desk.page, receiver);
    await desk.page.waitForURL(/\/app\/receiver\//);
    const arrival = desk.page.locator(`[data-trip="${runId}/${tripId}"]`);
    await eventually(
      async () => {
        if (await arrival.locator('[data-action="take"]').count()) return true;
        await desk.page.reload();
        await desk.page.getByTestId('arrival').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
        return false;
      },
      (ready) => ready,
      { what: 'the trip listed as arrived at the hotel', intervalMs: 500 },
    );
    expect(await arrival.textContent()).toContain(names[0]);
    await shot(desk.page, 'receiver-arrived', 'phone', lang);
    await arrival.locator(`li[data-traveller="${travellerIds[0]}"] [data-action="take"]`).click();
    await arrival.locator(`li[data-traveller="${travellerIds[0]}"][data-status="handed_over"]`).waitFor();
    expect(await arrival.locator(`li[data-traveller="${travellerIds[0]}"]`).getByTestId('person-status').textContent()).toBe(WORDS[lang].takenOver);
    expect(await arrival.getByTestId('taken-count').textContent()).toBe(WORDS[lang].taken);
    expect(await overflow(desk.page)).toBeUndefined();
    await shot(desk.page, 'receiver-taken', 'phone', lang);
    const [recorded] = await eventually(
      () => db.query(`SELECT status, receiver FROM transfer_traveller WHERE run_id = $1 AND traveller_id = $2`, [runId, travellerIds[0]]),
      (rows) => rows[0]?.status === 'handed_over',
      { what: 'the hand-over recorded' },
    );
    expect(recorded.receiver).toMatchObject({ name: receiver.displayName, account: receiver.username });
    expect(desk.errors).toEqual([]);
    await desk.context.close();
  });

  it('an escort confirms a person fetched from home at the door by name: picked up, then on board (phone, en)', async () => {
    const escort = await login('duty_staff', 'Escort Pick');
    const [escortId] = registry.escortIds;
    await dispatcher.put(`/transfer/escorts/${escortId}`).send({ id: escortId, name: escort.displayName, contact: '13700000000', accountId: escort.userId }).expect(200);
    const traveller = manifestRow(registry.destination('hotel'), false, Date.now() - 5 * MINUTE, { name: 'Chen Jing', pickup: true, address: { subdistrict: 'XYL', community: '学院路社区', building: '9', unit: '1', detail: '101' } });
    const { runId, plan } = (
      await dispatcher
        .post('/transfer-runs')
        .send({ sortingPointId: registry.sortingPointId, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: registry.vehicleIds, escortIds: [escortId], dispatch: true, travellers: [traveller] })
        .expect(201)
    ).body;
    const [{ tripId, travellerIds, pickup }] = plan.trips as Array<{ tripId: string; travellerIds: string[]; pickup?: boolean }>;
    expect(pickup).toBe(true);
    await eventually(() => db.query(`SELECT leg FROM transfer_trip WHERE run_id = $1 AND trip_id = $2`, [runId, tripId]), (rows) => rows[0]?.leg === 'dispatched', { what: 'the trip dispatched' });

    const { context, page, errors } = await openPage(browser, 'phone', 'en', config.timeZone);
    await page.goto(`${base}/app/trips/${runId}/${tripId}?lang=en`);
    await logIn(page, escort);
    const person = page.locator(`li[data-traveller="${travellerIds[0]}"]`);
    await person.waitFor({ state: 'visible' });
    expect(await person.locator('[data-action="boarded"]').textContent()).toBe('Picked up at the door');
    await person.locator('[data-action="boarded"]').click();
    await page.locator(`li[data-traveller="${travellerIds[0]}"][data-status="on_board"]`).waitFor();
    const pickups = await db.query(`SELECT status FROM audit_log WHERE actor = $1 AND action = 'POST /transfer-runs/:runId/trips/:tripId/picked-up'`, [escort.username]);
    expect(pickups.map((a: { status: number }) => a.status)).toEqual([200]);
    expect(errors).toEqual([]);
    await context.close();
  });

  /**
   * A gate post with a shift of `hours` starting at each of `starts` (minutes), planned over the local
   * days they fall on, staffed from `logins` (one shift a day each, as the contract limits have it),
   * published with its workflows started; the shift starting at each of `starts`, with its holder.
   */
  async function dutyPost(tag: string, starts: number[], hours: number, logins: Login[]) {
    const skill = `gate-${tag}`;
    const postId = `gate-${tag}`;
    const pattern = starts.map((at) => ({ start: localTime(at, 480), hours })).sort((x, y) => x.start.localeCompare(y.start));
    const days = starts.map((at) => localDate(at, 480)).sort();
    await supervisor
      .post('/roster/posts')
      .send({ id: postId, kind: 'community_gate', name: `Gate ${tag}`, jurisdiction: `Meilong-${tag}`, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 1 }] }, pattern, supervisor: `sup-${tag}`, onCall: [] })
      .expect(200);
    for (const [i, holder] of logins.entries()) {
      await supervisor.post('/roster/staff').send({ id: `guard-${tag}-${i}`, name: holder.displayName, role: 'guard', skills: [skill], accountId: holder.userId }).expect(200);
    }
    const plan = await solvedPlan(supervisor, { from: days[0], to: days[days.length - 1], postIds: [postId], by: 'sup' });
    await supervisor.post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    const rows: Array<{ id: string; staffId: string | null; startAt: Date; started: boolean }> = await eventually(
      () => db.query(`SELECT id, staff_id AS "staffId", start_at AS "startAt", workflow_started AS started FROM roster_shift WHERE post_id = $1`, [postId]),
      (found) => found.length >= starts.length && found.every((r) => r.started),
      { what: 'the shifts’ workflows started' },
    );
    return starts.map((at) => {
      const row = rows.find((r) => r.startAt.getTime() === Math.floor(at / MINUTE) * MINUTE);
      const holder = row?.staffId?.startsWith(`guard-${tag}-`) ? logins[Number(row.staffId.slice(`guard-${tag}-`.length))] : undefined;
      if (!row || !holder) throw new Error(`no shift of the test's staff at ${new Date(at).toISOString()}: ${JSON.stringify(rows)}`);
      return { id: row.id, staffId: row.staffId!, holder, postId };
    });
  }

  it.each(LANGUAGES)('duty staff see their shift, check in, write the hand-over note and report an incident; the incoming guard checks in and acknowledges the note (phone, %s)', async (lang) => {
    const tag = randomUUID().slice(0, 6);
    const guards = [await login('duty_staff', lang === 'en' ? 'Guard Wang' : '值守 王'), await login('duty_staff', lang === 'en' ? 'Guard Zhao' : '值守 赵')];
    // Two short shifts back to back, both with check-in open now (from 30 minutes before the start),
    // on one local day: a guard works one shift a day, so across midnight one guard could hold both.
    const nextMidnight = localMidnight(localDate(Date.now(), 480), 480) + 24 * 60 * MINUTE;
    const start = Date.now() + 20 * MINUTE < nextMidnight ? Date.now() + 5 * MINUTE : nextMidnight;
    const [outgoing, incoming] = await dutyPost(tag, [start, start + 15 * MINUTE], 0.25, guards);
    const postId = outgoing.postId;

    const { context, page, errors } = await openPage(browser, 'phone', lang, config.timeZone);
    await page.goto(`${base}/app/?lang=${lang}`);
    await logIn(page, outgoing.holder);
    await page.waitForURL(/\/app\/duty\//);
    await page.getByTestId('check-in').waitFor();
    expect(await page.getByTestId('my-shifts').textContent()).toContain(postId);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'duty-shift', 'phone', lang);

    await page.click('[data-action="check-in"]');
    await page.getByTestId('checked-in').waitFor();
    expect(await page.getByTestId('duty-state').textContent()).toBe(WORDS[lang].onDuty);
    const note = lang === 'en' ? 'Quiet night; the thermometer battery is low.' : '夜间平稳，登记车辆 12 辆；测温枪电量低。';
    await page.fill('[data-testid="handover-form"] textarea[name="note"]', note);
    await page.click('[data-testid="handover-form"] button[type="submit"]');
    await page.getByTestId('handover-done').waitFor();
    expect(await page.getByTestId('handover-done').textContent()).toContain(note);
    expect(await page.getByTestId('handover-done').textContent()).toContain(WORDS[lang].noteDone);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'duty-handover', 'phone', lang);
    const [shift] = await db.query(`SELECT id, duty_state, checked_in_by, handover_note FROM roster_shift WHERE id = $1`, [outgoing.id]);
    expect(shift).toMatchObject({ duty_state: 'on_duty', checked_in_by: outgoing.staffId, handover_note: note });

    // An incident on the shift: logged once, listed on the page.
    await page.selectOption('[data-testid="incident-form"] select[name="kind"]', 'crowd');
    await page.fill('[data-testid="incident-form"] textarea[name="description"]', '门口聚集 20 余人，已劝散');
    await page.click('[data-testid="incident-form"] button[type="submit"]');
    await page.getByTestId('incident').locator('li', { hasText: '门口聚集 20 余人' }).waitFor();
    const incidents = (await supervisor.get(`/shifts/${shift.id}`).expect(200)).body.state.incidents;
    expect(incidents).toEqual([expect.objectContaining({ kind: 'crowd', by: outgoing.holder.displayName, description: '门口聚集 20 余人，已劝散' })]);
    expect(errors).toEqual([]);
    await context.close();

    // The incoming guard reads the note on their own phone and acknowledges it; the outgoing shift learns it.
    await eventually(() => supervisor.get(`/shifts/${incoming.id}`).expect(200), (r) => r.body.state.received?.note === note, { what: 'the note offered to the incoming shift' });
    const next = await openPage(browser, 'phone', lang, config.timeZone);
    await next.page.goto(`${base}/app/duty/?lang=${lang}`);
    await logIn(next.page, incoming.holder);
    const received = next.page.getByTestId('received');
    await received.waitFor();
    expect(await received.textContent()).toContain(note);
    expect(await received.textContent()).toContain(outgoing.holder.displayName);
    // Taking over comes with being there: the note is acknowledged once checked in.
    expect(await received.locator('[data-action="acknowledge"]').count()).toBe(0);
    await next.page.click('[data-action="check-in"]');
    await next.page.getByTestId('checked-in').waitFor();
    await received.locator('[data-action="acknowledge"]').click();
    await received.locator('.notice-ok', { hasText: WORDS[lang].acknowledged }).waitFor();
    expect(await overflow(next.page)).toBeUndefined();
    await shot(next.page, 'duty-acknowledged', 'phone', lang);
    expect((await supervisor.get(`/shifts/${incoming.id}`).expect(200)).body.state.received).toMatchObject({ by: outgoing.holder.displayName, acknowledgedAt: expect.stringMatching(/Z$/) });
    await eventually(() => supervisor.get(`/shifts/${outgoing.id}`).expect(200), (r) => Boolean(r.body.state.handover.acknowledgedAt), { what: 'the outgoing shift told of the acknowledgement' });
    expect(next.errors).toEqual([]);
    await next.context.close();
  });

  it.each(LANGUAGES)('duty staff ask to swap tomorrow’s shift with a colleague’s, for a supervisor to decide (phone, %s)', async (lang) => {
    const tag = randomUUID().slice(0, 6);
    const guards = [await login('duty_staff', lang === 'en' ? 'Guard Sun' : '值守 孙'), await login('duty_staff', lang === 'en' ? 'Guard Qian' : '值守 钱')];
    const tomorrow = localMidnight(localDate(Date.now() + 24 * 60 * MINUTE, 480), 480);
    const shifts = await dutyPost(tag, [tomorrow + 8 * 60 * MINUTE, tomorrow + 16 * 60 * MINUTE], 8, guards);
    const mine = shifts.find((s) => s.holder === guards[0])!;
    const theirs = shifts.find((s) => s.holder === guards[1])!;

    const { context, page, errors } = await openPage(browser, 'phone', lang, config.timeZone);
    await page.goto(`${base}/app/duty/?lang=${lang}`);
    await logIn(page, guards[0]);
    const form = page.getByTestId('swap-form');
    await form.waitFor();
    // The colleague's shift offered by their name.
    expect(await form.locator(`option[value="${theirs.id}"]`).textContent()).toContain(guards[1].displayName);
    await form.locator('select[name="otherShiftId"]').selectOption(theirs.id);
    await form.locator('input[name="swapNote"]').fill(lang === 'en' ? 'Family matter in the morning' : '上午家中有事');
    await form.locator('button[type="submit"]').click();
    await page.getByTestId('swap-done').waitFor();
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'duty-swap', 'phone', lang);
    // Opened again, the page shows the request waiting for a supervisor instead of a second form.
    await page.reload();
    const waiting = page.getByTestId('swap-pending');
    await waiting.waitFor();
    expect(await waiting.textContent()).toContain(guards[1].displayName);
    expect(await page.getByTestId('swap-form').count()).toBe(0);
    await shot(page, 'duty-swap-pending', 'phone', lang);
    // Asked by me; if approved, my shift goes to the colleague (and theirs to me).
    const requests = await db.query(`SELECT kind, other_shift_id, staff_id, requested_by, state, note FROM roster_request WHERE shift_id = $1`, [mine.id]);
    expect(requests).toEqual([{ kind: 'swap', other_shift_id: theirs.id, staff_id: theirs.staffId, requested_by: mine.staffId, state: 'pending', note: lang === 'en' ? 'Family matter in the morning' : '上午家中有事' }]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it.each(LANGUAGES)('a message reaches the inbox with its live unread count and is marked read (desktop, %s)', async (lang) => {
    // A dispatcher of a subdistrict of their own: the runs of the tests before, still under way, tell
    // the district's dispatchers of their exceptions, and the count must follow this message alone.
    const reader = await login('dispatcher', lang === 'en' ? 'Dispatcher Zhao' : '调度 赵', { subdistrict: `IB${randomUUID().slice(0, 4)}` });
    const { context, page, errors } = await openPage(browser, 'desktop', lang, config.timeZone);
    await page.goto(`${base}/app/inbox/?lang=${lang}`);
    await logIn(page, reader);
    await page.getByTestId('inbox').waitFor();
    expect(await page.getByTestId('unread-count').isVisible()).toBe(false);

    // A message arrives while the page is open: the count in the top bar and the list follow it.
    const id = `web-inbox:${randomUUID()}`;
    const outbox = api.get(NotificationOutbox, { strict: false });
    await db.transaction((m) =>
      outbox.enqueue(m, [{ id, recipient: { account: reader.userId }, template: 'fever_alert', params: { observationNumber: 'XYL-C-1', personName: '张伟', temperature: 38.4, reportedAt: '08:10', symptoms: '-' }, concerns: { kind: 'trip', id: 'run-1/trip-01' } }]),
    );
    await eventually(() => page.getByTestId('unread-count').textContent(), (text) => text === '1', { what: 'the live unread count', timeoutMs: 30_000 });
    const message = page.locator(`[data-message="${id}"]`);
    await message.waitFor();
    expect(await message.textContent()).toContain('38.4');
    expect(await message.textContent()).toContain(WORDS[lang].unread);
    expect(await message.locator('a.open').getAttribute('href')).toBe('/app/trips/run-1/trip-01');
    await shot(page, 'inbox-unread', 'desktop', lang);

    await message.locator('[data-action="read"]').click();
    await page.locator(`li.read[data-message="${id}"]`).waitFor();
    await eventually(() => page.getByTestId('unread-count').isVisible(), (visible) => !visible, { what: 'the count gone' });
    const [row] = await db.query(`SELECT read_at FROM notification WHERE id = $1 AND channel = 'outbox'`, [id]);
    expect(row.read_at).toBeInstanceOf(Date);
    await shot(page, 'inbox-read', 'desktop', lang);
    expect(errors).toEqual([]);
    await context.close();
  });
});
