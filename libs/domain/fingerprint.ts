import { createHash } from 'node:crypto';

/**
 * A short digest of what a preview showed (its JSON), so a confirm can tell whether it would do
 * exactly that: equal for equal content, different when anything in it changed.
 */
export function fingerprintOf(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22);
}
