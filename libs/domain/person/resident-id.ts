/**
 * PRC resident identity numbers (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit
 * sequence, and an ISO 7064 MOD 11-2 check character (0-9 or X).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** Why a resident ID is not valid, or undefined when it is. */
export function residentIdProblem(value: string, today: Date = new Date()): string | undefined {
  if (!/^\d{17}[\dX]$/.test(value)) return 'must be 18 characters: 17 digits and a digit or X';
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day || year < 1900 || birth > today) {
    return 'has an impossible birth date (digits 7-14)';
  }
  const expected = residentIdCheckCharacter(value.slice(0, 17));
  if (value[17] !== expected) return `check digit is ${value[17]}, expected ${expected}`;
  return undefined;
}

/** Passports: letters and digits, 5-20 characters (formats differ by issuing country). */
export function passportProblem(value: string): string | undefined {
  return /^[A-Z0-9]{5,20}$/.test(value) ? undefined : 'must be 5-20 capital letters or digits';
}
