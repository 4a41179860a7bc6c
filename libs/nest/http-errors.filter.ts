import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Response } from 'express';
import { DomainError } from '../domain/errors';

const STATUS: Record<DomainError['kind'], number> = { not_found: 404, conflict: 409, invalid: 422, unavailable: 503, forbidden: 403 };

/** Connection failures of PostgreSQL or Temporal: the caller may retry, so 503 with the reason. */
function unavailableReason(error: unknown): string | undefined {
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

/** One shape for every error body: { statusCode, error, message, problems? }. Never a bare 500 for bad input. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = errorResponse(error);
    if (status >= 500 && status !== 503) this.logger.error((error as Error)?.stack ?? String(error));
    response.status(status).json({ statusCode: status, ...body });
  }
}

/** The status and body an error is answered with (the audit log records the same status). */
export function errorResponse(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof DomainError) {
    return { status: STATUS[error.kind], body: { error: error.kind, message: error.message, problems: error.problems, ...error.details } };
  }
  if (error instanceof BadRequestException) {
    const payload = error.getResponse() as { message?: unknown; problems?: unknown };
    return { status: 400, body: { error: 'bad_request', message: payload.message, problems: payload.problems } };
  }
  if (error instanceof HttpException) {
    const payload = error.getResponse();
    return { status: error.getStatus(), body: typeof payload === 'string' ? { message: payload } : (payload as Record<string, unknown>) };
  }
  if (error instanceof WorkflowNotFoundError) {
    return { status: 404, body: { error: 'not_found', message: `workflow ${error.workflowId} not found` } };
  }
  // A rejected Temporal update: the validator's ApplicationFailure carries the domain error's kind as its type.
  const failure = error instanceof WorkflowUpdateFailedError ? error.cause : error;
  if (failure instanceof ApplicationFailure && failure.type && failure.type in STATUS) {
    const [problems] = (failure.details ?? []) as [unknown];
    return { status: STATUS[failure.type as DomainError['kind']], body: { error: failure.type, message: failure.message, problems } };
  }
  const reason = unavailableReason(error);
  if (reason) return { status: 503, body: { error: 'service_unavailable', message: reason } };
  return { status: 500, body: { error: 'internal_error', message: 'internal error; see the server log' } };
}
