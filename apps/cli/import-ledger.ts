/**
 * Imports a ledger file through the running API and shows its progress:
 *   EPI_PASSWORD=… npm run import-ledger -- ledger.xlsx --user li.worker [--api http://127.0.0.1:3000]
 * (or EPI_TOKEN=<access token> instead of --user and EPI_PASSWORD). Rows outside the user's
 * jurisdiction are refused. Rejected rows are printed with their sheet row, field and reason at the end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

interface ImportStatus {
  id: string;
  state: string;
  totalRows: number;
  processedRows: number;
  accepted: number;
  rejected: number;
  error?: string;
  /** When the upload is refused: the problem's detail. */
  detail?: string;
  results?: Array<{ row: number; status: string; field?: string; reason?: string }>;
}

/** The bearer token: EPI_TOKEN, or a login with --user and EPI_PASSWORD. */
async function accessToken(api: string): Promise<string> {
  if (process.env.EPI_TOKEN) return process.env.EPI_TOKEN;
  const username = option('user', process.env.EPI_USER ?? '');
  if (!username || !process.env.EPI_PASSWORD) throw new Error('log in: --user NAME with EPI_PASSWORD in the environment, or EPI_TOKEN');
  const response = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: process.env.EPI_PASSWORD }) });
  const body = (await response.json()) as { accessToken?: string; detail?: string };
  if (!response.ok || !body.accessToken) throw new Error(`login failed (${response.status}): ${body.detail}`);
  return body.accessToken;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file || file.startsWith('--')) throw new Error('usage: import-ledger <file.csv|file.xlsx> --user NAME [--api URL]  (EPI_PASSWORD or EPI_TOKEN in the environment)');
  const api = option('api', `http://127.0.0.1:${process.env.API_PORT || 3000}`);
  const headers = { authorization: `Bearer ${await accessToken(api)}` };
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(file)]), path.basename(file));
  const started = await fetch(`${api}/persons/import`, { method: 'POST', body: form, headers });
  const job = (await started.json()) as ImportStatus;
  if (!started.ok) throw new Error(`${started.status}: ${job.detail ?? JSON.stringify(job)}`);
  const began = Date.now();
  let status = job;
  while (status.state === 'running') {
    const rate = status.processedRows / Math.max(1, (Date.now() - began) / 1000);
    process.stderr.write(`\r${bar(status.processedRows, status.totalRows)}  accepted ${status.accepted}  rejected ${status.rejected}  ${rate.toFixed(0)} rows/s   `);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    status = (await (await fetch(`${api}/imports/${job.id}?results=none`, { headers })).json()) as ImportStatus;
  }
  status = (await (await fetch(`${api}/imports/${job.id}?results=rejected`, { headers })).json()) as ImportStatus;
  process.stderr.write(`\r${bar(status.processedRows, status.totalRows)}  accepted ${status.accepted}  rejected ${status.rejected}  in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  for (const r of status.results ?? []) console.log(`row ${r.row}: ${r.status}${r.field ? ` ${r.field}` : ''} — ${r.reason}`);
  if (status.state !== 'done') throw new Error(`import ${status.state}: ${status.error}`);
}

main().catch((error) => {
  console.error(`[import-ledger] ${(error as Error).message}`);
  process.exit(1);
});
