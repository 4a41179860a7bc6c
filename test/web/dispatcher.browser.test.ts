/**
 * The dispatcher's page in a real browser (Debian's Chromium driven by playwright-core) against the
 * real API, worker, dev server and PostgreSQL, at desktop size (1440×900) in zh-CN and en: one login
 * at /app/ lands on /app/dispatcher/; the manifest template downloads in the page's language; a
 * manifest with one bad row (a csv file, or rows pasted from a spreadsheet) is read, refused by that
 * row and field, corrected in the table and started; the plan shows as trips (vehicle, seats,
 * escorts, families, each person's wait); a person is moved, a trip pinned and the rest re-planned;
 * the run is dispatched; the trip's leg and an exception change on the page after escort commands
 * over the API, and the exception is decided on the page; the hand-over sheet prints on A4. The plan
 * is also looked at on a tablet held upright (820×1180). Screenshots go to test-results/web/.
 */
import { INestApplication } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { MANIFEST_COLUMNS } from '../../libs/transfer/manifest';
import { UsersService } from '../../libs/auth/users.service';
import { zonedIso } from '../../libs/config/time-zone';
import { MINUTE } from '../../libs/domain/local-time';
import { httpAs, Http, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { freshResidentId } from '../support/observation-fixtures';
import { registerResources, Registry } from '../transfer/transfer-fixtures';
import { launchBrowser, logIn, openPage, overflow, SHOTS, VIEWPORTS } from './browser';
import { systemPerFile } from '../support/system';

jest.setTimeout(240_000);

type Language = 'zh-CN' | 'en';

const WORDS = {
  'zh-CN': { refused: '名单有 1 行未通过', documentNumber: '证件号码', adjusted: '计划已调整', replanned: '已重新规划', pinned: '已锁定', running: '进行中', departed: '在途', noShow: '人员未到', decided: '已处理', resolved: '已解决' },
  en: { refused: 'Rows refused: 1', documentNumber: 'Document number', adjusted: 'Plan adjusted', replanned: 'Re-planned', pinned: 'Pinned', running: 'Running', departed: 'On the road', noShow: 'No-show', decided: 'Decided', resolved: 'Resolved' },
};

describe('dispatcher page in Chromium (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const suffix = Date.now() % 100_000;
  const account = { username: `web-dsp-${suffix}`, displayName: '赵调度', password: `dsp-pass-${suffix}-x` };
  let api: INestApplication;
  let db: DataSource;
  let escort: Http;
  let base: string;
  let browser: Browser;
  let registry: Registry;

  systemPerFile(async (system) => {
    ({ api, db, base } = system);
    // The escort's commands come over the API, as the escort's phone sends them.
    escort = httpAs(api, await signIn(api, 'dispatcher'));
    await api.get(UsersService).create({ ...account, role: 'dispatcher', subdistrict: null, community: null });
    registry = await registerResources(db, {
      destinations: [
        { destinationId: 'hotel', kind: 'hotel', name: '锦江之星隔离酒店', travelMinutes: 35, capacity: 50 },
      ],
      vehicles: [{ vehicleId: 'V1', seats: 4 }, { vehicleId: 'V2', seats: 4 }],
      escorts: [{ escortId: 'E1' }, { escortId: 'E2' }, { escortId: 'E3' }],
    });
    browser = await launchBrowser();
  }, { config, listen: true, timeoutMs: 300_000 });

  afterAll(async () => {
    await browser?.close();
  });

  /** A family of three and two people alone (the second with a wrong ID number) for the hotel, arriving soon, in local time as a sheet keeps it. */
  function manifestTable(delimiter: ',' | '\t'): string {
    const local = (minutes: number) => zonedIso(Date.now() + minutes * MINUTE, config.timeZone).slice(0, 16).replace('T', ' ');
    const hotel = registry.destination('hotel');
    const rows: Array<Record<string, string>> = [
      { name: '王建国', documentNumber: freshResidentId(), mobile: '13800138001', arrivalTime: local(2), destinationId: hotel, disposition: 'centralized_quarantine', familyGroup: '王家' },
      { name: '王芳', documentNumber: freshResidentId(), mobile: '13800138002', arrivalTime: local(2), destinationId: hotel, disposition: 'centralized_quarantine', familyGroup: '王家' },
      { name: '王小明', documentNumber: freshResidentId(), mobile: '13800138003', arrivalTime: local(3), destinationId: hotel, disposition: 'centralized_quarantine', familyGroup: '王家' },
      { name: '张伟', documentNumber: freshResidentId(), mobile: '13800138004', arrivalTime: local(1), destinationId: hotel, disposition: 'centralized_quarantine' },
      { name: '李娜', documentNumber: '110105', mobile: '13800138005', arrivalTime: local(4), destinationId: hotel, disposition: 'centralized_quarantine' },
    ];
    return stringify([MANIFEST_COLUMNS.map((c) => c.zh), ...rows.map((row) => MANIFEST_COLUMNS.map((c) => row[c.path] ?? ''))], { delimiter });
  }

  async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }

  async function shot(page: Page, name: string, lang: Language): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `dispatcher-${name}-desktop-${lang}.png`), fullPage: true });
  }

  /** The trip each person's row is in, by name. */
  async function tripsByName(page: Page): Promise<Map<string, string>> {
    const pairs = await page.$$eval('[data-testid^="trip-"][data-leg]', (cards) =>
      cards.flatMap((card) => [...card.querySelectorAll('tr[data-traveller] td:first-child')].map((cell) => [cell.textContent ?? '', card.getAttribute('data-testid')!.slice('trip-'.length)])),
    );
    return new Map(pairs as Array<[string, string]>);
  }

  it.each<Language>(['zh-CN', 'en'])('manifest → plan → move, pin, re-plan → dispatch → live legs and an exception → hand-over sheet (desktop, %s)', async (lang) => {
    const { context, page, errors } = await openPage(browser, 'desktop', lang, config.timeZone);
    await page.goto(`${base}/app/?lang=${lang}`);
    await logIn(page, account);
    await page.waitForURL(/\/app\/dispatcher\//);
    await page.getByTestId('runs').waitFor({ state: 'visible' });

    // A new run: every vehicle and escort of this test; the manifest from a csv file, or rows pasted from a spreadsheet.
    await page.click('nav.views a[data-view="new"]');
    await page.getByTestId('start-form').waitFor({ state: 'visible' });
    await page.selectOption('select[name="sortingPointId"]', registry.sortingPointId);
    await page.fill('input[name="supervisor"]', '王主任');
    for (const id of [...registry.vehicleIds, ...registry.escortIds]) await page.check(`input[type="checkbox"][value="${id}"]`);
    // The template to fill in, saved from the page (fetched with this tab's login).
    const [template] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-csv').click()]);
    expect(template.suggestedFilename()).toBe('transfer-manifest.csv');
    const header = (await streamText(await template.createReadStream())).replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    expect(header).toBe(MANIFEST_COLUMNS.map((c) => (lang === 'en' ? c.en : c.zh)).join(','));
    if (lang === 'zh-CN') await page.getByTestId('manifest-file').setInputFiles({ name: '转运名单.csv', mimeType: 'text/csv', buffer: Buffer.from(manifestTable(',')) });
    else {
      await page.getByTestId('manifest-paste').fill(manifestTable('\t'));
      await page.getByTestId('read-pasted').click();
    }
    await page.locator('table.manifest-table tbody tr').nth(4).waitFor({ state: 'visible' });
    expect(await page.locator('table.manifest-table tbody tr').count()).toBe(5);

    // The bad row: refused by its sheet row and field, its cell marked with the reason under it.
    await page.getByTestId('start-run').click();
    await page.getByTestId('start-error').waitFor({ state: 'visible' });
    expect(await page.getByTestId('start-error').textContent()).toContain(WORDS[lang].refused);
    const refused = page.getByTestId('start-refused').locator('tbody tr');
    expect(await refused.count()).toBe(1);
    expect(await refused.locator('td').nth(0).textContent()).toBe('6');
    expect(await refused.locator('td').nth(1).textContent()).toBe(WORDS[lang].documentNumber);
    const badCell = page.locator('td[data-field="travellers[4].documentNumber"]');
    expect(await badCell.getAttribute('class')).toContain('invalid');
    expect(await badCell.locator('.field-error').isVisible()).toBe(true);
    await shot(page, 'manifest-refused', lang);
    const [{ count: none }] = await db.query(`SELECT count(*)::int AS count FROM transfer_run WHERE sorting_point_id = $1`, [registry.sortingPointId]);

    // Corrected in the table, started: the plan as trips.
    await badCell.locator('input').fill(freshResidentId());
    await page.getByTestId('start-run').click();
    await page.waitForURL(/#\/run\//);
    const runId = decodeURIComponent(page.url().split('#/run/')[1]);
    await page.getByTestId('trips').locator('[data-leg]').first().waitFor({ state: 'visible' });
    const [{ count: started }] = await db.query(`SELECT count(*)::int AS count FROM transfer_run WHERE sorting_point_id = $1`, [registry.sortingPointId]);
    expect(started).toBe(none + 1);
    const trips = page.locator('[data-testid="trips"] > [data-leg]');
    expect(await trips.count()).toBe(2);
    let where = await tripsByName(page);
    // The family rides together; every card says its seats, and each person's wait.
    expect(new Set(['王建国', '王芳', '王小明'].map((name) => where.get(name))).size).toBe(1);
    expect(await trips.first().getByTestId('seats').textContent()).toMatch(/^\d \/ 4$/);
    expect(await page.locator('tr[data-traveller] td.num').first().textContent()).toMatch(/\d/);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'plan', lang);
    // Usable on a tablet held upright: nothing wider than the screen, trips one under another.
    await page.setViewportSize({ width: 820, height: 1180 });
    expect(await overflow(page)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, `dispatcher-plan-tablet-${lang}.png`), fullPage: true });
    await page.setViewportSize(VIEWPORTS.desktop);

    // Move someone who travels alone to the other trip, then pin that trip and re-plan the rest.
    const single = where.get('张伟') === where.get('王建国') ? '张伟' : where.get('李娜') === where.get('王建国') ? '李娜' : '张伟';
    const from = where.get(single)!;
    const to = [...new Set(where.values())].find((trip) => trip !== from)!;
    const travellerId = await page.locator(`[data-testid="trip-${from}"] tr[data-traveller]`, { hasText: single }).getAttribute('data-traveller');
    await page.selectOption(`[data-testid="move-${travellerId}"]`, to);
    await page.getByTestId('apply-plan').click();
    await eventually(() => page.getByTestId('run-message').textContent().catch(() => ''), (text) => Boolean(text?.includes(WORDS[lang].adjusted)), { what: 'the move saved' });
    where = await tripsByName(page);
    expect(where.get(single)).toBe(to);
    await page.check(`[data-testid="pin-${to}"]`);
    await page.getByTestId('replan').click();
    await eventually(() => page.getByTestId('run-message').textContent().catch(() => ''), (text) => Boolean(text?.includes(WORDS[lang].replanned)), { what: 'the re-plan' });
    expect(await page.locator(`[data-testid="trip-${to}"]`).textContent()).toContain(WORDS[lang].pinned);
    expect((await tripsByName(page)).get(single)).toBe(to);

    // Dispatch: the run runs; the pinned trip is dispatched at once (it boards within the lead time).
    await page.getByTestId('dispatch').click();
    await eventually(() => page.getByTestId('run-status').textContent(), (text) => text === WORDS[lang].running, { what: 'the run running' });
    const riders = (await tripsByName(page)).entries();
    const onTrip = [...riders].filter(([, trip]) => trip === to).map(([name]) => name);
    const ids = await Promise.all(onTrip.map((name) => page.locator(`[data-testid="trip-${to}"] tr[data-traveller]`, { hasText: name }).getAttribute('data-traveller')));
    const tripUrl = `/transfer-runs/${runId}/trips/${to}`;
    await eventually(async () => (await escort.get(tripUrl)).status, (status) => status === 200, { what: `trip ${to} dispatched`, timeoutMs: 60_000 });

    // The escort over the API: one person did not come, the others board, the vehicle leaves.
    const [absent, ...present] = ids as string[];
    await escort.post(`${tripUrl}/no-show`).send({ travellerId: absent, by: '随车 周' }).expect(200);
    for (const id of present) await escort.post(`${tripUrl}/boarded`).send({ travellerId: id, by: '随车 周' }).expect(200);
    await escort.post(`${tripUrl}/departed`).send({ by: '随车 周' }).expect(200);
    const card = page.locator(`[data-testid="trip-${to}"]`);
    await eventually(() => card.getAttribute('data-leg'), (leg) => leg === 'departed', { what: 'the departed leg on the page', timeoutMs: 20_000 });
    expect(await card.getByTestId('trip-leg').textContent()).toBe(WORDS[lang].departed);
    const exception = page.getByTestId('exceptions').locator('tr[data-exception]');
    await exception.first().waitFor({ state: 'visible' });
    expect(await exception.first().textContent()).toContain(WORDS[lang].noShow);
    expect(await overflow(page)).toBeUndefined();
    await shot(page, 'live', lang);

    // The dispatcher decides it here: re-plan the person who did not come.
    await exception.first().locator('button[data-decision="replan"]').click();
    await eventually(() => page.getByTestId('run-message').textContent().catch(() => ''), (text) => Boolean(text?.includes(WORDS[lang].decided)), { what: 'the decision' });
    await eventually(() => exception.first().textContent(), (text) => Boolean(text?.includes(WORDS[lang].resolved)), { what: 'the exception resolved' });

    // The run in the list of runs, one tap back to it.
    await page.click('nav.views a[data-view=""]');
    await page.locator(`[data-testid="runs"] a[data-run="${runId}"]`).waitFor({ state: 'visible' });
    await shot(page, 'runs', lang);
    await page.locator(`[data-testid="runs"] a[data-run="${runId}"]`).click();

    // The hand-over sheet, on A4.
    await page.getByTestId('open-sheet').click();
    const sheet = page.getByTestId('hand-over-sheet');
    await sheet.waitFor({ state: 'visible' });
    expect(await sheet.locator('tbody tr').count()).toBe(5);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 1123, height: 794 }); // A4 landscape at 96 dpi
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await sheet.locator('button').isVisible()).toBe(false);
    await page.screenshot({ path: join(SHOTS, `dispatcher-sheet-print-a4-${lang}.png`), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
