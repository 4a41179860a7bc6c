/**
 * The supervisors' dashboard in a real browser (Debian's Chromium driven by playwright-core)
 * against the real API, worker, dev server and PostgreSQL: people enrolled over HTTP show in the
 * counts and the list, a drill-down shows the live workflow state and the tracking log, the page
 * speaks English on request and follows a new enrolment without a reload.
 * Screenshots go to test-results/dashboard/.
 */
import { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { testConfig } from '../support/environment';
import { enrolmentRequest } from '../support/observation-fixtures';

jest.setTimeout(180_000);

const CHROMIUM = '/usr/bin/chromium';
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
  const community = `学院路看板${Date.now() % 100_000}社区`;
  let worker: RunningWorker;
  let api: INestApplication;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const numbers: string[] = [];

  async function enrol(name: string, category: 'A' | 'B' | 'C' | 'D'): Promise<string> {
    const body = { ...enrolmentRequest({ name, category }), address: { subdistrict: 'XYL', community, building: '5', unit: '1' } };
    const response = await fetch(`${base}/persons`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    const { observationNumber } = (await response.json()) as { observationNumber: string };
    numbers.push(observationNumber);
    return observationNumber;
  }

  beforeAll(async () => {
    // Installs Debian's Chromium (and a CJK font) once per machine; a no-op when present.
    execFileSync('sh', [resolve(__dirname, '../../scripts/ensure-chromium.sh')], { stdio: 'inherit', timeout: 600_000 });
    mkdirSync(SHOTS, { recursive: true });
    worker = await startWorker(config);
    api = await createApi(config);
    await api.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'epi-dashboard-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
      viewport: { width: 1440, height: 1000 },
      locale: 'zh-CN',
      timezoneId: config.timeZone,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await enrol('张伟', 'A');
    await enrol('王芳', 'C');
    await enrol('欧阳娜娜', 'C');
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await api?.close();
    await worker?.shutdown();
  });

  it('shows the enrolled people in the counts and, filtered by community, in the masked list', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/dashboard`);
    expect(await page.locator('h1').textContent()).toBe('疫情防控指挥看板');
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

    await page.screenshot({ path: join(SHOTS, '1-dashboard-zh.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('says a data source is not available when its route is not deployed, and shows no numbers for it', async () => {
    const transfers = await fetch(`${base}/transfer-runs?status=running`);
    const transfersBody = (await transfers.json().catch(() => ({}))) as { error?: string };
    const panel = page.getByTestId('transfers');
    if (transfers.status === 404 && transfersBody.error !== 'not_found') {
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
});
