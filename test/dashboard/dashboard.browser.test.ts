/**
 * The supervisors' dashboard in a real browser (Debian's Chromium driven by playwright-core)
 * against the real API, worker, dev server and PostgreSQL: the page asks for a login first (and
 * says why a login failed); logged in as a district-wide supervisor, people enrolled over HTTP show
 * in the counts and the list, a drill-down shows the live workflow state and the tracking log, the
 * page speaks English on request and follows a new enrolment without a reload; after a logout a
 * community worker sees only their own community, and calm notices for what their role does not cover.
 * A running transfer run opens from the transfers panel (live state, exceptions, the people by name,
 * as a drill-down shows a record in full), one of its trips from the run (riders), and a post's current shift from the posts panel
 * (live state, what is pending, the event log); the drawers follow the API without a reload.
 * Screenshots go to test-results/dashboard/.
 */
import { INestApplication } from '@nestjs/common';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import { Http, httpAs, signIn } from '../support/auth';
import { CHROMIUM_LAUNCH, ensureChromium } from '../support/chromium';
import { testConfig } from '../support/environment';
import { enrolmentRequest } from '../support/observation-fixtures';
import { PostNow, publishPostNow, RunningTransfer, startRunningTransfer } from './drill-down-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

const SHOTS = resolve(__dirname, '../../test-results/dashboard');
const REFRESH_WAIT_MS = 20_000;

/** Waits until the locator's text passes the check (the page refreshes itself every 5 s). */
async function textOf(locator: Locator, check: (text: string) => boolean, timeoutMs = REFRESH_WAIT_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = ((await locator.count()) ? await locator.first().textContent() : '') ?? '';
    if (check(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('supervisors dashboard in Chromium (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const suffix = Date.now() % 100_000;
  const gapSubdistrict = `GAP${suffix}`;
  const community = `学院路看板${suffix}社区`;
  /** The same subdistrict, another community: a community worker of `community` must not see it. */
  const otherCommunity = `清华园看板${suffix}社区`;
  const supervisor = { username: `dash-sup-${suffix}`, displayName: '王督导', password: `sup-pass-${suffix}-x` };
  const communityWorker = { username: `dash-cw-${suffix}`, displayName: '李社工', password: `cw-pass-${suffix}-x` };
  const dispatcher = { username: `dash-disp-${suffix}`, displayName: '赵调度', password: `disp-pass-${suffix}-x` };
  let communityWorkerId: string;
  let api: INestApplication;
  let http: Http;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];
  const numbers: string[] = [];
  let otherNumber: string;
  let transfer: RunningTransfer;
  let post: PostNow;

  async function enrolIn(where: string, name: string, category: 'A' | 'B' | 'C' | 'D'): Promise<string> {
    const body = { ...enrolmentRequest({ name, category }), address: { subdistrict: 'XYL', community: where, building: '5', unit: '1' } };
    const response = await http.post('/persons').send(body);
    expect(response.status).toBe(201);
    return (response.body as { observationNumber: string }).observationNumber;
  }

  async function enrol(name: string, category: 'A' | 'B' | 'C' | 'D'): Promise<string> {
    const observationNumber = await enrolIn(community, name, category);
    numbers.push(observationNumber);
    return observationNumber;
  }

  async function logIn(account: { username: string; password: string }): Promise<void> {
    await page.fill('input[name="username"]', account.username);
    await page.fill('input[name="password"]', account.password);
    await page.click('#login-submit');
  }

  systemPerFile(async (system) => {
    ({ api, base } = system);
    ensureChromium();
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'epi-dashboard-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM_LAUNCH,
      viewport: { width: 1440, height: 1000 },
      locale: 'zh-CN',
      timezoneId: config.timeZone,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const users = api.get(UsersService);
    await users.create({ ...supervisor, role: 'supervisor', subdistrict: null, community: null });
    communityWorkerId = ((await users.create({ ...communityWorker, role: 'community_worker', subdistrict: 'XYL', community })) as { id: string }).id;
    await users.create({ ...dispatcher, role: 'dispatcher', subdistrict: null, community: null });
    http = httpAs(api, await signIn(api, 'supervisor'));
    await enrol('张伟', 'A');
    await enrol('王芳', 'C');
    await enrol('欧阳娜娜', 'C');
    otherNumber = await enrolIn(otherCommunity, '孙丽', 'A');
    // A guard posted in a community with no staff of its own: a guard post nobody can staff.
    await http.post(`/observations/${otherNumber}/measures`).send({ measure: 'warning_talk', by: '王督导' }).expect(200);
    await http.post(`/observations/${otherNumber}/measures`).send({ measure: 'guard_posted', by: '王督导' }).expect(200);
    // A transfer run under way: one person on board the community trip, the other reported later.
    transfer = await startRunningTransfer(http, String(suffix), { subdistrict: 'XYL', community }, { home: ['陈晓明', '刘洋'], hotel: ['欧阳小雪', '黄磊'] }, { dispatcher: '赵调度', supervisor: '王督导' });
    const [boarding] = transfer.homeTrip.travellerIds;
    await http.post(`/transfer-runs/${transfer.runId}/trips/${transfer.homeTrip.tripId}/boarded`).send({ travellerId: boarding, by: transfer.escort }).expect(200);
    // A post with two seats now: the first checked in, the second still awaited.
    post = await publishPostNow(http, String(suffix), community, config.timeZone, '王督导');
    await http.post(`/shifts/${post.current[0].id}/check-in`).send({ staffId: post.current[0].staffId }).expect(200);
    // A subdistrict whose medical desk nobody holds: its fever alerts went to its supervisors.
    await api.get(DataSource).query(`INSERT INTO routing_gap (role, subdistrict, routed_to, messages) VALUES ('medical', $1, $2, 2)`, [gapSubdistrict, `supervisor of subdistrict ${gapSubdistrict}`]);
  }, { config, listen: true, timeoutMs: 900_000 });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('asks for a login first, and says why a login failed', async () => {
    await page.goto(`${base}/dashboard`);
    expect(await page.locator('h1').textContent()).toBe('疫情防控指挥看板');
    const form = page.getByTestId('login-form');
    await form.waitFor({ state: 'visible' });
    expect(await form.innerText()).toContain('请使用您的工作账号登录');
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    expect(await page.getByTestId('user').isVisible()).toBe(false);
    expect(await page.getByTestId('login-error').isVisible()).toBe(false);
    await page.screenshot({ path: join(SHOTS, '0-login-zh.png') });

    await logIn({ username: supervisor.username, password: 'not-the-password' });
    expect(await textOf(page.getByTestId('login-error'), (t) => t.length > 0)).toBe('用户名或密码错误');
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    expect(await page.locator('input[name="username"]').inputValue()).toBe(supervisor.username);
    expect(await page.locator('input[name="password"]').inputValue()).toBe('');
    await page.screenshot({ path: join(SHOTS, '0-login-wrong-password-zh.png') });
    expect(pageErrors).toEqual([]);
  });

  it('shows the enrolled people in the counts and, filtered by community, in the masked list', async () => {
    await logIn(supervisor);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(await page.getByTestId('login-form').isVisible()).toBe(false);
    expect(await page.getByTestId('user-name').textContent()).toBe('王督导');
    expect(await page.getByTestId('user-scope').textContent()).toBe('指挥部督导 · 全区');
    expect(await page.getByTestId('logout').textContent()).toBe('退出登录');
    const total = await textOf(page.getByTestId('count-underObservation'), (t) => Number(t) >= 3);
    expect(Number(total)).toBeGreaterThanOrEqual(3);

    await textOf(page.locator(`select[name="community"] option[value="${community}"]`), (t) => t.includes(community));
    await page.selectOption('select[name="community"]', community);
    expect(await textOf(page.getByTestId('count-underObservation'), (t) => t === '3')).toBe('3');
    expect(await textOf(page.getByTestId('list-total'), (t) => t === '共 3 人')).toBe('共 3 人');
    expect(await textOf(page.getByTestId('by-category'), (t) => t.includes('C 境外进京2'))).toContain('C 境外进京2');

    const rows = page.locator('#list-body tr');
    expect(await rows.count()).toBe(3);
    const listText = await page.locator('#list-body').innerText();
    expect(listText).toContain('张*');
    expect(listText).toContain('欧***');
    expect(listText).not.toContain('张伟');
    expect(listText).toMatch(/1101\*{10}[0-9X]{4}/);
    for (const number of numbers) expect(listText).toContain(number);
    // The filter is in the URL, so a reload or a shared link keeps it.
    expect(new URL(page.url()).searchParams.get('community')).toBe(community);

    const gaps = await textOf(page.getByTestId('routing-gaps'), (t) => t.includes(gapSubdistrict));
    expect(gaps).toContain(`${gapSubdistrict} 街道无人担任街道医疗组：2 条消息已转给supervisor of subdistrict ${gapSubdistrict}`);

    await page.screenshot({ path: join(SHOTS, '1-dashboard-zh.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('lists a guard post nobody can staff in its community, with its observation', async () => {
    await page.selectOption('select[name="community"]', otherCommunity);
    const gaps = await textOf(page.getByTestId('guard-gaps'), (t) => t.includes(otherNumber));
    expect(gaps).toContain(`${otherNumber}（${otherCommunity}）的看守岗`);
    expect(gaps).toContain('个班次无人可排');
    await page.selectOption('select[name="community"]', community);
    expect(await textOf(page.getByTestId('list-total'), (t) => t === '共 3 人')).toBe('共 3 人');
    expect(await page.getByTestId('guard-gaps').isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('says a data source is not available when its route is not deployed, and shows no numbers for it', async () => {
    const transfers = await http.get('/transfer-runs?status=running');
    const transfersBody = (transfers.body ?? {}) as { code?: string };
    const panel = page.getByTestId('transfers');
    if (transfersBody.code === 'route_not_found') {
      expect(await textOf(panel, (t) => t.includes('数据源暂不可用'))).toContain('/transfer-runs');
      expect(await page.getByTestId('count-transfers').textContent()).toBe('—');
    } else {
      expect(await textOf(panel, (t) => !t.includes('正在加载'))).not.toContain('数据源暂不可用');
    }
  });

  it('drills down into an observation: live state, day n of N, slots and the tracking log', async () => {
    const number = numbers[0];
    await page.locator(`#list-body tr[data-number="${number}"]`).click();
    const drawer = page.getByTestId('detail');
    expect(await page.locator('#drawer-title').textContent()).toBe(number);
    expect(await textOf(page.getByTestId('day'), (t) => /第 \d+ 天 \/ 共 14 天/.test(t))).toMatch(/第 \d+ 天 \/ 共 14 天/);
    // The enrolment's log row is written by the workflow's first pass; the drawer picks it up on a refresh.
    expect(await textOf(drawer.locator('tr[data-kind="enrolled"]'), (t) => t.includes('登记'))).toContain('登记');
    const slots = await drawer.getByTestId('slots').innerText();
    expect(slots).toContain('今日上报时段');
    const person = await drawer.getByTestId('person').innerText();
    expect(person).toContain('张伟'); // the drill-down shows the full record
    expect(await drawer.innerText()).toContain('A-v1');
    await page.screenshot({ path: join(SHOTS, '2-drill-down-zh.png') });
  });

  it('switches to English', async () => {
    await page.click('[data-lang="en"]');
    expect(await page.locator('h1').textContent()).toBe('Epidemic-control operations');
    expect(await page.getByTestId('card-underObservation').innerText()).toContain('Under observation');
    expect(await page.getByTestId('list-total').textContent()).toBe('3 people');
    expect(await page.getByTestId('day').textContent()).toMatch(/Day \d+ of 14/);
    expect(await page.locator('tr[data-kind="enrolled"]').innerText()).toContain('Enrolled');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.screenshot({ path: join(SHOTS, '3-drill-down-en.png') });
  });

  it('follows a new enrolment without a reload, keeping filters, language and the open drill-down', async () => {
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    await enrol('赵磊', 'B');
    expect(await textOf(page.getByTestId('count-underObservation'), (t) => t === '4')).toBe('4');
    expect(await textOf(page.getByTestId('list-total'), (t) => t === '4 people')).toBe('4 people');
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.locator('select[name="community"]').inputValue()).toBe(community);
    expect(await page.locator('#drawer-title').textContent()).toBe(numbers[0]);
    expect(await page.locator('h1').textContent()).toBe('Epidemic-control operations');
    await page.click('#drawer-close');
    await page.screenshot({ path: join(SHOTS, '4-after-enrolment-en.png'), fullPage: true });
  });

  it('logs out: back to the login form, nothing of the dashboard left, the cookie no longer works', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
    expect(await page.getByTestId('login-note').textContent()).toBe('You have logged out.');
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    expect(await page.getByTestId('user').isVisible()).toBe(false);
    expect(await page.locator('#list-body tr').count()).toBe(0);
    expect(await page.locator('#drawer').isVisible()).toBe(false);
    // The next person starts afresh: the previous filters left the URL.
    expect(new URL(page.url()).searchParams.get('community')).toBeNull();
    expect(await page.evaluate(async () => (await fetch('/auth/me')).status)).toBe(401);
    // The login form speaks the chosen language too.
    await page.click('[data-lang="zh-CN"]');
    expect(await page.getByTestId('login-note').textContent()).toBe('您已退出登录。');
    expect(await page.locator('#login-submit').textContent()).toBe('登录');
    await page.screenshot({ path: join(SHOTS, '4b-logged-out-zh.png') });
  });

  it('shows a community worker only their community, and calm notices for what their role does not cover', async () => {
    await logIn(communityWorker);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(await page.getByTestId('user-name').textContent()).toBe('李社工');
    expect(await page.getByTestId('user-scope').textContent()).toBe(`社区工作者 · ${community} · XYL`);
    expect(await textOf(page.getByTestId('count-underObservation'), (t) => t === '4')).toBe('4');
    expect(await textOf(page.getByTestId('list-total'), (t) => t === '共 4 人')).toBe('共 4 人');
    const listText = await page.locator('#list-body').innerText();
    for (const number of numbers) expect(listText).toContain(number);
    expect(listText).not.toContain(otherNumber);
    expect(listText).not.toContain(otherCommunity);
    // The filters offer only their own jurisdiction.
    const communityOptions = await page.locator('select[name="community"] option').allTextContents();
    expect(communityOptions).toEqual([`${community} (4)`]);
    expect(await page.locator('select[name="community"]').isDisabled()).toBe(true);
    expect(await page.locator('select[name="subdistrict"] option').allTextContents()).toEqual(['XYL']);
    // Transfers, posts and the daily report are not for a community worker: a notice, no numbers, no error.
    for (const id of ['transfers', 'posts', 'daily-report']) {
      const panel = page.getByTestId(id);
      expect(await textOf(panel, (t) => t.includes('不在您的角色或辖区范围内'))).toContain('不在您的角色或辖区范围内');
      expect(await panel.locator('.error, table').count()).toBe(0);
    }
    expect(await page.getByTestId('count-transfers').textContent()).toBe('—');
    expect(await page.getByTestId('count-posts').textContent()).toBe('—');
    expect(await page.locator('.live').getAttribute('class')).not.toContain('failing');
    await page.screenshot({ path: join(SHOTS, '5-community-worker-zh.png'), fullPage: true });
  });

  it("keeps the login over a reload; another community's observation opens as a notice, not a record", async () => {
    await page.goto(`${base}/dashboard?open=${encodeURIComponent(otherNumber)}`);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(await page.getByTestId('user-name').textContent()).toBe('李社工');
    const drawer = page.getByTestId('detail');
    expect(await textOf(drawer, (t) => t.includes('不在您的角色或辖区范围内'))).toContain('不在您的角色或辖区范围内');
    expect(await drawer.innerText()).not.toContain('孙丽');
    await page.screenshot({ path: join(SHOTS, '6-other-community-detail-zh.png') });
  });

  it('returns to the login form, saying why, when the login is ended elsewhere', async () => {
    await api.get(UsersService).revokeSessions(communityWorkerId); // as a logout on another device does
    const note = page.getByTestId('login-note');
    expect(await textOf(note, (t) => t.length > 0)).toBe('您的登录已结束（已过期，或已在别处退出），请重新登录。');
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    expect(await page.locator('#drawer').isVisible()).toBe(false);
    expect(await page.locator('#list-body tr').count()).toBe(0);
    // The same person logging in again finds the page as they left it.
    expect(new URL(page.url()).searchParams.get('open')).toBe(otherNumber);
    await page.screenshot({ path: join(SHOTS, '7-login-ended-zh.png') });
  });

  it('shows a dispatcher the transfers, and calm notices for the observation counts their role does not cover', async () => {
    await page.goto(`${base}/dashboard`);
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
    await logIn(dispatcher);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(await page.getByTestId('user-scope').textContent()).toBe('转运调度员 · 全区');
    expect(await textOf(page.locator('#cards [data-testid="forbidden"]'), (t) => t.length > 0)).toContain('不在您的角色或辖区范围内');
    expect(await textOf(page.locator('#list-body'), (t) => t.length > 0)).toContain('不在您的角色或辖区范围内');
    expect(await textOf(page.getByTestId('transfers'), (t) => !t.includes('正在加载'))).not.toContain('不在您的角色或辖区范围内');
    expect(await textOf(page.getByTestId('posts'), (t) => t.includes('不在您的角色或辖区范围内'))).toContain('不在您的角色或辖区范围内');
    expect(await page.locator('main .error').count()).toBe(0);
    expect(await page.locator('.live').getAttribute('class')).not.toContain('failing');
    await page.screenshot({ path: join(SHOTS, '8-dispatcher-zh.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("opens a shared drill-down link as a notice when the shift is outside the person's role", async () => {
    // Still the dispatcher: shifts are not theirs to read.
    await page.goto(`${base}/dashboard?open=${encodeURIComponent(`shift:${post.current[0].id}`)}`);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    const drawer = page.getByTestId('detail');
    expect(await textOf(drawer, (t) => t.includes('不在您的角色或辖区范围内'))).toContain('不在您的角色或辖区范围内');
    expect(await page.locator('#drawer-title').innerText()).toContain('班次');
    expect(await drawer.innerText()).not.toContain(String(post.current[0].staffId));
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
  });

  it('drills down into a running transfer run from the transfers panel: live state, trips, exceptions and the people', async () => {
    await logIn(supervisor);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    const row = page.locator(`[data-testid="transfers"] tr[data-run="${transfer.runId}"]`);
    await row.waitFor({ timeout: REFRESH_WAIT_MS });
    await row.click();
    expect(new URL(page.url()).searchParams.get('open')).toBe(`run:${transfer.runId}`);
    const drawer = page.getByTestId('detail');
    expect(await page.locator('#drawer-title').innerText()).toContain('转运任务');
    expect(await textOf(drawer.getByTestId('run-status'), (t) => t === '进行中')).toBe('进行中');
    expect(await drawer.getByTestId('run-counts').innerText()).toMatch(/人数\s*4/);
    const trips = await textOf(drawer.getByTestId('trips'), (t) => t.includes('上车中'));
    for (const trip of transfer.trips) expect(trips).toContain(trip.tripId);
    expect(trips).toContain(transfer.destination);

    // The people by name: a drill-down shows the record in full, as the observation drawer does (lists mask).
    const [boarded, awaited] = transfer.homeTrip.travellerIds;
    const people = drawer.getByTestId('travellers');
    expect(await textOf(people.locator(`tr[data-traveller="${boarded}"]`), (t) => t.includes('在途'))).toContain('在途');
    const peopleText = await people.innerText();
    for (const name of transfer.names.values()) expect(peopleText).toContain(name);
    expect(await drawer.getByTestId('exceptions').innerText()).toContain('没有异常');

    // A no-show reported on the road shows in the open drawer on the next refresh: an open exception, its owner and deadline.
    await http.post(`/transfer-runs/${transfer.runId}/trips/${transfer.homeTrip.tripId}/no-show`).send({ travellerId: awaited, by: transfer.escort, note: '电话无人接听' }).expect(200);
    const exceptions = await textOf(drawer.getByTestId('exceptions'), (t) => t.includes('人员未到'));
    expect(exceptions).toContain('待处理');
    expect(exceptions).toContain('赵调度');
    expect(exceptions).toContain('调度员');
    expect(exceptions).toContain('刘洋');
    expect(await textOf(people.locator(`tr[data-traveller="${awaited}"]`), (t) => t.includes('未到'))).toContain('未到');
    expect(await textOf(drawer.getByTestId('run-counts'), (t) => /未结异常\s*1/.test(t))).toMatch(/未结异常\s*1/);
    expect(await page.locator(`[data-testid="transfers"] tr[data-run="${transfer.runId}"]`).getAttribute('class')).toContain('selected');
    await page.screenshot({ path: join(SHOTS, '9-transfer-run-zh.png') });
    expect(pageErrors).toEqual([]);
  });

  it("opens a trip from the run's drawer with the keyboard: vehicle, escorts, leg and riders", async () => {
    const drawer = page.getByTestId('detail');
    const { tripId, travellerIds } = transfer.homeTrip;
    await drawer.locator(`[data-testid="trips"] tr[data-trip="${tripId}"]`).press('Enter');
    expect(new URL(page.url()).searchParams.get('open')).toBe(`trip:${transfer.runId}/${tripId}`);
    const riders = await textOf(drawer.getByTestId('riders'), (t) => t.includes('已上车') && t.includes('未到'));
    expect(riders).toContain('陈晓明');
    expect(riders).toContain('刘洋');
    expect(await drawer.locator(`[data-testid="riders"] tr[data-traveller="${travellerIds[0]}"]`).innerText()).toContain('已上车');
    expect(await drawer.getByTestId('trip-leg').textContent()).toBe('上车中');
    expect(await drawer.locator('[data-testid="legs"] li[aria-current="step"]').textContent()).toBe('上车中');
    const text = await drawer.innerText();
    expect(text).toContain(transfer.plate);
    expect(text).toContain(transfer.escort);
    expect(text).toContain(transfer.destination);
    expect(await page.locator('#drawer-title').innerText()).toContain(tripId);
    await page.screenshot({ path: join(SHOTS, '10-transfer-trip-zh.png') });

    // The link keeps the trip over a reload; the way back leads to the run.
    await page.reload();
    expect(await textOf(page.getByTestId('detail').getByTestId('riders'), (t) => t.includes('已上车'))).toContain('已上车');
    await page.getByTestId('back-to-run').click();
    expect(new URL(page.url()).searchParams.get('open')).toBe(`run:${transfer.runId}`);
    expect(await textOf(page.getByTestId('detail').getByTestId('run-status'), (t) => t === '进行中')).toBe('进行中');
    await page.keyboard.press('Escape');
    expect(await page.locator('#drawer').isVisible()).toBe(false);
    expect(new URL(page.url()).searchParams.get('open')).toBeNull();
  });

  it("opens a post's current shift from the posts panel: live state, what is pending and the event log", async () => {
    const [onDuty, awaited] = post.current;
    const row = page.locator(`[data-testid="posts"] tr[data-post="${post.postId}"]`);
    await row.waitFor({ timeout: REFRESH_WAIT_MS });
    expect(await row.locator('button[data-shift]').count()).toBe(2);
    await row.press('Enter');
    expect(new URL(page.url()).searchParams.get('open')).toBe(`shift:${onDuty.id}`);
    const drawer = page.getByTestId('detail');
    expect(await textOf(drawer.getByTestId('duty-state'), (t) => t === '在岗')).toBe('在岗');
    expect(await drawer.getByTestId('shift-pending').innerText()).toContain('填写交接记录');
    const facts = await drawer.innerText();
    expect(facts).toContain(String(onDuty.staffId));
    expect(facts).toContain(post.postId);
    expect(await textOf(drawer.getByTestId('shift-events'), (t) => t.includes('签到') && t.includes('班次开始跟踪'))).toContain('签到');
    // An incident logged on the post shows in the open drawer's timeline on the next refresh.
    await http.post(`/shifts/${onDuty.id}/incidents`).send({ by: String(onDuty.staffId), kind: 'refused_check', description: '一名司机拒绝测温，已劝导配合' }).expect(200);
    expect(await textOf(drawer.getByTestId('shift-events'), (t) => t.includes('事件登记'))).toContain('一名司机拒绝测温');
    expect(await drawer.getByTestId('post-seats').locator('button').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, '11-shift-zh.png') });

    // The post's other seat opens from the drawer: its assignee is still awaited.
    await drawer.getByTestId('post-seats').locator(`button[data-shift="${awaited.id}"]`).click();
    expect(new URL(page.url()).searchParams.get('open')).toBe(`shift:${awaited.id}`);
    expect(await textOf(drawer.getByTestId('duty-state'), (t) => t === '待签到' || t === '未到岗')).toMatch(/待签到|未到岗/);
    expect(await drawer.getByTestId('shift-pending').innerText()).toMatch(/等待 .+ 签到|需要顶岗/);

    // In English too.
    await page.click('[data-lang="en"]');
    expect(await drawer.getByTestId('shift-pending').innerText()).toMatch(/Check-in by|Cover for the gap/);
    expect(await page.locator('#drawer-title').innerText()).toContain('Shift');
    await page.screenshot({ path: join(SHOTS, '12-shift-other-seat-en.png') });
    await page.click('[data-lang="zh-CN"]');
    expect(pageErrors).toEqual([]);
  });

  it('says "not found" for a drill-down that does not exist, and still opens observations from older links', async () => {
    await page.goto(`${base}/dashboard?open=${encodeURIComponent('run:no-such-run')}`);
    expect(await textOf(page.getByTestId('not-found'), (t) => t.length > 0)).toBe('找不到转运任务 no-such-run');
    await page.goto(`${base}/dashboard?open=${encodeURIComponent(numbers[0])}`);
    expect(await textOf(page.getByTestId('day'), (t) => /第 \d+ 天/.test(t))).toMatch(/第 \d+ 天 \/ 共 14 天/);
    expect(await page.locator('#drawer-title').textContent()).toBe(numbers[0]);
    await page.goto(`${base}/dashboard?open=${encodeURIComponent(`obs:${numbers[0]}`)}`);
    expect(await textOf(page.getByTestId('person'), (t) => t.includes('张伟'))).toContain('张伟');
    expect(pageErrors).toEqual([]);
  });
});
