import { ConsoleLogger, LoggerService, LogLevel } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect } from 'node:util';

const requestScope = new AsyncLocalStorage<string>();

/** Runs `serve` (and everything it awaits) as part of the request `requestId`: each line it logs carries the id. */
export function inRequest<T>(requestId: string, serve: () => T): T {
  return requestScope.run(requestId, serve);
}

/**
 * The one shape of every log line of the API and the worker, whoever writes it (the request log,
 * Nest, the Temporal SDK, the entry points): one JSON object per line,
 * `{ time, level, msg, requestId?, ...fields }`; `level` is trace, debug, info, warn or error, and
 * warnings and errors go to stderr, the rest to stdout.
 */
export function logLine(level: string, msg: string, fields: Record<string, unknown> = {}, time = new Date()): void {
  const requestId = requestScope.getStore();
  const line = { time: time.toISOString(), level, msg, ...(requestId === undefined ? {} : { requestId }), ...fields };
  // Errors as their name and message (their other properties may hold what a caller passed in); bigints as text.
  const text = JSON.stringify(line, (_, value) => (value instanceof Error ? { name: value.name, message: value.message } : typeof value === 'bigint' ? String(value) : value));
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${text}\n`);
}

const NEST_LEVELS: Record<LogLevel, string> = { verbose: 'trace', debug: 'debug', log: 'info', warn: 'warn', error: 'error', fatal: 'error' };

/** Nest's own lines (its errors and warnings, the services' `Logger`s) in the project's shape; Nest works out context and stack. */
class JsonLogger extends ConsoleLogger {
  protected override printAsJson(message: unknown, options: { context?: string; logLevel: LogLevel; errorStack?: unknown }): void {
    const msg = typeof message === 'string' ? message : message instanceof Error ? message.message : inspect(message, { breakLength: Infinity });
    logLine(NEST_LEVELS[options.logLevel], msg, { context: options.context || undefined, stack: options.errorStack });
  }
}

/** For NestFactory's `logger`: errors and warnings only (Nest's start-up chatter left out). */
export function jsonLogger(): LoggerService {
  return new JsonLogger({ json: true, logLevels: ['error', 'warn'] });
}
