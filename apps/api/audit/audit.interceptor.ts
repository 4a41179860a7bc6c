import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { Response } from 'express';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { errorResponse } from '../../../libs/nest/http-errors.filter';
import { AuditedRequest, AuditService } from './audit.service';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every command (anything but a read) is appended to the audit log before its answer leaves, accepted or refused. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    if (READS.has(request.method)) return next.handle();
    const response = context.switchToHttp().getResponse<Response>();
    const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
    return next.handle().pipe(
      mergeMap(async (value) => {
        const status = declared ?? (response.statusCode !== HttpStatus.OK ? response.statusCode : request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
        await this.audit.record(request, status);
        return value;
      }),
      catchError((error) => from(this.audit.record(request, errorResponse(error).status, error)).pipe(mergeMap(() => throwError(() => error)))),
    );
  }
}
