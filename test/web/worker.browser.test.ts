/**
 * The community worker's page in a real browser (Debian's Chromium driven by playwright-core)
 * against the real API, worker, dev server and PostgreSQL, at desktop (1440×900) and phone (390×844)
 * size, in zh-CN and en: one login at /app/ lands on /app/worker/; the worklist shows who is due in
 * the open slot and the open escalations of the worker's community only; one tap opens the person;
 * a wrong temperature is refused beside its field; a reading taken on a visit is recorded and shows
 * in the 14-day sheet and its chart (and on A4 paper); enrolling shows each refused field and then
 * the new number; a ledger import shows its progress and each refused row.
 * Screenshots go to test-results/web/.
 */
import { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import { localDate } from '../../libs/domain/local-time';
import { Http, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { makeLedgerFile, makeLedgerRecords } from '../support/ledger-fixtures';
import { allDayPolicy, enrolmentRequest, freshResidentId, moveToPolicy } from '../support/observation-fixtures';
import { launchBrowser, logIn, openPage, overflow, SHOTS, ViewportName } from './browser';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

type Language = 'zh-CN' | 'en';
/** Each task at both sizes and in both languages. */
const VIEWS: Array<[ViewportName, Language]> = [
  ['desktop', 'zh-CN'],
  ['phone', 'en'],
  ['phone', 'zh-CN'],
  ['desktop', 'en'],
];

const WORDS = {
  'zh-CN': { due: '当前时段待上报', fever: '发热', recorded: '已记录 36.8 °C', enrolled: '已登记', done: '已完成', counts: '登记 4 人 · 未通过 1 行', visit: '上门测量' },
  en: { due: 'Due in the open slot', fever: 'Fever', recorded: 'Recorded 36.8 °C', enrolled: 'Enrolled as', done: 'Done', counts: '4 enrolled · 1 refused', visit: 'Visit' },
};

describe('community worker page in Chromium (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const suffix = Date.now() % 100_000;
  const community = `学院路工作台${suffix}社区`;
  const account = { username: `web-cw-${suffix}`, displayName: '李社工', password: `cw-pass-${suffix}-x` };
  let api: INestApplication;
  let db: DataSource;
  let supervisor: Http;
  let base: string;
  let browser: Browser;
  let policyId: string;
  const today = () => localDate(Date.now(), 480);

  /** Enrolled in the worker's community (or another), on the all-day policy so a slot is open now. */
  async function enrolReportable(name: string, place = community): Promise<string> {
    const body = { ...enrolmentRequest({ name, category: 'B', anchorDate: today(), responsibleWorker: account.displayName }), address: { subdistrict: 'XYL', community: place, building: '5', unit: '1', detail: '301' } };
    const { observationNumber } = (await supervisor.post('/persons').send(body).expect(201)).body;
    await moveToPolicy(supervisor, db, observationNumber, policyId);
    return observationNumber;
  }

  /** Logged in at /app/ as the worker, landed on the worker's page. */
  async function workerPage(size: ViewportName, lang: Language): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const { context, page, errors } = await openPage(browser, size, lang, config.timeZone);
    await page.goto(`${base}/app/?lang=${lang}`);
    await logIn(page, account);
    await page.waitForURL(/\/app\/worker\//);
    await page.getByTestId('worklist-due').waitFor({ state: 'visible' });
    return { page, errors, close: () => context.close() };
  }

  /** A whole-page screenshot from the top (the top bar is sticky: scrolled, it would sit mid-page in the picture). */
  async function shot(page: Page, name: string, size: ViewportName, lang: Language): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `worker-${name}-${size}-${lang}.png`), fullPage: true });
  }

  systemPerFile(async (system) => {
    ({ api, db, base } = system);
    supervisor = await supervisorHttp(api);
    await api.get(UsersService).create({ ...account, role: 'community_worker', subdistrict: 'XYL', community });
    policyId = await allDayPolicy(supervisor, db, 'B');
    // A fever reported this morning: an escalation on the worker's list; someone of another community is not.
    const feverish = await enrolReportable('刘洋');
    await supervisor.post(`/observations/${feverish}/reports`).send({ temperature: 38.6 }).expect(201);
    await eventually(() => db.query(`SELECT 1 FROM escalation WHERE observation_number = $1 AND kind = 'fever'`, [feverish]), (rows) => rows.length === 1, { what: 'fever escalation' });
    await enrolReportable('孙丽', `清华园工作台${suffix}社区`);
    browser = await launchBrowser();
  }, { config, listen: true, timeoutMs: 300_000 });

  afterAll(async () => {
    await browser?.close();
  });

  it.each(VIEWS)('worklist → report → 14-day sheet (%s, %s)', async (size, lang) => {
    const name = `张${size === 'phone' ? '小' : '大'}${lang === 'en' ? '英' : '中'}`;
    const number = await enrolReportable(name);
    const { page, errors, close } = await workerPage(size, lang);
    const due = page.getByTestId('worklist-due');
    expect(await due.locator('h2').textContent()).toContain(WORDS[lang].due);
    expect(await due.textContent()).toContain(name);
    expect(await page.getByTestId('worklist-escalations').textContent()).toContain('刘洋');
    expect(await page.getByTestId('worklist-escalations').textContent()).toContain(WORDS[lang].fever);
    expect(await page.locator('main').textContent()).not.toContain('孙丽');
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'worklist', size, lang);

    await due.locator(`a[data-number="${number}"]`).click();
    await page.getByTestId('person-name').waitFor({ state: 'visible' });
    expect(await page.getByTestId('person-name').textContent()).toBe(name);
    expect(page.url()).toContain(`#/person/${encodeURIComponent(number)}`);

    // Out of range: refused beside the field, nothing recorded.
    await page.fill('input[name="temperature"]', '45');
    await page.click('[data-testid="report-form"] button[type="submit"]');
    await page.getByTestId('error-temperature').waitFor({ state: 'visible' });
    expect(await page.getByTestId('error-temperature').textContent()).toContain('must be from 34 to 43 °C');
    await shot(page, 'report-refused', size, lang);

    await page.fill('input[name="temperature"]', '36.8');
    await page.check('input[name="channel"][value="visit"]');
    await page.click('[data-testid="report-form"] button[type="submit"]');
    await page.getByTestId('report-done').waitFor({ state: 'visible' });
    expect(await page.getByTestId('report-done').textContent()).toContain(WORDS[lang].recorded);
    expect(await page.getByTestId('error-temperature').isVisible()).toBe(false);
    const [line] = await db.query(`SELECT day, temperature::float8 AS temperature, detail FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(line).toMatchObject({ temperature: 36.8, detail: { source: 'worker', channel: 'visit', fever: false } });

    // The sheet: 14 rows, today's reading in its half of the day, a point on the chart, the fever line.
    const sheet = page.getByTestId('sheet-table');
    await eventually(async () => sheet.textContent(), (text) => Boolean(text?.includes('36.8')), { what: 'the reading in the sheet' });
    expect(await sheet.locator('tbody tr').count()).toBe(14);
    const todayRow = sheet.locator('tbody tr', { hasText: '36.8' });
    expect(await todayRow.getAttribute('data-day')).toBe(String(line.day));
    expect(await todayRow.locator('td[title]').getAttribute('title')).toBe(WORDS[lang].visit);
    expect(await page.locator('[data-testid="sheet-chart"] circle.reading').count()).toBe(1);
    expect(await page.getByTestId('fever-line').count()).toBe(1);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'person', size, lang);
    if (size === 'desktop') {
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
      expect(await page.locator('.topbar').isVisible()).toBe(false);
      expect(await page.getByTestId('report-form').isVisible()).toBe(false);
      expect(await sheet.isVisible()).toBe(true);
      await page.screenshot({ path: join(SHOTS, `worker-sheet-print-a4-${lang}.png`), fullPage: true });
      await page.emulateMedia({ media: 'screen' });
    }

    // Back on the list, the person is no longer due.
    await page.goBack();
    await page.getByTestId('worklist-due').waitFor({ state: 'visible' });
    expect(await page.getByTestId('worklist-due').locator(`a[data-number="${number}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it.each(VIEWS.slice(0, 2))('opens an escalation the worker owns from the list, acknowledges and closes it (%s, %s)', async (size, lang) => {
    const doorSensorId = `DS-web-${suffix}-${size}-${lang}`;
    const name = `郑门磁${size === 'phone' ? '手' : '桌'}`;
    const body = { ...enrolmentRequest({ name, category: 'B', anchorDate: today(), responsibleWorker: account.displayName, devices: { doorSensorId } }), address: { subdistrict: 'XYL', community, building: '2', unit: '1' } };
    const { observationNumber: number } = (await supervisor.post('/persons').send(body).expect(201)).body;
    // The door opened outside the allowed windows: a non-cooperation escalation for the responsible worker.
    await supervisor.post('/device-events').send({ deviceId: doorSensorId, kind: 'door_opened', eventId: `door-${size}-${lang}` }).expect(202);
    await eventually(() => db.query(`SELECT 1 FROM escalation WHERE observation_number = $1 AND kind = 'non_cooperation'`, [number]), (rows) => rows.length === 1, { what: 'non-cooperation escalation' });

    const { page, errors, close } = await workerPage(size, lang);
    const row = page.getByTestId('worklist-escalations').locator(`a[data-number="${number}"]`);
    expect(await row.textContent()).toContain(lang === 'en' ? 'mine' : '我负责');
    await row.click();
    const panel = page.getByTestId('escalations');
    await panel.waitFor({ state: 'visible' });
    await panel.locator('button[data-action="acknowledge"]').click();
    await eventually(async () => panel.getByTestId('escalation-state').textContent(), (text) => text === (lang === 'en' ? 'Acknowledged' : '已受理'), { what: 'acknowledged on the page' });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `worker-escalation-${size}-${lang}.png`), fullPage: true });
    await panel.locator('button[data-action="resolve"]').click();
    await panel.waitFor({ state: 'hidden' });
    await eventually(() => db.query(`SELECT state, decided_by AS "decidedBy" FROM escalation WHERE observation_number = $1`, [number]), (rows) => rows[0]?.state === 'resolved', { what: 'resolved in PostgreSQL' });
    await page.goBack();
    await page.getByTestId('worklist-escalations').waitFor({ state: 'visible' });
    expect(await page.getByTestId('worklist-escalations').locator(`a[data-number="${number}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('sends a report whose answer was lost again under the same key: recorded once (phone, slow connection)', async () => {
    const number = await enrolReportable('吴慢网');
    const { page, errors, close } = await workerPage('phone', 'zh-CN');
    await page.goto(`${base}/app/worker/#/person/${encodeURIComponent(number)}`);
    await page.getByTestId('report-form').waitFor({ state: 'visible' });
    // The first try reaches the API and is recorded, but its answer never reaches the phone.
    const keys: string[] = [];
    await page.route('**/observations/*/reports', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (keys.length === 1) {
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await page.fill('input[name="temperature"]', '36.4');
    await page.click('[data-testid="report-form"] button[type="submit"]');
    await page.getByTestId('report-done').waitFor({ state: 'visible' });
    expect(await page.getByTestId('report-done').textContent()).toContain('已记录 36.4 °C');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(count).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it.each(VIEWS.slice(0, 2))('enrols one person, each refused field named beside it (%s, %s)', async (size, lang) => {
    const { page, errors, close } = await workerPage(size, lang);
    await page.click('nav.views a[data-view="enrol"]');
    const form = page.getByTestId('enrol-form');
    await form.waitFor({ state: 'visible' });
    expect(await form.locator('input[name="address.community"]').inputValue()).toBe(community);
    expect(await form.locator('input[name="address.community"]').getAttribute('readonly')).not.toBeNull();
    await form.locator('input[name="name"]').fill(`周${lang === 'en' ? '英' : '中'}${size === 'phone' ? '手' : '桌'}`);
    await form.locator('input[name="documentNumber"]').fill('110105194912310021'); // a wrong check digit
    await form.locator('input[name="mobile"]').fill('12345');
    await form.locator('input[name="address.building"]').fill('7');
    await form.locator('input[name="address.unit"]').fill('2');
    await form.locator('button[type="submit"]').click();
    await page.getByTestId('error-documentNumber').waitFor({ state: 'visible' });
    expect(await page.getByTestId('error-mobile').isVisible()).toBe(true);
    expect(await page.getByTestId('error-name').isVisible()).toBe(false);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'enrol-refused', size, lang);

    await form.locator('input[name="documentNumber"]').fill(freshResidentId());
    await form.locator('input[name="mobile"]').fill('13900139000');
    await form.locator('button[type="submit"]').click();
    await page.getByTestId('enrol-done').waitFor({ state: 'visible' });
    const done = (await page.getByTestId('enrol-done').textContent()) ?? '';
    expect(done).toContain(WORDS[lang].enrolled);
    const number = /XYL-[A-D]-\d+/.exec(done)?.[0];
    expect(number).toBeDefined();
    expect(await page.getByTestId('error-documentNumber').isVisible()).toBe(false);
    const [row] = await db.query(`SELECT community, responsible_worker AS "responsibleWorker" FROM observation WHERE number = $1`, [number]);
    expect(row).toEqual({ community, responsibleWorker: account.displayName });
    await shot(page, 'enrol-done', size, lang);
    await page.getByTestId('enrol-done').locator('a').click();
    await page.getByTestId('person-name').waitFor({ state: 'visible' });
    expect(await page.getByTestId('person-name').textContent()).toContain('周');
    expect(errors).toEqual([]);
    await close();
  });

  it.each(VIEWS.slice(0, 2))('imports a ledger showing its progress and each refused row (%s, %s)', async (size, lang) => {
    const records = makeLedgerRecords(5, { seed: (suffix + (size === 'phone' ? 7 : 3)) % 100_000, anchorDate: today(), communities: [community] });
    records[2] = { ...records[2], documentNumber: '110105194912310021' };
    const { page, errors, close } = await workerPage(size, lang);
    await page.click('nav.views a[data-view="import"]');
    await page.getByTestId('import-file').setInputFiles({ name: 'ledger.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await makeLedgerFile(records, 'xlsx') });
    await page.click('form button[type="submit"]');
    await page.getByTestId('import-progress').locator('progress').waitFor({ state: 'visible' });
    await eventually(async () => page.getByTestId('import-state').textContent(), (text) => text === WORDS[lang].done, { what: 'import done', timeoutMs: 60_000 });
    expect(await page.getByTestId('import-counts').textContent()).toBe(WORDS[lang].counts);
    const refused = page.getByTestId('import-rejected');
    expect(await refused.locator('tbody tr').count()).toBe(1);
    expect(await refused.locator('tbody tr td').first().textContent()).toBe('4'); // the sheet row (the header is row 1)
    expect(await refused.locator('tbody tr td').nth(1).textContent()).toBe('documentNumber');
    expect(await page.locator('progress').getAttribute('value')).toBe('5');
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'import', size, lang);
    expect(errors).toEqual([]);
    await close();
  });
});
