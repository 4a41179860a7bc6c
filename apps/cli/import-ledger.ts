/**
 * Imports a ledger file through the running API and shows its progress:
 *   EPI_PASSWORD=… npm run import-ledger -- ledger.xlsx --user li.worker [--api http://127.0.0.1:3000] [--stall-seconds 120]
 * (or EPI_TOKEN=<access token> instead of --user and EPI_PASSWORD). Rows outside the user's
 * jurisdiction are refused. Rejected rows are printed with their sheet row, field and reason at the end.
 * It stops with a message when the import fails, or when no row has been done for --stall-seconds
 * (no worker running, the database down): the import itself goes on once that is fixed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandLine } from './command-line';

const { values: args, positionals: [file] } = commandLine('import-ledger', {
  usage: 'npm run import-ledger -- <file> [options]',
  about: [
    'Imports a ledger (.csv or .xlsx) through the running API, shows its progress and prints the rows refused, with the reason.',
    'Logs in as --user with the password in EPI_PASSWORD, or sends the access token in EPI_TOKEN.',
  ].join('\n'),
  positionals: [{ name: 'file', description: 'the ledger, .csv or .xlsx' }],
  options: {
    user: { type: 'string', value: 'NAME', description: 'log in as this account with EPI_PASSWORD (or EPI_USER; not needed with EPI_TOKEN)' },
    api: { type: 'string', value: 'URL', default: `http://127.0.0.1:${process.env.API_PORT || 3000}`, description: 'the API' },
    'stall-seconds': { type: 'number', default: 120, description: 'stop when no row has been done for this long' },
  },
});

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
  results?: Array<{ row: number; status: string; field?: string; reason?: string }>;
}

/** The bearer token: EPI_TOKEN, or a login with --user and EPI_PASSWORD. */
async function accessToken(api: string): Promise<string> {
  if (process.env.EPI_TOKEN) return process.env.EPI_TOKEN;
  const username = args.user ?? process.env.EPI_USER ?? '';
  if (!username || !process.env.EPI_PASSWORD) throw new Error('log in: --user NAME with EPI_PASSWORD in the environment, or EPI_TOKEN');
  const response = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: process.env.EPI_PASSWORD }) });
  const body = (await response.json()) as { accessToken?: string; detail?: string };
  if (!response.ok || !body.accessToken) throw new Error(`login failed (${response.status}): ${body.detail}`);
  return body.accessToken;
}

async function readJson<T>(response: Response): Promise<T> {
  const body = (await response.json()) as T & { detail?: string };
  if (!response.ok) throw new Error(`${response.status}: ${body.detail ?? JSON.stringify(body)}`);
  return body;
}

async function main(): Promise<void> {
  const { api, 'stall-seconds': stallSeconds } = args;
  const headers = { authorization: `Bearer ${await accessToken(api)}` };
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(file)]), path.basename(file));
  const job = await readJson<ImportStatus>(await fetch(`${api}/persons/import`, { method: 'POST', body: form, headers }));
  const began = Date.now();
  let status = job;
  let lastProgress = { rows: status.processedRows, at: Date.now() };
  let pollError = '';
  while (status.state === 'running') {
    const rate = status.processedRows / Math.max(1, (Date.now() - began) / 1000);
    process.stderr.write(`\r${bar(status.processedRows, status.totalRows)}  accepted ${status.accepted}  rejected ${status.rejected}  ${rate.toFixed(0)} rows/s   `);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    try {
      status = await readJson<ImportStatus>(await fetch(`${api}/imports/${job.id}?results=none`, { headers }));
      pollError = '';
    } catch (error) {
      pollError = ` (the API does not answer: ${(error as Error).message})`; // it may be restarting: keep asking until the stall limit
    }
    if (status.processedRows !== lastProgress.rows) lastProgress = { rows: status.processedRows, at: Date.now() };
    else if (Date.now() - lastProgress.at > stallSeconds * 1000) {
      process.stderr.write('\n');
      throw new Error(
        `import ${job.id} made no progress for ${stallSeconds} s at ${status.processedRows}/${status.totalRows} rows${pollError}. ` +
          `Check that a worker and the database are up (GET /health); the import resumes by itself when they are. Follow it with GET /imports/${job.id}.`,
      );
    }
  }
  status = await readJson<ImportStatus>(await fetch(`${api}/imports/${job.id}?results=rejected`, { headers }));
  process.stderr.write(`\r${bar(status.processedRows, status.totalRows)}  accepted ${status.accepted}  rejected ${status.rejected}  in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  for (const r of status.results ?? []) console.log(`row ${r.row}: ${r.status}${r.field ? ` ${r.field}` : ''} — ${r.reason}`);
  if (status.state !== 'done') throw new Error(`import ${job.id} ${status.state}: ${status.error}`);
}

main().catch((error) => {
  console.error(`[import-ledger] ${(error as Error).message}`);
  process.exit(1);
});
