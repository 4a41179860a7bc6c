/**
 * The command line of the project's commands (`start`, `bench`, `import-ledger`), read one way by
 * `node:util` parseArgs: `--size=2000` and `--size 2000` alike, `-h`/`--help` answered without
 * starting anything, anything unknown refused with one line.
 */
import { parseArgs } from 'node:util';

type Kind = 'string' | 'number' | 'boolean' | 'list';
type ValueOf<K extends Kind> = K extends 'number' ? number : K extends 'boolean' ? boolean : K extends 'list' ? string[] : string;

export interface OptionSpec<K extends Kind = Kind> {
  /** `number`: a number above 0 (`integer`: a whole one); `list`: comma-separated, each one of `choices`. */
  type: K;
  integer?: boolean;
  choices?: readonly string[];
  default?: ValueOf<K>;
  /** The value's name in the help, e.g. `N`, `URL`. */
  value?: string;
  description: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** How it is run, e.g. `npm run bench -- [options]`. */
  usage: string;
  /** What it does, a few lines. */
  about: string;
  options: O;
  /** Its positional arguments, in order. */
  positionals?: Array<{ name: string; description: string; optional?: boolean }>;
}

export type OptionValues<O extends Record<string, OptionSpec>> = {
  [N in keyof O]: O[N] extends { default: unknown } ? ValueOf<O[N]['type']> : ValueOf<O[N]['type']> | undefined;
};

export type CommandLine<O extends Record<string, OptionSpec>> = { help: string } | { values: OptionValues<O>; positionals: string[] };

/** A command line the command does not take; its message is the one line shown. */
export class UsageError extends Error {}

/** The text `--help` prints. */
export function helpText<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const rows: Array<[string, string]> = [
    ...(spec.positionals ?? []).map(({ name, description, optional }): [string, string] => [optional ? `[<${name}>]` : `<${name}>`, description]),
    ...Object.entries(spec.options).map(([name, option]): [string, string] => [
      `--${name}${option.type === 'boolean' ? '' : ` ${option.value ?? (option.type === 'number' ? 'N' : 'VALUE')}`}`,
      `${option.description}${option.choices ? `, of ${option.choices.join(',')}` : ''}${option.default === undefined ? '' : ` (default ${option.default})`}`,
    ]),
    ['-h, --help', 'print this text and exit'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [`usage: ${spec.usage}`, '', spec.about, '', ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`), ''].join('\n');
}

/** Reads `argv` by `spec`: the help asked for, or the values (defaults filled in) and positionals; a UsageError otherwise. */
export function parseCommandLine<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: string[]): CommandLine<O> {
  const declared = Object.fromEntries(Object.entries(spec.options).map(([name, option]) => [name, { type: option.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]));
  // Not strict: every token is checked below, so each refusal is one line of this command's words.
  const { values, tokens } = parseArgs({ args: argv, options: { ...declared, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true });
  if (values.help === true) return { help: helpText(spec) };
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = spec.options[token.name];
    if (!option) throw new UsageError(`unknown option ${token.rawName}`);
    if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
    if (option.type !== 'boolean' && token.value === undefined) throw new UsageError(`${token.rawName} needs a value`);
  }
  const expected = spec.positionals ?? [];
  if (positionals.length > expected.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[expected.length])}`);
  const missing = expected.slice(positionals.length).find((positional) => !positional.optional);
  if (missing) throw new UsageError(`missing <${missing.name}>`);
  const read: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    const given = values[name];
    read[name] = given === undefined ? option.default : typeof given === 'string' ? optionValue(name, option, given) : given;
  }
  return { values: read as OptionValues<O>, positionals };
}

function optionValue(name: string, option: OptionSpec, given: string): unknown {
  if (option.type === 'number') {
    const n = Number(given);
    if (!(n > 0) || !Number.isFinite(n) || (option.integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a ${option.integer ? 'whole number' : 'number'} above 0, not ${JSON.stringify(given)}`);
    return n;
  }
  if (option.type === 'list') {
    const items = given.split(',').filter(Boolean);
    const unknown = items.find((item) => option.choices && !option.choices.includes(item));
    if (unknown !== undefined) throw new UsageError(`--${name}: ${JSON.stringify(unknown)} is not one of ${option.choices!.join(',')}`);
    return items;
  }
  return given;
}

/** EX_USAGE: a command line the command does not take. */
const EX_USAGE = 64;

/**
 * For a command's entry point: its values, or the process ends here, having printed the help
 * (exit 0) or one line naming what is wrong (exit 64).
 */
export function commandLine<const O extends Record<string, OptionSpec>>(name: string, spec: CommandSpec<O>, argv = process.argv.slice(2)): { values: OptionValues<O>; positionals: string[] } {
  try {
    const read = parseCommandLine(spec, argv);
    if ('values' in read) return read;
    process.stdout.write(read.help);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`[${name}] ${error.message} (see --help)\n`);
    process.exit(EX_USAGE);
  }
}
