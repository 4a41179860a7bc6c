/// <reference types="multer" />
/**
 * One uploaded file as multipart field `file` (a ledger, a transfer manifest), at most `maxBytes`:
 * a larger one is answered 413 naming the limit and the field (Multer alone says only "File too large").
 */
import { applyDecorators, CallHandler, Injectable, NestInterceptor, PayloadTooLargeException, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiConsumes } from '@nestjs/swagger';
import { catchError, Observable, throwError } from 'rxjs';
import { LedgerTooLarge } from '../observation/ledger/ledger-reader';

export function FileUpload(maxBytes: number, what: string) {
  const reason = `is larger than ${maxBytes / (1024 * 1024)} MiB, the most a ${what} upload may be; split the ${what}`;
  @Injectable()
  class FileSizeLimit implements NestInterceptor {
    intercept(_context: unknown, next: CallHandler): Observable<unknown> {
      return next.handle().pipe(
        catchError((error: unknown) => {
          const fromMulter = error instanceof PayloadTooLargeException && !(error.getResponse() as { problems?: unknown }).problems;
          if (!fromMulter) return throwError(() => error);
          return throwError(() => new PayloadTooLargeException({ error: 'payload_too_large', message: `file: ${reason}`, problems: [{ field: 'file', reason }] }));
        }),
      );
    }
  }
  return applyDecorators(UseInterceptors(FileSizeLimit, FileInterceptor('file', { limits: { fileSize: maxBytes } })), ApiConsumes('multipart/form-data'));
}

/** A file read from an upload: one that unpacks beyond what its reader allows is answered 413 naming the field. */
export async function readUpload<T>(reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } catch (error) {
    if (error instanceof LedgerTooLarge) throw new PayloadTooLargeException({ error: 'payload_too_large', message: error.message, problems: error.problems });
    throw error;
  }
}
