/**
 * The front end's shell in a real browser (Debian's Chromium driven by playwright-core) against the
 * real API and PostgreSQL: every page is served whole with the one shared head; /app/ asks for a login and says why one failed; the bearer token is kept
 * in this tab's sessionStorage (never localStorage); an administrator (a role without a page of its
 * own) lands on links to the pages that exist for the role, in zh-CN and in English; a reload keeps the login; a logout forgets the token.
 * At desktop and phone size. Screenshots go to test-results/web/.
 */
import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { UsersService } from '../../libs/auth/users.service';
import { PROJECT_ROOT } from '../../libs/config/checkout';
import { testConfig } from '../support/environment';
import { launchBrowser, logIn, openPage, overflow, SHOTS, storedLogin, ViewportName } from './browser';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);

describe('web front end shell in Chromium (API, PostgreSQL)', () => {
  const config = testConfig();
  const suffix = Date.now() % 100_000;
  const admin = { username: `shell-admin-${suffix}`, displayName: '王管理', password: `admin-pass-${suffix}-x` };
  let api: INestApplication;
  let base: string;
  let browser: Browser;

  systemPerFile(async (system) => {
    ({ api, base } = system);
    await api.get(UsersService).create({ ...admin, role: 'admin', subdistrict: 'XYL', community: null });
    browser = await launchBrowser();
  }, { config, worker: false, listen: true });

  afterAll(async () => {
    await browser?.close();
  });

  it('serves every page whole, with the one shared head (viewport, theme, shell) and its own title and script', async () => {
    const shared = (name: string) => readFileSync(join(PROJECT_ROOT, 'apps', 'web', 'shared', name), 'utf8');
    const head = shared('head.html').replace('<!--#include document-head.html-->\n', shared('document-head.html'));
    for (const [area, script] of [['', 'landing'], ...['worker', 'dispatcher', 'trips', 'receiver', 'duty', 'inbox', 'supervisor'].map((a) => [a, `${a}/${a}`])]) {
      const response = await fetch(`${base}/app/${area}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html.startsWith(head)).toBe(true);
      expect(html).not.toContain('#include');
      expect(html).toMatch(/^ {2}<title>[^<]+<\/title>$/m);
      expect(html).toContain(`<script type="module" src="/app/${script}.js"></script>`);
    }
  });

  it.each<ViewportName>(['desktop', 'phone'])('logs in, lands by role, speaks both languages, keeps the token in this tab only (%s)', async (size) => {
    const { context, page, errors } = await openPage(browser, size, 'zh-CN', config.timeZone);
    const response = await page.goto(`${base}/app/`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
    expect(await page.locator('h1').textContent()).toBe('疫情防控工作台');
    expect(await page.locator('main').isVisible()).toBe(false);

    await logIn(page, { username: admin.username, password: 'not-the-password' });
    await page.getByTestId('login-error').waitFor({ state: 'visible' });
    expect(await page.getByTestId('login-error').textContent()).toBe('用户名或密码错误');
    await page.screenshot({ path: join(SHOTS, `shell-login-wrong-${size}-zh.png`) });

    await logIn(page, admin);
    const landing = page.getByTestId('landing');
    await landing.waitFor({ state: 'visible' });
    expect(await landing.locator('h2').textContent()).toBe('您好，王管理');
    expect(await landing.locator('a').first().getAttribute('href')).toBe('/dashboard');
    expect(await page.getByTestId('user-name').textContent()).toBe('王管理');
    const stored = await storedLogin(page);
    expect(stored.token?.split('.')).toHaveLength(3); // a JWT
    expect(stored.localKeys).toEqual([]);
    expect(await overflow(page)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, `shell-landing-admin-${size}-zh.png`) });

    await page.click('button[data-lang="en"]');
    expect(await landing.locator('h2').textContent()).toBe('Hello, 王管理');
    expect(await landing.locator('a').first().textContent()).toContain('Dashboard');
    expect(await page.getByTestId('user-scope').textContent()).toBe('Administrator · Subdistrict XYL');
    await page.screenshot({ path: join(SHOTS, `shell-landing-admin-${size}-en.png`) });

    // A reload keeps the login (this tab's token) and the language chosen.
    await page.reload();
    await landing.waitFor({ state: 'visible' });
    expect(await landing.locator('h2').textContent()).toBe('Hello, 王管理');

    await page.getByTestId('logout').click();
    await page.getByTestId('login-note').waitFor({ state: 'visible' });
    expect(await page.getByTestId('login-note').textContent()).toBe('You have logged out.');
    expect((await storedLogin(page)).token).toBeNull();
    expect(await page.locator('main').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});
