/**
 * The commands' one argument parser (apps/cli/command-line.ts), and each command answering --help
 * and refusing what it does not take without starting anything.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandSpec, OptionSpec, parseCommandLine, UsageError } from '../../apps/cli/command-line';
import { nodeEntry, PROJECT_ROOT } from '../../libs/config/checkout';

const bench = {
  usage: 'npm run bench -- [options]',
  about: 'Runs the benchmarks.',
  options: {
    size: { type: 'number', integer: true, default: 17_000, description: 'people' },
    only: { type: 'list', choices: ['enrol', 'storm'], description: 'the benchmarks to run' },
    'worker-node-args': { type: 'string', description: 'node flags for the worker' },
    keep: { type: 'boolean', description: 'keep the files' },
  },
} satisfies CommandSpec<Record<string, OptionSpec>>;

const importLedger = {
  usage: 'npm run import-ledger -- <file> [options]',
  about: 'Imports a ledger.',
  positionals: [{ name: 'file', description: 'the ledger' }],
  options: { 'stall-seconds': { type: 'number', default: 120, description: 'stall limit' } },
} satisfies CommandSpec<Record<string, OptionSpec>>;

const values = (spec: CommandSpec<Record<string, OptionSpec>>, argv: string[]) => {
  const read = parseCommandLine(spec, argv);
  if (!('values' in read)) throw new Error('help asked');
  return read;
};
const refusal = (spec: CommandSpec<Record<string, OptionSpec>>, argv: string[]) => {
  try {
    parseCommandLine(spec, argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was taken`);
};

describe('the command-line parser', () => {
  it('reads --size=2000 and --size 2000 alike, and fills in the defaults', () => {
    expect(values(bench, ['--size=2000']).values).toEqual({ size: 2000, only: undefined, 'worker-node-args': undefined, keep: undefined });
    expect(values(bench, ['--size', '2000']).values).toEqual(values(bench, ['--size=2000']).values);
    expect(values(bench, []).values.size).toBe(17_000);
  });

  it('reads lists, flags, values that start with a dash, and positionals', () => {
    expect(values(bench, ['--only=enrol,storm', '--keep', '--worker-node-args', '--cpu-prof --cpu-prof-dir=/tmp/p']).values).toMatchObject({
      only: ['enrol', 'storm'],
      keep: true,
      'worker-node-args': '--cpu-prof --cpu-prof-dir=/tmp/p',
    });
    expect(values(importLedger, ['ledger.xlsx', '--stall-seconds', '2.5'])).toEqual({ values: { 'stall-seconds': 2.5 }, positionals: ['ledger.xlsx'] });
  });

  it('refuses what the command does not take, in one line naming it', () => {
    expect(refusal(bench, ['--sise=2000'])).toBe('unknown option --sise');
    expect(refusal(bench, ['-s', '2000'])).toBe('unknown option -s');
    expect(refusal(bench, ['--size'])).toBe('--size needs a value');
    expect(refusal(bench, ['--size=2,000'])).toBe('--size must be a whole number above 0, not "2,000"');
    expect(refusal(bench, ['--size', '0'])).toBe('--size must be a whole number above 0, not "0"');
    expect(refusal(bench, ['--keep=yes'])).toBe('--keep takes no value');
    expect(refusal(bench, ['--only', 'enrol,list'])).toBe('--only: "list" is not one of enrol,storm');
    expect(refusal(bench, ['2000'])).toBe('unexpected argument "2000"');
    expect(refusal(importLedger, ['--stall-seconds', '5'])).toBe('missing <file>');
    expect(refusal(importLedger, ['a.csv', 'b.csv'])).toBe('unexpected argument "b.csv"');
  });

  it('answers --help or -h with the usage and every option, whatever else is on the line', () => {
    for (const argv of [['--help'], ['-h'], ['--size=nonsense', '--help']]) {
      const read = parseCommandLine(bench, argv);
      expect(read).toEqual({ help: expect.stringContaining('usage: npm run bench -- [options]') });
    }
    const help = (parseCommandLine(importLedger, ['-h']) as { help: string }).help;
    expect(help.split('\n')).toEqual([
      'usage: npm run import-ledger -- <file> [options]',
      '',
      'Imports a ledger.',
      '',
      '  <file>             the ledger',
      '  --stall-seconds N  stall limit (default 120)',
      '  -h, --help         print this text and exit',
      '',
    ]);
  });
});

describe('the commands', () => {
  // The start command's first step makes its data folder: a help that started anything would leave it.
  const dataDir = path.join(os.tmpdir(), `epi-ops-help-${process.pid}`);
  afterEach(() => expect(fs.existsSync(dataDir)).toBe(false));

  const run = (entry: string, argv: string[]) => {
    const { status, stdout, stderr } = spawnSync(process.execPath, [...nodeEntry(entry), ...argv], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, EPI_DATA_DIR: dataDir } });
    return { status, stdout, stderr };
  };

  it.each([
    ['apps/cli/start', 'usage: npm start'],
    ['apps/cli/bench', 'usage: npm run bench -- [options]'],
    ['apps/cli/import-ledger', 'usage: npm run import-ledger -- <file> [options]'],
  ])('%s answers --help and starts nothing', (entry, usage) => {
    const { status, stdout, stderr } = run(entry, ['--help']);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout.startsWith(`${usage}\n`)).toBe(true);
    expect(stdout).toContain('-h, --help');
    expect(stdout).not.toMatch(/^\[/m); // no line of a command at work
  });

  it.each([
    ['apps/cli/start', ['--port=3000'], '[start] unknown option --port (see --help)\n'],
    ['apps/cli/bench', ['--size=0'], '[bench] --size must be a whole number above 0, not "0" (see --help)\n'],
    ['apps/cli/import-ledger', ['--user', 'li'], '[import-ledger] missing <file> (see --help)\n'],
  ])('%s refuses %j with one line and exit code 64, starting nothing', (entry, argv, line) => {
    expect(run(entry, argv)).toMatchObject({ status: 64, stdout: '', stderr: line });
  });
});
