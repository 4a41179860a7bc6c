import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuditedRequest } from '../audit/audit.service';

/** The record's row the access guard read to check its jurisdiction (undefined if none): handlers reuse it instead of reading it again. */
export const LoadedRecord = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AuditedRequest>().auditRecord?.row);
