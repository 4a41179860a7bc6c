/**
 * Domain errors carry the field and the reason; the API answers each as a problem whose stable
 * `code` is its kind (404 not_found, 410 gone, 409 conflict, 422 invalid, 403 forbidden, 503 unavailable;
 * libs/nest/http-errors.filter.ts), `problems` as its `errors` and `details` as extension members.
 * Pure: no HTTP here, so activities and services share them.
 */
export interface FieldProblem {
  field: string;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: 'not_found' | 'gone' | 'conflict' | 'invalid' | 'unavailable' | 'forbidden',
    message: string,
    readonly problems: FieldProblem[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string) => new DomainError('not_found', `${what} ${id} not found`, [{ field: 'id', reason: `no ${what} ${id}` }]);
export const conflict = (message: string, details: Record<string, unknown> = {}, problems: FieldProblem[] = []) =>
  new DomainError('conflict', message, problems, details);
export const invalid = (field: string, reason: string) => new DomainError('invalid', `${field}: ${reason}`, [{ field, reason }]);
export const invalidAll = (problems: FieldProblem[]) =>
  new DomainError('invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
export const forbidden = (message: string) => new DomainError('forbidden', message);
