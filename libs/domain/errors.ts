/**
 * Domain errors carry the field and the reason; the API turns them into 404/409/422 bodies.
 * Pure: no HTTP here, so activities and services share them.
 */
export interface FieldProblem {
  field: string;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid' | 'unavailable' | 'forbidden',
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
