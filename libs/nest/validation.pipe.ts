import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { invalid, invalidAll } from '../domain/errors';

function flatten(errors: ValidationError[], parent = ''): { field: string; reason: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The first string at or under `value` holding a NUL character (PostgreSQL's text cannot), as a field path. */
function nulField(value: unknown, field: string): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? field : undefined;
  if (Array.isArray(value)) return value.map((item, i) => nulField(item, `${field}[${i}]`)).find(Boolean);
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nulField(item, field ? `${field}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * DTO validation: 422 naming each field and its reason, for a wrong type as for a wrong value;
 * unknown fields are refused, not silently dropped. A whole body must be a JSON object (none at
 * all reads as `{}`, so each required field is named), also for handlers that validate it themselves.
 * No text anywhere may hold a NUL character.
 */
class EdgeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const nul = metadata.type === 'custom' ? undefined : nulField(value, metadata.data ?? '');
    if (nul !== undefined) throw invalid(nul || metadata.type, 'must not contain the NUL character (\\u0000)');
    if (metadata.type === 'body' && !metadata.data) {
      value ??= {};
      if (typeof value !== 'object' || Array.isArray(value)) throw invalid('body', 'must be a JSON object');
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new EdgeValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => invalidAll(flatten(errors)),
  });
}
