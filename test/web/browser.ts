import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { CHROMIUM_LAUNCH, ensureChromium } from '../support/chromium';

/** Where the front end's browser tests leave their screenshots (README "Web front end"). */
export const SHOTS = resolve(__dirname, '../../test-results/web');

/** The sizes each page is looked at: a desktop, and a phone for field roles. */
export const VIEWPORTS = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } } as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** Debian's Chromium, once per test file; screenshots' folder made. */
export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch(CHROMIUM_LAUNCH);
}

/**
 * A fresh browser context (its own cookies and sessionStorage) at the size and in the language, a
 * page in it, and the script errors it reports (a test expects none).
 */
export async function openPage(browser: Browser, viewport: ViewportName, locale: 'zh-CN' | 'en', timeZone: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], locale, timezoneId: timeZone, isMobile: viewport === 'phone', hasTouch: viewport === 'phone' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Logs in through the page's own form. */
export async function logIn(page: Page, account: { username: string; password: string }): Promise<void> {
  await page.fill('input[name="username"]', account.username);
  await page.fill('input[name="password"]', account.password);
  await page.click('#login-submit');
}

/** The page wider than its viewport (something overflows sideways): the widths, else undefined. */
export async function overflow(page: Page): Promise<string | undefined> {
  const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
  return scroll > client ? `${scroll}px wide in a ${client}px viewport` : undefined;
}

/** This tab's bearer token as the page keeps it (sessionStorage), and what localStorage holds. */
export function storedLogin(page: Page): Promise<{ token: string | null; localKeys: string[] }> {
  return page.evaluate('({ token: sessionStorage.getItem("epi-token"), localKeys: Object.keys(localStorage) })');
}
