const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A record id that PostgreSQL stores as a uuid, in its one canonical spelling (lower case), or
 * undefined when it is not a uuid. The access guard and the handlers both read ids through this, so
 * they find the same record whatever the case it was written in.
 */
export function parseUuid(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
}
