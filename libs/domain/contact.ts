/**
 * How people are reached: a mobile number, the languages messages are written in, the channels an
 * account may ask for. Pure: workflows and the enrolment validator share it.
 */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The channels besides the in-app inbox, which every account has. */
export const CONTACT_CHANNELS = ['sms', 'email'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

const MOBILE = /^(\+86)?1[3-9]\d{9}$|^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** A mobile number as stored: spaces and dashes removed. */
export function normaliseMobile(value: string): string {
  return value.replace(/[\s-]/g, '');
}

export function mobileProblem(mobile: string): string | undefined {
  return MOBILE.test(mobile) ? undefined : 'must be a mainland mobile number (11 digits starting 1) or +country number';
}

export function emailProblem(email: string): string | undefined {
  return email.length <= 254 && EMAIL.test(email) ? undefined : 'must be an email address';
}
