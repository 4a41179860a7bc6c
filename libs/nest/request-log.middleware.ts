import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { inRequest, logLine } from './json-logger';
import type { AuditedRequest } from '../audit/audit.service';

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is kept only if it is short and plain, so it is safe in logs and headers.
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Jest sets JEST_WORKER_ID: tests stay quiet unless EPI_HTTP_LOG=1 asks for the lines. */
export function httpLogEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.EPI_HTTP_LOG !== undefined) return env.EPI_HTTP_LOG === '1';
  return env.JEST_WORKER_ID === undefined;
}

/**
 * The API's first middleware: gives each request an id (the caller's `x-request-id` if it sent a
 * usable one), answers with it, serves the request in its scope, so every line logged meanwhile
 * carries it (libs/nest/json-logger.ts), and writes one line per request: method, path, status, ms,
 * user, workflowId.
 */
export function requestLog(): RequestHandler {
  const enabled = httpLogEnabled();
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const offered = request.header(REQUEST_ID_HEADER);
    const requestId = offered && ACCEPTED_ID.test(offered) ? offered : randomUUID();
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    if (enabled) {
      response.once('finish', () =>
        logLine(response.statusCode >= 500 ? 'error' : 'info', 'http', {
          requestId,
          method: request.method,
          // The path only: query strings can carry names and ID numbers; a report link's token is a login.
          path: request.originalUrl.split('?')[0].replace(/^\/(r|self-report)\/(?!assets\/)[^/]+/, '/$1/<token>'),
          status: response.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
          // Set by the auth guard: who, and the workflow the route addresses.
          user: (request as AuditedRequest).principal?.username,
          workflowId: (request as AuditedRequest).auditRecord?.workflowId,
        }),
      );
    }
    inRequest(requestId, next);
  };
}
