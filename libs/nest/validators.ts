import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { isDate } from '../domain/local-time';

/** Pages beyond this are refused: deep enough for 100,000 rows one at a time, small enough for any OFFSET. */
export const MAX_PAGE = 1_000_000;

/** `YYYY-MM-DD` naming a day of the calendar (no 2026-02-30). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isCalendarDate', validator: { validate: isDate, defaultMessage: () => 'must be a calendar date YYYY-MM-DD' } }, options);
}

const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** A positive PostgreSQL bigint (a bigserial id) written in decimal digits. */
export function IsBigintId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBigintId',
      validator: {
        validate: (value) => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) >= 1n && BigInt(value) <= BIGINT_MAX,
        defaultMessage: () => `must be an id from 1 to ${BIGINT_MAX}`,
      },
    },
    options,
  );
}

/**
 * May be left out; when given it must pass the field's other checks. Unlike class-validator's
 * IsOptional, a null is given (and refused by a type check): a null meant as "none" would otherwise
 * slip past validation into a NOT NULL column or a loop.
 */
export function IsOptional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
