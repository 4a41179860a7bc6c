import { ConsoleLogger } from '@nestjs/common';

/** Nest's own lines (errors and warnings of the API and the worker's activities) as JSON, like the request and SDK lines. */
export function jsonLogger(): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: ['error', 'warn'] });
}
