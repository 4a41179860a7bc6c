import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { Request } from 'express';
import { invalid } from '../domain/errors';
import { IsOptional } from './validators';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The one name of a command's idempotency key in a body; the `Idempotency-Key` header means the same. */
export const IDEMPOTENCY_FIELD = 'requestId';
const MAX_LENGTH = 100;

/**
 * A command's idempotency key: the standard `Idempotency-Key` header, else the body's `requestId`
 * (a client that cannot set headers). Both given and different: 422. Undefined when neither is.
 */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  const request = context.switchToHttp().getRequest<Request>();
  const header = request.header(IDEMPOTENCY_HEADER);
  const body = (request.body as Record<string, unknown> | undefined)?.[IDEMPOTENCY_FIELD];
  if (header !== undefined && (header.length < 1 || header.length > MAX_LENGTH)) throw invalid('Idempotency-Key', `must be 1-${MAX_LENGTH} characters`);
  if (header !== undefined && typeof body === 'string' && body !== header) throw invalid(IDEMPOTENCY_FIELD, 'differs from the Idempotency-Key header; send one key');
  return header ?? (typeof body === 'string' ? body : undefined);
});

/** Documents the `Idempotency-Key` header of a route that takes `@IdempotencyKey()`. */
export const ApiIdempotencyKey = () =>
  ApiHeader({ name: 'Idempotency-Key', required: false, description: `the command's idempotency key (1-${MAX_LENGTH} characters), or the body's ${IDEMPOTENCY_FIELD}: the same key answers the same result, done once` });

/**
 * A body DTO's `requestId` (the idempotency key of a client that cannot set headers), declared so the
 * validation pipe keeps it and OpenAPI documents it; read through `@IdempotencyKey()`.
 */
export function RequestIdProperty(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: `idempotency key, or the ${IDEMPOTENCY_HEADER} header: asked again with it, the first answer's record is the answer`, maxLength: MAX_LENGTH }),
    IsOptional(),
    IsString(),
    Length(1, MAX_LENGTH),
  );
}
