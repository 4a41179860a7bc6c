/**
 * Texts that leave a person's record (error messages, exception reasons, logs, the audit log) name
 * records by number, never by a person's contact or document. Another system's reply (an SMTP or SMS
 * gateway's) may echo them back: these patterns mask what such a reply may carry.
 */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const RESIDENT_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const MOBILE = /(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d{9}(?!\d)/g;

export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, '<email>').replace(RESIDENT_ID, '<ID number>').replace(MOBILE, '<mobile>');
}
