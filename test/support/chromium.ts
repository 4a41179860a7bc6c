import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Debian's Chromium as the browser tests launch it (playwright-core): headless, without the sandbox
 * (tests may run as root), and quiet (no updates, sync or QUIC reaching out).
 */
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
};

/** Installs Debian's Chromium (and a CJK font) once per machine; a no-op when present. */
export function ensureChromium(): void {
  execFileSync('sh', [resolve(__dirname, '../../scripts/ensure-chromium.sh')], { stdio: 'inherit', timeout: 600_000 });
}
