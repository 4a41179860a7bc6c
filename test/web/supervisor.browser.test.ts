/**
 * The supervisor's page in a real browser (Debian's Chromium driven by playwright-core) against the
 * real API, worker, dev server and PostgreSQL, at desktop size (1440×900) in zh-CN and en: one login at
 * /app/ lands on /app/supervisor/ (with a link to the dashboard); a fever escalation is first on the
 * list, a decision without a choice is refused beside its field, then "hospital" is decided from the
 * page; the peace/war switch is previewed, the data moves (the post's supervisor changes over the
 * API), the confirm shows the new preview instead of switching, and its confirm does exactly that
 * one; a policy rollout is previewed, moved, previewed again and confirmed, with its progress; the
 * daily reports as charts, yesterday's marked received; a policy version created from its form; a post's roster as a chart with its gaps marked;
 * the shift requests to decide, a swap approved at desktop size and another, whose shift changed hands
 * since, rejected with its reason on a phone.
 * Screenshots go to test-results/web/.
 */
import { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import { addDays, localDate } from '../../libs/domain/local-time';
import { DAILY_REPORT_SCHEDULE_ID, ensureSchedules } from '../../libs/temporal/schedules';
import { Http, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { allDayPolicy, enrolmentRequest, moveToPolicy } from '../support/observation-fixtures';
import { solvedPlan } from '../roster/roster-fixtures';
import { registerResources } from '../transfer/transfer-fixtures';
import { launchBrowser, logIn, openPage, overflow, SHOTS, ViewportName } from './browser';
import { systemPerFile } from '../support/system';

jest.setTimeout(240_000);

type Language = 'zh-CN' | 'en';

const WORDS = {
  'zh-CN': { hospital: '已决定：送医', war: '当前：战时', peace: '当前：平时', rolloutDone: '推广完成', sent: '已发送', received: '已收到' },
  en: { hospital: 'Decided: Hospital', war: 'Now: war time', peace: 'Now: peace time', rolloutDone: 'Rollout done', sent: 'sent', received: 'received' },
};

describe('supervisor page in Chromium (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const suffix = Date.now() % 100_000;
  const tag = `sv${suffix}`;
  const community = `督导页${suffix}社区`;
  const account = { username: `web-sup-${suffix}`, displayName: '王督导', password: `sup-pass-${suffix}-x` };
  const jurisdiction = `community-${tag}`;
  const gate = `gate-${tag}`;
  const clinic = `clinic-${tag}`;
  const skill = `gate-${tag}`;
  let api: INestApplication;
  let db: DataSource;
  let supervisor: Http;
  let base: string;
  let browser: Browser;
  let policyId: string;
  let client: Client;
  const today = () => localDate(Date.now(), 480);

  async function enrol(name: string, category: 'B' | 'C' = 'B', place = community, subdistrict = 'XYL'): Promise<string> {
    const body = { ...enrolmentRequest({ name, category, anchorDate: today(), responsibleWorker: '李社工' }), address: { subdistrict, community: place, building: '5', unit: '1', detail: '301' } };
    return (await supervisor.post('/persons').send(body).expect(201)).body.observationNumber;
  }

  /** Someone with a fever reported now: a fever escalation on the supervisor's list. */
  async function feverish(name: string, subdistrict?: string): Promise<string> {
    const number = await enrol(name, 'B', community, subdistrict);
    await moveToPolicy(supervisor, db, number, policyId);
    await supervisor.post(`/observations/${number}/reports`).send({ temperature: 38.6 }).expect(201);
    await eventually(() => db.query(`SELECT 1 FROM escalation WHERE observation_number = $1 AND kind = 'fever'`, [number]), (rows) => rows.length === 1, { what: 'fever escalation' });
    return number;
  }

  /** Logged in at /app/ as the supervisor, landed on the supervisor's page. */
  async function supervisorPage(lang: Language, viewport: ViewportName = 'desktop'): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const { context, page, errors } = await openPage(browser, viewport, lang, config.timeZone);
    await page.goto(`${base}/app/?lang=${lang}`);
    await logIn(page, account);
    await page.waitForURL(/\/app\/supervisor\//);
    await page.getByTestId('escalations-health').waitFor({ state: 'visible' });
    return { page, errors, close: () => context.close() };
  }

  async function shot(page: Page, name: string, lang: Language, viewport: ViewportName = 'desktop'): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `supervisor-${name}-${viewport}-${lang}.png`), fullPage: true });
  }

  const gatePost = (postSupervisor: string) => ({ id: gate, kind: 'community_gate', name: `门岗 ${tag}`, jurisdiction, requirements: { peace: [{ skill, headcount: 1 }], war: [{ skill, headcount: 2 }] }, supervisor: postSupervisor, onCall: [] });

  // Declared before the system: after-all hooks run in order, so this runs while the API's client is
  // open, and the browser (a page left open by a failed test keeps its event stream) closes before the API.
  afterAll(async () => {
    await client?.schedule.getHandle(DAILY_REPORT_SCHEDULE_ID).delete().catch(() => undefined);
    await browser?.close();
  });

  systemPerFile(async (system) => {
    ({ api, db, base, client } = system);
    supervisor = await supervisorHttp(api);
    // District-wide: rollouts and the daily report are the district's.
    await api.get(UsersService).create({ ...account, role: 'supervisor', subdistrict: null, community: null });
    policyId = await allDayPolicy(supervisor, db, 'B');
    // XYL's own hospital, van and escort: the "hospital" decision fetches the person (test/transfer/pickup.workflow.test.ts).
    const fleet = await registerResources(db, { destinations: [{ destinationId: 'HOSP', kind: 'hospital', name: `医院 ${tag}`, travelMinutes: 20 }], vehicles: [{ vehicleId: 'V1', seats: 4 }], escorts: [{ escortId: 'E1' }] });
    await db.query(`UPDATE transfer_destination SET subdistrict = 'XYL' WHERE id = $1`, [fleet.destination('HOSP')]);
    await db.query(`UPDATE transfer_vehicle SET subdistrict = 'XYL' WHERE id = ANY($1)`, [fleet.vehicleIds]);
    await db.query(`UPDATE transfer_escort SET subdistrict = 'XYL' WHERE id = ANY($1)`, [fleet.escortIds]);

    // A gate (two seats in war time) and a clinic whose medic seat nobody can take (a gap), published from tomorrow.
    await supervisor.post('/roster/posts').send(gatePost(`sup-${tag}`)).expect(200);
    await supervisor
      .post('/roster/posts')
      .send({ id: clinic, kind: 'on_call_desk', name: `诊室 ${tag}`, jurisdiction, requirements: { peace: [{ skill: `medic-${tag}`, headcount: 1 }], war: [{ skill: `medic-${tag}`, headcount: 1 }] }, pattern: [{ start: '08:00', hours: 8 }], supervisor: `sup-${tag}` })
      .expect(200);
    for (const [i, id] of ['p', 'q', 'r', 's'].map((s) => `${s}-${tag}`).entries()) {
      await supervisor.post('/roster/staff').send({ id, name: `值守${i + 1}`, role: 'guard', skills: [skill], mobile: `1390${String(suffix).padStart(6, '0')}${i}` }).expect(200);
    }
    const tomorrow = addDays(today(), 1);
    const plan = await solvedPlan(supervisor, { from: tomorrow, to: addDays(tomorrow, 2), postIds: [gate, clinic], by: 'sup' });
    await supervisor.post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    browser = await launchBrowser();
  }, { config, listen: true, timeoutMs: 300_000 });

  it('says why a "hospital" decision fetched nobody: the escalation stays open with the reason beside it', async () => {
    // A subdistrict with no vehicle or escort of its own.
    const number = await feverish('发热无车', `NV${suffix}`);
    const { page, errors, close } = await supervisorPage('en');
    await page.getByTestId('escalations-health').locator(`a[data-number="${number}"]`).click();
    await page.getByTestId('person-name').waitFor({ state: 'visible' });
    const decide = page.getByTestId('decide-fever');
    await decide.locator('input[name="decision"][value="hospital"]').check();
    await decide.locator('button[type="submit"]').click();
    await page.getByTestId('done').waitFor({ state: 'visible' });
    expect(await page.getByTestId('done').textContent()).toContain('no vehicle available');
    // Drawn again as it stands: still to decide, the reason beside it.
    await page.getByTestId('escalation-resolution').waitFor({ state: 'visible' });
    expect(await page.getByTestId('escalation-resolution').textContent()).toBe('hospital decided; no pick-up: no vehicle available; no escort available');
    expect(await page.getByTestId('decide-fever').count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it.each<Language>(['zh-CN', 'en'])('decides a fever escalation "hospital" from the page (%s)', async (lang) => {
    const name = lang === 'en' ? '发热英' : '发热中';
    const number = await feverish(name);
    const { page, errors, close } = await supervisorPage(lang);
    expect(await page.getByTestId('dashboard-link').getAttribute('href')).toBe('/dashboard');
    const health = page.getByTestId('escalations-health');
    expect(await health.textContent()).toContain(name);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'escalations', lang);

    await health.locator(`a[data-number="${number}"]`).click();
    await page.getByTestId('person-name').waitFor({ state: 'visible' });
    expect(await page.getByTestId('person-name').textContent()).toBe(name);
    expect(await page.locator('[data-testid="sheet-chart"] circle.reading').count()).toBe(1);

    // No decision chosen: refused beside the choices, nothing decided.
    const decide = page.getByTestId('decide-fever');
    await decide.locator('button[type="submit"]').click();
    await page.getByTestId('error-decision').waitFor({ state: 'visible' });
    expect(await page.getByTestId('error-decision').textContent()).toMatch(/decision/);
    await decide.locator('input[name="decision"][value="hospital"]').check();
    await decide.locator('input[name="note"]').fill('送定点医院');
    await decide.locator('button[type="submit"]').click();
    await page.getByTestId('done').waitFor({ state: 'visible' });
    expect(await page.getByTestId('done').textContent()).toBe(WORDS[lang].hospital);
    await shot(page, 'decided', lang);
    const [escalation] = await eventually(() => db.query(`SELECT state, resolution, decided_by AS "decidedBy" FROM escalation WHERE observation_number = $1 AND kind = 'fever'`, [number]), (rows) => rows[0]?.state === 'resolved', { what: 'the decision recorded' });
    expect(escalation).toMatchObject({ resolution: expect.stringContaining('hospital'), decidedBy: account.displayName });
    // Drawn again as it now stands: nothing left to decide for this person.
    await page.getByTestId('decide-fever').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await close();
  });

  it('previews the war-time switch, shows the new preview when the data moved, and confirms exactly that', async () => {
    const { page, errors, close } = await supervisorPage('zh-CN');
    await page.goto(`${base}/app/supervisor/#/mode/${encodeURIComponent(jurisdiction)}`);
    await page.getByTestId('mode-now').waitFor({ state: 'visible' });
    expect(await page.getByTestId('mode-now').textContent()).toBe(WORDS['zh-CN'].peace);
    // No reason: refused beside the field, no preview.
    await page.click('[data-testid="mode-form"] button[type="submit"]');
    await page.getByTestId('error-reason').waitFor({ state: 'visible' });
    await page.fill('[data-testid="mode-form"] input[name="reason"]', '出现本地病例');
    await page.click('[data-testid="mode-form"] button[type="submit"]');
    const preview = page.getByTestId('preview');
    await preview.waitFor({ state: 'visible' });
    const first = await preview.getAttribute('data-preview-id');
    // The gate gets a second seat on each of its 9 published shifts; nothing has changed yet.
    expect(await page.getByTestId('count-shifts').locator('strong').textContent()).toBe('9');
    const shiftsNow = async () => (await db.query(`SELECT count(*)::int AS n FROM roster_shift WHERE post_id = ANY($1) AND status = 'published'`, [[gate, clinic]]))[0].n;
    const before = await shiftsNow();
    await shot(page, 'mode-preview', 'zh-CN');

    // The data moves: the gate's supervisor changes, so someone else is told.
    await supervisor.post('/roster/posts').send(gatePost(`sup2-${tag}`)).expect(200);
    await page.getByTestId('confirm').click();
    await page.getByTestId('preview-moved').waitFor({ state: 'visible' });
    const second = await page.getByTestId('preview').getAttribute('data-preview-id');
    expect(second).not.toBe(first);
    expect(await page.getByTestId('preview-notices').textContent()).toContain(`sup2-${tag}`);
    expect(await shiftsNow()).toBe(before);
    expect((await supervisor.get(`/jurisdictions/${jurisdiction}/mode`).expect(200)).body.mode).toBe('peace');
    await shot(page, 'mode-moved', 'zh-CN');
    const added = await page.locator('[data-testid="preview-added"] li').allTextContents();
    expect(added).toHaveLength(9);

    await page.getByTestId('confirm').click();
    await page.getByTestId('mode-switched').waitFor({ state: 'visible' });
    // Exactly what the preview shown showed: its added shifts, published now.
    expect(await shiftsNow()).toBe(before + 9);
    const published = await db.query(`SELECT id FROM roster_shift WHERE id = ANY($1) AND status = 'published'`, [added]);
    expect(published.map((r: { id: string }) => r.id).sort()).toEqual([...added].sort());
    const mode = (await supervisor.get(`/jurisdictions/${jurisdiction}/mode`).expect(200)).body;
    expect(mode).toMatchObject({ mode: 'war', switches: [expect.objectContaining({ from: 'peace', to: 'war', by: account.displayName, reason: '出现本地病例' })] });
    // The page reads the mode again: war time now.
    await eventually(() => page.getByTestId('mode-now').textContent(), (text) => text === WORDS['zh-CN'].war, { what: 'the mode drawn again' });
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'mode-switched', 'zh-CN');

    // The post's roster as a chart: war time's second gate seats, the clinic's seats marked as gaps.
    await page.click(`a[href="#/roster/${encodeURIComponent(clinic)}"]`);
    await page.getByTestId('roster-chart').waitFor({ state: 'visible' });
    expect(await page.locator('[data-testid="roster-chart"] g.seat.gap').count()).toBe(3);
    expect(await page.getByTestId('roster-gaps').textContent()).toContain('3');
    await shot(page, 'roster-clinic', 'zh-CN');
    await page.goto(`${base}/app/supervisor/#/roster/${encodeURIComponent(gate)}`);
    await page.getByTestId('roster-chart').waitFor({ state: 'visible' });
    // Every seat of war time drawn: the rostered ones filled, the ones nobody could take marked as gaps.
    const seats = (await supervisor.get('/shifts').query({ postId: gate, pageSize: 500 }).expect(200)).body.items.filter((s: { status: string }) => s.status === 'published');
    const unfilled = seats.filter((s: { staffId: string | null }) => !s.staffId).length;
    expect(seats).toHaveLength(18);
    expect(await page.locator('[data-testid="roster-chart"] g.seat.filled').count()).toBe(18 - unfilled);
    expect(await page.locator('[data-testid="roster-chart"] g.seat.gap').count()).toBe(unfilled);
    // A seat names who holds it.
    expect(await page.locator('[data-testid="roster-chart"] g.seat.filled text').first().textContent()).toMatch(/^值守\d+$/);
    await shot(page, 'roster-gate', 'zh-CN');
    expect(errors).toEqual([]);
    await close();
  });

  it('creates a policy version from the form, each refused rule beside its field (zh-CN)', async () => {
    const [{ after }] = await db.query(`SELECT to_char(greatest(max(effective_from) + 1, '2098-01-01'), 'YYYY-MM-DD') AS after FROM observation_policy WHERE category = 'D'`);
    const { page, errors, close } = await supervisorPage('zh-CN');
    await page.click('nav.views a[data-view="policies"]');
    const form = page.getByTestId('policy-form');
    await form.waitFor({ state: 'visible' });
    await form.locator('select[name="category"]').selectOption('D');
    await form.locator('input[name="effectiveFrom"]').fill(after);
    await form.locator('input[name="rules.slots"]').fill('');
    await form.locator('button[type="submit"]').click();
    await page.getByTestId('error-rules.slots').waitFor({ state: 'visible' });
    expect(await page.getByTestId('error-rules.slots').textContent()).toBe('needs at least one check-in slot');
    expect(await db.query(`SELECT 1 FROM observation_policy WHERE category = 'D' AND effective_from = $1`, [after])).toEqual([]);
    await shot(page, 'policy-refused', 'zh-CN');

    await form.locator('input[name="rules.slots"]').fill('07:00-09:00, 15:00-17:00');
    await form.locator('button[type="submit"]').click();
    await form.getByTestId('done').waitFor({ state: 'visible' });
    const [created] = await db.query(`SELECT id, rules FROM observation_policy WHERE category = 'D' AND effective_from = $1`, [after]);
    expect(created.rules).toMatchObject({ periodDays: 14, slots: [{ start: '07:00', end: '09:00' }, { start: '15:00', end: '17:00' }], feverThreshold: 37.3 });
    expect(await form.getByTestId('done').textContent()).toBe(`已创建 ${created.id}`);
    // The list is read again with the new version in it.
    await page.locator(`tr[data-policy="${created.id}"]`).waitFor({ state: 'visible' });
    expect(errors).toEqual([]);
    await close();
  });

  it('previews a policy rollout, shows the new preview when someone was enrolled meanwhile, confirms, and follows its progress (en)', async () => {
    const place = `推广${suffix}社区`;
    const rollout = await allDayPolicy(supervisor, db, 'C');
    const first = [await enrol('推广一', 'C', place), await enrol('推广二', 'C', place)];
    const { page, errors, close } = await supervisorPage('en');
    await page.click('nav.views a[data-view="policies"]');
    const row = page.locator(`tr[data-policy="${rollout}"]`);
    await row.waitFor({ state: 'visible' });
    await row.locator('button[data-action="rollout"]').click();
    await page.fill('[data-testid="rollout-form"] input[name="community"]', place);
    await page.click('[data-testid="rollout-form"] button[type="submit"]');
    await page.getByTestId('preview').waitFor({ state: 'visible' });
    expect(await page.getByTestId('count-observations').locator('strong').textContent()).toBe('2');
    await shot(page, 'rollout-preview', 'en');

    const third = await enrol('推广三', 'C', place);
    await page.getByTestId('confirm').click();
    await page.getByTestId('preview-moved').waitFor({ state: 'visible' });
    expect(await page.getByTestId('count-observations').locator('strong').textContent()).toBe('3');
    expect(await db.query(`SELECT count(*)::int AS n FROM observation WHERE community = $1 AND policy_id = $2`, [place, rollout])).toEqual([{ n: 0 }]);

    await page.getByTestId('confirm').click();
    const progress = page.getByTestId('rollout-progress');
    await eventually(() => progress.textContent(), (text) => Boolean(text?.startsWith(WORDS.en.rolloutDone)), { what: 'the rollout done on the page', timeoutMs: 60_000 });
    expect(await progress.textContent()).toContain('3 of 3 moved, 0 skipped');
    const moved = await db.query(`SELECT number FROM observation WHERE community = $1 AND policy_id = $2 ORDER BY number`, [place, rollout]);
    expect(moved.map((r: { number: string }) => r.number)).toEqual([...first, third].sort());
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'rollout-done', 'en');
    expect(errors).toEqual([]);
    await close();
  });

  it.each<Language>(['en', 'zh-CN'])('shows the daily reports of the last 7 days as charts, each day with its state, and marks one received (%s)', async (lang) => {
    // Yesterday's report made and sent by the daily schedule, not yet confirmed by anyone.
    const yesterday = addDays(today(), -1);
    await ensureSchedules(client, config);
    await client.schedule.getHandle(DAILY_REPORT_SCHEDULE_ID).trigger();
    await eventually(async () => (await supervisor.get('/reports/daily').query({ from: yesterday, to: yesterday }).expect(200)).body[0], (s) => s.state === 'sent' || s.state === 'received', { what: 'the report sent', timeoutMs: 30_000 });
    await db.query(`UPDATE daily_report SET received_at = NULL, received_by = NULL WHERE report_date = $1`, [yesterday]);

    const { page, errors, close } = await supervisorPage(lang);
    await page.click('nav.views a[data-view="report"]');
    await page.getByTestId('daily-reports').waitFor({ state: 'visible' });
    expect(await page.locator('[data-testid="daily-reports"] tbody tr').count()).toBe(7);
    // Yesterday's report drawn in both charts: a bar for each status it counts, covered and missed shifts.
    const report = (await supervisor.get(`/reports/daily/${yesterday}`).expect(200)).body;
    const label = yesterday.slice(5);
    const drawn = async (chart: string) => (await page.locator(`[data-testid="${chart}"] rect title`).allTextContents()).filter((title) => title.startsWith(`${label} `));
    expect(await drawn('chart-observations')).toHaveLength(4);
    expect(await drawn('chart-shifts')).toEqual([expect.stringMatching(new RegExp(`: ${report.shifts.covered}$`)), expect.stringMatching(new RegExp(`: ${report.shifts.missed}$`))]);
    const row = page.locator(`tr[data-date="${yesterday}"]`);
    expect(await row.getByTestId('report-state').textContent()).toBe(WORDS[lang].sent);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'report', lang);

    await row.locator('button[data-action="received"]').click();
    await eventually(() => page.locator(`tr[data-date="${yesterday}"]`).getByTestId('report-state').textContent(), (text) => text === WORDS[lang].received, { what: 'the report shown received' });
    expect((await supervisor.get('/reports/daily').query({ from: yesterday, to: yesterday }).expect(200)).body[0]).toMatchObject({ state: 'received', receivedBy: account.username });
    expect(errors).toEqual([]);
    await close();
  });

  it('lists the shift requests to decide: a swap approved at desktop size (zh-CN), another rejected with its reason on a phone (en)', async () => {
    // A post of its own, one 8-hour shift a day for four days, its two guards alternating.
    const post = `swap-${tag}`;
    await supervisor.post('/roster/posts').send({ id: post, kind: 'community_gate', name: `换班岗 ${tag}`, jurisdiction, requirements: { peace: [{ skill: post, headcount: 1 }], war: [{ skill: post, headcount: 1 }] }, pattern: [{ start: '08:00', hours: 8 }], supervisor: `sup-${tag}`, onCall: [] }).expect(200);
    const guards = [`a-${tag}`, `b-${tag}`];
    for (const [i, id] of guards.entries()) await supervisor.post('/roster/staff').send({ id, name: ['周岗', '吴岗'][i], role: 'guard', skills: [post], mobile: `1380${String(suffix).padStart(6, '0')}${i}` }).expect(200);
    const from = addDays(today(), 10);
    const plan = await solvedPlan(supervisor, { from, to: addDays(from, 3), postIds: [post], by: 'sup' });
    await supervisor.post(`/rosters/${plan.id}/publish`).send({ by: 'sup' }).expect(200);
    const shifts: Array<{ id: string }> = await db.query(`SELECT id FROM roster_shift WHERE post_id = $1 AND status = 'published' ORDER BY start_at`, [post]);
    expect(shifts).toHaveLength(4);
    for (const [i, shift] of shifts.entries()) await db.query(`UPDATE roster_shift SET staff_id = $2 WHERE id = $1`, [shift.id, guards[i % 2]]);
    const ask = async (give: number, take: number) =>
      (await supervisor.post('/shift-requests').send({ kind: 'swap', shiftId: shifts[give].id, otherShiftId: shifts[take].id, requestedBy: guards[give % 2], note: `第${give + 1}天家里有事` }).expect(201)).body.id as string;
    const [approving, rejecting] = [await ask(0, 1), await ask(2, 3)];
    // The supervisor's inbox has each, pointing at the list.
    const inbox = (await supervisor.get('/inbox').query({ pageSize: 100 }).expect(200)).body.items.filter((m: { concerns?: { id: string } }) => [approving, rejecting].includes(m.concerns?.id ?? ''));
    expect(inbox.map((m: { link: string }) => m.link)).toEqual(['/app/supervisor/#/requests', '/app/supervisor/#/requests']);

    const desk = await supervisorPage('zh-CN');
    await desk.page.click('nav.views a[data-view="requests"]');
    const item = desk.page.locator(`li[data-request="${approving}"]`);
    await item.waitFor({ state: 'visible' });
    // Asked by the first day's guard, who would take the second day's shift.
    expect(await item.textContent()).toContain('周岗 申请与 吴岗 换班');
    expect(await desk.page.locator(`li[data-request="${rejecting}"]`).count()).toBe(1);
    expect(await overflow(desk.page)).toBeUndefined();
    await shot(desk.page, 'requests', 'zh-CN');
    await item.locator('button[data-action="approve"]').click();
    await item.getByTestId('done').waitFor({ state: 'visible' });
    expect(await item.getByTestId('done').textContent()).toBe('已批准：班次已按申请调整，双方已收到通知');
    const holders = async (ids: string[]) => (await db.query(`SELECT staff_id FROM roster_shift WHERE id = ANY($1) ORDER BY start_at`, [ids])).map((r: { staff_id: string }) => r.staff_id);
    expect(await holders([shifts[0].id, shifts[1].id])).toEqual([guards[1], guards[0]]);
    // Drawn again without it.
    await eventually(() => desk.page.locator(`li[data-request="${approving}"]`).count(), (n) => n === 0, { what: 'the approved request gone from the list' });
    expect(desk.errors).toEqual([]);
    await desk.close();

    // The fourth day given to the first guard since: the other request no longer fits as asked.
    await db.query(`UPDATE roster_shift SET staff_id = $2 WHERE id = $1`, [shifts[3].id, guards[0]]);
    const phone = await supervisorPage('en', 'phone');
    await phone.page.click('nav.views a[data-view="requests"]');
    const other = phone.page.locator(`li[data-request="${rejecting}"]`);
    await other.waitFor({ state: 'visible' });
    expect(await other.getByTestId('changed-hands').textContent()).toMatch(/^A shift has changed hands since this was asked/);
    expect(await other.locator('button[data-action="approve"]').count()).toBe(0);
    await other.locator('input[name="note"]').fill('short of guards that week');
    expect(await overflow(phone.page)).toBeUndefined();
    await shot(phone.page, 'requests', 'en', 'phone');
    await other.locator('button[data-action="reject"]').click();
    await other.getByTestId('done').waitFor({ state: 'visible' });
    expect(await other.getByTestId('done').textContent()).toBe('Rejected: both were told');
    expect((await supervisor.get(`/shift-requests/${rejecting}`).expect(200)).body).toMatchObject({ state: 'rejected', decidedBy: account.displayName, decisionNote: 'short of guards that week' });
    expect(await holders([shifts[2].id, shifts[3].id])).toEqual([guards[0], guards[0]]);
    expect(phone.errors).toEqual([]);
    await phone.close();
  });
});
