/**
 * The self-report page in a real browser (Debian's Chromium driven by playwright-core) against the
 * real API, worker, dev server and PostgreSQL: a person opens the link texted at enrolment, at a
 * phone's size (390×844) and on a desktop, sees their masked name and the open slot, reports 37.0
 * and sees the confirmation with when the next slot opens; the page speaks English on request; a
 * wrong link shows one calm sentence. Screenshots go to <tmp>/epi-self-report/.
 */
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContextOptions, chromium, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { localDate } from '../../libs/domain/local-time';
import { Http, supervisorHttp } from '../support/auth';
import { CHROMIUM_LAUNCH, ensureChromium } from '../support/chromium';
import { testConfig } from '../support/environment';
import { allDayPolicy, enrolmentRequest, moveToPolicy } from '../support/observation-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

const SHOTS = join(tmpdir(), 'epi-self-report');

describe('self-report page in Chromium (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const community = `self-report-page-${Date.now()}`;
  let api: INestApplication;
  let db: DataSource;
  let http: Http;
  let base: string;
  let browser: Browser;
  let allDayPolicyId: string;

  systemPerFile(async (system) => {
    ({ api, db, base } = system);
    ensureChromium();
    mkdirSync(SHOTS, { recursive: true });
    http = await supervisorHttp(api);
    // So that the page has an open slot whenever the test runs.
    allDayPolicyId = await allDayPolicy(http, db, 'A');
    browser = await chromium.launch(CHROMIUM_LAUNCH);
  }, { config, listen: true, timeoutMs: 900_000 });

  afterAll(async () => {
    await browser?.close();
  });

  /** Enrols someone on the all-day policy; the path of the link texted to them at enrolment. */
  async function enrolWithLink(name: string): Promise<{ number: string; path: string }> {
    const today = localDate(Date.now(), 480);
    const enrolled = await http.post('/persons').send({ ...enrolmentRequest({ category: 'A', anchorDate: today, name }), address: { subdistrict: 'XYL', community, building: '2', unit: '1' } }).expect(201);
    const number = enrolled.body.observationNumber;
    await moveToPolicy(http, db, number, allDayPolicyId);
    const [message] = await db.query(`SELECT body FROM notification WHERE id = $1`, [`${number}:enrolled`]);
    return { number, path: new URL(/https?:\/\/\S+/.exec(message.body)![0]).pathname };
  }

  async function open(options: BrowserContextOptions): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: config.timeZone, ...options });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('response', (response) => response.status() >= 400 && errors.push(`${response.status()} ${new URL(response.url()).pathname}`));
    return { page, errors, close: () => context.close() };
  }

  const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 } };

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('on a %s: opens the link, reports 37.0 and sees the confirmation', async (size, options) => {
    const { number, path } = await enrolWithLink('张伟');
    const { page, errors, close } = await open(options);
    try {
      await page.goto(`${base}${path}`);
      await page.getByTestId('greeting').waitFor({ state: 'visible' });
      expect(await page.getByTestId('greeting').textContent()).toBe('您好，张*');
      expect(await page.getByTestId('slot').textContent()).toMatch(/^当前上报时段：\d\d:\d\d–\d\d:\d\d，请现在上报体温。$/);
      expect(await page.locator('#symptoms label').count()).toBe(10);
      const text = await page.locator('body').innerText();
      for (const secret of ['张伟', number, community, '13800138000']) expect(text).not.toContain(secret);
      // The form fits the width: nothing to scroll sideways.
      const width = await page.evaluate('({ content: document.documentElement.scrollWidth, window: window.innerWidth })');
      expect((width as { content: number }).content).toBeLessThanOrEqual((width as { window: number }).window);
      await page.screenshot({ path: join(SHOTS, `${size}-1-open-zh.png`), fullPage: true });

      await page.getByTestId('temperature').fill('33');
      await page.getByTestId('submit').click();
      expect(await page.getByTestId('form-error').textContent()).toBe('请填写 34.0–43.0 °C 之间的体温。');

      await page.getByTestId('temperature').fill('37.0');
      await page.getByTestId('submit').click();
      const done = page.getByTestId('done');
      await done.waitFor({ state: 'visible' });
      expect(await done.innerText()).toMatch(/已收到您的体温：37\.0 °C\s+下一个上报时段：(今天|明天) \d\d:\d\d 开始。/);
      await page.screenshot({ path: join(SHOTS, `${size}-2-reported-zh.png`), fullPage: true });
      const [line] = await db.query(`SELECT temperature, detail->>'source' AS source FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
      expect({ temperature: Number(line.temperature), source: line.source }).toEqual({ temperature: 37, source: 'person' });

      await page.getByRole('button', { name: 'EN' }).click();
      expect(await done.innerText()).toMatch(/Thank you, we have your temperature: 37\.0 °C\s+The next slot opens (today|tomorrow) at \d\d:\d\d\./);
      await page.screenshot({ path: join(SHOTS, `${size}-3-reported-en.png`), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows a wrong link one calm sentence, and nothing else', async () => {
    const { page, close } = await open(PHONE);
    try {
      await page.goto(`${base}/r/${randomBytes(32).toString('base64url')}`);
      const notice = page.getByTestId('notice');
      await notice.waitFor({ state: 'visible' });
      expect(await notice.textContent()).toBe('此链接无效。请使用最新短信中的链接，或联系您的社区工作人员。');
      expect(await page.getByTestId('report-form').isVisible()).toBe(false);
      await page.screenshot({ path: join(SHOTS, 'phone-4-wrong-link-zh.png'), fullPage: true });
    } finally {
      await close();
    }
  });
});
