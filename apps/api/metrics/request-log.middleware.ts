import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
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
 * Gives each request an id (the caller's `x-request-id` if it sent a usable one) and answers with
 * it, then writes one JSON line per request to stdout: method, path, status, ms, requestId, user,
 * workflowId.
 */
@Injectable()
export class RequestLogMiddleware implements NestMiddleware {
  private readonly enabled = httpLogEnabled();

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    const offered = request.header(REQUEST_ID_HEADER);
    const requestId = offered && ACCEPTED_ID.test(offered) ? offered : randomUUID();
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    if (this.enabled) {
      response.once('finish', () => {
        const line = {
          time: new Date().toISOString(),
          level: response.statusCode >= 500 ? 'error' : 'info',
          msg: 'http',
          method: request.method,
          // The path only: query strings can carry names and ID numbers.
          path: request.originalUrl.split('?')[0],
          status: response.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
          requestId,
          // Set by the auth guard: who, and the workflow the route addresses.
          user: (request as AuditedRequest).principal?.username,
          workflowId: (request as AuditedRequest).auditRecord?.workflowId,
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      });
    }
    next();
  }
}
