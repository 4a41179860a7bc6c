import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DomainError, FieldProblem } from '../domain/errors';

/**
 * Every error body is an RFC 9457 problem: `type` (a URI naming the code), `title` (the code's
 * summary), `status`, `detail` (this occurrence), `code` (stable, for programs), `errors` (each
 * field and its reason, when fields are at fault) and extension members (e.g. `observationNumber`
 * of a 409, `limit` of a 413).
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The stable codes and their statuses; a client branches on `code`, never on the wording. */
export const PROBLEM_CODES = {
  malformed_request: { status: 400, title: 'The request cannot be read' },
  unauthenticated: { status: 401, title: 'Not logged in' },
  forbidden: { status: 403, title: 'Not allowed for this login' },
  not_found: { status: 404, title: 'No such record' },
  route_not_found: { status: 404, title: 'No such route' },
  gone: { status: 410, title: 'No longer available' },
  conflict: { status: 409, title: 'Conflicts with the current state' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body has a content type this route does not take' },
  invalid: { status: 422, title: 'A field is invalid' },
  locked: { status: 423, title: 'The account is locked' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'A service the request needs is unavailable' },
  audit_unavailable: { status: 503, title: 'The audit log cannot be written' },
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

/** The OpenAPI schema of a problem body. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', example: 'tag:epi-ops,2026:problem:invalid' },
    title: { type: 'string', example: PROBLEM_CODES.invalid.title },
    status: { type: 'integer', minimum: 400, maximum: 599, example: 422 },
    detail: { type: 'string', example: 'temperature: must be between 34.0 and 43.0 °C' },
    code: { type: 'string', pattern: '^[a-z0-9_]+$', description: `stable: ${Object.keys(PROBLEM_CODES).join(', ')}`, example: 'invalid' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'reason'], properties: { field: { type: 'string', example: 'temperature' }, reason: { type: 'string' } } },
    },
  },
  additionalProperties: true,
} as const;

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { description?: string; content?: Record<string, unknown> }> }>>;
  components?: { schemas?: Record<string, unknown> };
}

/** Every operation's error answers (its documented 4xx, and any other 4xx or 5xx) are problem bodies. */
export function documentProblems<T>(document: T): T {
  const doc = document as unknown as OpenApiDocument;
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem: PROBLEM_SCHEMA } };
  const content = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } };
  for (const operations of Object.values(doc.paths)) {
    for (const operation of Object.values(operations)) {
      const responses = (operation.responses ??= {});
      for (const [status, response] of Object.entries(responses)) if (Number(status) >= 400 && !response.content) response.content = content;
      responses['4XX'] ??= { description: 'Refused: a problem naming the reason (and each field at fault)', content };
      responses['5XX'] ??= { description: 'Failed or unavailable: a problem naming the reason', content };
    }
  }
  return document;
}

/** An HTTP-level refusal (content type, size, audit) with its code; domain refusals are DomainErrors. */
export class HttpProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

/** A problem of one of the codes above. */
export function problem(code: ProblemCode, detail: string, extensions: Record<string, unknown> = {}): ProblemDetails {
  const { status, title } = PROBLEM_CODES[code];
  return { type: problemType(code), title, status, detail, code, ...extensions };
}

/** Not dereferenced: a tag URI (RFC 4151) whose last part is the code. */
const problemType = (code: string) => `tag:epi-ops,2026:problem:${code}`;

/** A problem for a status none of the codes covers (a framework's own HttpException). */
function problemOfStatus(status: number, detail: string, extensions: Record<string, unknown>): ProblemDetails {
  const known = Object.entries(PROBLEM_CODES).find(([, p]) => p.status === status);
  if (known) return problem(known[0] as ProblemCode, detail, extensions);
  const title = STATUS_CODES[status] ?? `HTTP ${status}`;
  const code = title.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return { type: problemType(code), title, status, detail, code, ...extensions };
}

const DOMAIN_CODES: Record<DomainError['kind'], ProblemCode> = { not_found: 'not_found', gone: 'gone', conflict: 'conflict', invalid: 'invalid', unavailable: 'unavailable', forbidden: 'forbidden' };

/** Connection failures of PostgreSQL or Temporal: the caller may retry, so 503 with the reason. */
export function unavailableReason(error: unknown): string | undefined {
  const e = error as { code?: unknown; message?: string; name?: string };
  const message = e?.message ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', 'ETIMEDOUT'].includes(String(e?.code)) || /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/.test(message)) {
    return `database unavailable: ${message}`;
  }
  if (e?.name === 'ServiceError' || e?.name === 'TransportError' || /14 UNAVAILABLE|DEADLINE_EXCEEDED|Failed to connect/.test(message)) {
    return `Temporal unavailable: ${message}`;
  }
  return undefined;
}

/** The errors of Express's body parser carry a `type` and the status they mean. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
  limit?: number;
  length?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError>;
  return typeof e?.type === 'string' && /^(entity|encoding|charset|request|parameters|stream)\./.test(e.type) && typeof e.status === 'number';
}

function bodyParserProblem(error: BodyParserError): ProblemDetails {
  if (error.type === 'entity.too.large') {
    return problem('payload_too_large', `the request body is ${error.length} bytes; this route takes at most ${error.limit} bytes`, { limit: error.limit });
  }
  if (error.type === 'entity.parse.failed') return problem('malformed_request', `the request body is not valid JSON: ${error.message}`);
  if (error.status === 415) return problem('unsupported_media_type', error.message);
  return problemOfStatus(error.status, error.message, {});
}

/** Nest's own HttpExceptions carry `{ message, error }` or the project's `{ error: code, message, problems, …extensions }`. */
function httpExceptionProblem(error: HttpException, request?: Request): ProblemDetails {
  const status = error.getStatus();
  const payload = error.getResponse();
  const { error: label, message, problems, statusCode: _status, ...extensions } = (typeof payload === 'string' ? { message: payload } : payload) as Record<string, unknown>;
  const detail = Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
  const errors = Array.isArray(problems) ? { errors: problems as FieldProblem[] } : {};
  // An unmatched route reaches here from Nest's fallback handler, with no route on the request.
  if (status === 404 && request && !request.route) return problem('route_not_found', detail);
  const code = typeof label === 'string' && label in PROBLEM_CODES ? (label as ProblemCode) : undefined;
  return code && PROBLEM_CODES[code].status === status ? problem(code, detail, { ...errors, ...extensions }) : problemOfStatus(status, detail, { ...errors, ...extensions });
}

/** One shape for every error body (RFC 9457). Never a bare 500 for bad input. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const { status, body } = errorResponse(error, http.getRequest<Request>());
    if (status >= 500 && body.code !== 'unavailable' && body.code !== 'audit_unavailable') this.logger.error((error as Error)?.stack ?? String(error));
    if (response.headersSent) return void response.end();
    response.status(status).type(PROBLEM_CONTENT_TYPE).json(body);
  }
}

/** The status and problem an error is answered with (the audit log records the same status). */
export function errorResponse(error: unknown, request?: Request): { status: number; body: ProblemDetails } {
  const body = problemOf(error, request);
  return { status: body.status, body };
}

function problemOf(error: unknown, request?: Request): ProblemDetails {
  if (error instanceof DomainError) {
    const errors = error.problems.length ? { errors: error.problems } : {};
    return problem(DOMAIN_CODES[error.kind], error.message, { ...errors, ...error.details });
  }
  if (error instanceof HttpProblem) return problem(error.code, error.message, error.extensions);
  if (error instanceof HttpException) return httpExceptionProblem(error, request);
  if (isBodyParserError(error)) return bodyParserProblem(error);
  if (error instanceof WorkflowNotFoundError) return problem('not_found', `workflow ${error.workflowId} not found`);
  // A rejected Temporal update: the validator's ApplicationFailure carries the domain error's kind as its type.
  const failure = error instanceof WorkflowUpdateFailedError ? error.cause : error;
  if (failure instanceof ApplicationFailure && failure.type && failure.type in DOMAIN_CODES) {
    const [problems] = (failure.details ?? []) as [FieldProblem[] | undefined];
    return problem(DOMAIN_CODES[failure.type as DomainError['kind']], failure.message, problems?.length ? { errors: problems } : {});
  }
  const reason = unavailableReason(error);
  if (reason) return problem('unavailable', reason);
  return problem('internal_error', 'internal error; see the server log');
}
