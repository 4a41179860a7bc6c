import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { errorResponse } from '../nest/http-errors.filter';
import { AuditedRequest, AuditService } from './audit.service';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUDITED_READ_KEY = 'epi:audited-read';

/** A read that exports personal data (a person's record, a tracking log, an export): audited like a command. */
export const AuditedRead = () => SetMetadata(AUDITED_READ_KEY, true);

/**
 * Every command (anything but a read) is appended to the audit log before its answer leaves,
 * accepted or refused, and so is every audited read, before its data is sent. When the row cannot
 * be written the request is answered 503 (audit_unavailable) instead; after such a failure each
 * command first checks that its row can be written, and is refused before it runs when it cannot.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    if (READS.has(request.method)) {
      if (!this.reflector.get<boolean>(AUDITED_READ_KEY, context.getHandler())) return next.handle();
      return from(this.audit.recordRead(request)).pipe(mergeMap(() => next.handle()));
    }
    const response = context.switchToHttp().getResponse<Response>();
    const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
    const refused = (error: unknown) => from(this.audit.record(request, errorResponse(error).status, error)).pipe(mergeMap(() => throwError(() => error)));
    return from(this.audit.assertWritable(request)).pipe(
      mergeMap(() => next.handle().pipe(catchError(refused))),
      mergeMap(async (value) => {
        const status = declared ?? (response.statusCode !== HttpStatus.OK ? response.statusCode : request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
        await this.audit.record(request, status, undefined, 'the command was carried out, but is not confirmed without its audit row; check the record before repeating it');
        return value;
      }),
    );
  }
}
