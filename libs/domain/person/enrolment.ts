/**
 * Enrolment of a person under observation: the one validator used by `POST /persons` and by the
 * ledger import, so a row and a request are judged the same way.
 */
import { Category, isCategory } from '../../../workflows/observation/observation-policy';
import type { FieldProblem } from '../errors';
import { passportProblem, residentIdProblem } from './resident-id';
import { Language, LANGUAGES, mobileProblem, normaliseMobile } from '../contact';
import { DAY } from '../local-time';

export type DocumentType = 'resident_id' | 'passport';

export interface EnrolmentRequest {
  name: string;
  documentType: DocumentType;
  documentNumber: string;
  mobile: string;
  /** The language of the person's messages: given, else en for a passport holder and zh-CN for everyone else. */
  language: Language;
  address: { subdistrict: string; community: string; building: string; unit: string; detail?: string };
  category: Category;
  /** YYYY-MM-DD: last exposure (A) or arrival (B, C), or the start of observation (D). */
  anchorDate: string;
  responsibleWorker: string;
  devices?: { doorSensorId?: string; cameraId?: string; thermometerId?: string };
  /** Idempotency key: within the place enrolled in, the same key answers the same observation. */
  requestId?: string;
}

const SUBDISTRICT_CODE = /^[A-Z][A-Z0-9]{1,7}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function text(problems: FieldProblem[], field: string, value: unknown, max = 100): string {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, reason: 'is required' });
    return '';
  }
  if (value.trim().length > max) problems.push({ field, reason: `must be at most ${max} characters` });
  return value.trim();
}

function optionalText(problems: FieldProblem[], field: string, value: unknown, max = 100): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return text(problems, field, value, max);
}

function anchorDateProblem(value: string, today: Date): string | undefined {
  if (!DATE.test(value)) return 'must be a date YYYY-MM-DD';
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return 'is not a calendar date';
  if (date.getTime() > today.getTime() + DAY) return 'is in the future';
  return undefined;
}

/** A home address, normalised; every problem names its field (address.<part>). */
function addressOf(problems: FieldProblem[], input: unknown): EnrolmentRequest['address'] {
  const address = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (typeof input !== 'object' || input === null) problems.push({ field: 'address', reason: 'is required' });
  const subdistrict = text(problems, 'address.subdistrict', address.subdistrict, 8).toUpperCase();
  if (subdistrict && !SUBDISTRICT_CODE.test(subdistrict)) {
    problems.push({ field: 'address.subdistrict', reason: 'must be the subdistrict code: 2-8 capital letters or digits, starting with a letter' });
  }
  return {
    subdistrict,
    community: text(problems, 'address.community', address.community),
    building: text(problems, 'address.building', address.building, 30),
    unit: text(problems, 'address.unit', address.unit, 30),
    detail: optionalText(problems, 'address.detail', address.detail, 200),
  };
}

/** A person moving house: who (by document) and the new address. */
export interface MoveRequest {
  documentType: DocumentType;
  documentNumber: string;
  address: EnrolmentRequest['address'];
}

export function validateMove(input: Record<string, unknown>): { move?: MoveRequest; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const documentType = input.documentType ?? 'resident_id';
  if (documentType !== 'resident_id' && documentType !== 'passport') problems.push({ field: 'documentType', reason: 'must be resident_id or passport' });
  const move = { documentType: documentType as DocumentType, documentNumber: text(problems, 'documentNumber', input.documentNumber, 20).toUpperCase(), address: addressOf(problems, input.address) };
  return problems.length ? { problems } : { move, problems };
}

/** Normalises and validates; every problem names its field (nested fields with dots). */
export function validateEnrolment(input: Record<string, unknown>, today: Date = new Date()): { enrolment?: EnrolmentRequest; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];

  const category = typeof input.category === 'string' ? input.category.trim().toUpperCase() : input.category;
  if (!isCategory(category)) problems.push({ field: 'category', reason: 'must be A (close contact), B (domestic arrival), C (overseas arrival) or D (local)' });

  const documentType = input.documentType ?? 'resident_id';
  const documentNumber = text(problems, 'documentNumber', input.documentNumber, 20).toUpperCase();
  if (documentType !== 'resident_id' && documentType !== 'passport') {
    problems.push({ field: 'documentType', reason: 'must be resident_id or passport' });
  } else if (documentNumber) {
    if (documentType === 'passport' && category !== 'C') {
      problems.push({ field: 'documentType', reason: 'a passport is accepted for category C (overseas arrival) only' });
    }
    const problem = documentType === 'resident_id' ? residentIdProblem(documentNumber, today) : passportProblem(documentNumber);
    if (problem) problems.push({ field: 'documentNumber', reason: problem });
  }

  const mobile = normaliseMobile(text(problems, 'mobile', input.mobile, 20));
  const mobileWrong = mobile ? mobileProblem(mobile) : undefined;
  if (mobileWrong) problems.push({ field: 'mobile', reason: mobileWrong });

  const language = input.language === undefined || input.language === null || input.language === '' ? (documentType === 'passport' ? 'en' : 'zh-CN') : input.language;
  if (!LANGUAGES.includes(language as Language)) problems.push({ field: 'language', reason: `must be ${LANGUAGES.join(' or ')}` });

  const address = addressOf(problems, input.address);
  const anchorDate = text(problems, 'anchorDate', input.anchorDate, 10);
  const dateProblem = anchorDate ? anchorDateProblem(anchorDate, today) : undefined;
  if (dateProblem) problems.push({ field: 'anchorDate', reason: dateProblem });

  const devicesInput = (typeof input.devices === 'object' && input.devices !== null ? input.devices : {}) as Record<string, unknown>;
  const devices = {
    doorSensorId: optionalText(problems, 'devices.doorSensorId', devicesInput.doorSensorId, 64),
    cameraId: optionalText(problems, 'devices.cameraId', devicesInput.cameraId, 64),
    thermometerId: optionalText(problems, 'devices.thermometerId', devicesInput.thermometerId, 64),
  };

  const enrolment: EnrolmentRequest = {
    name: text(problems, 'name', input.name, 50),
    documentType: documentType as DocumentType,
    documentNumber,
    mobile,
    language: language as Language,
    address,
    category: category as Category,
    anchorDate,
    responsibleWorker: text(problems, 'responsibleWorker', input.responsibleWorker, 50),
    devices: Object.fromEntries(Object.entries(devices).filter(([, v]) => v !== undefined)),
    requestId: optionalText(problems, 'requestId', input.requestId, 100),
  };
  // The key's old name: dropped silently, a retry would enrol the person again.
  if (input.clientRequestId !== undefined) problems.push({ field: 'clientRequestId', reason: 'is now requestId (or the Idempotency-Key header)' });
  return problems.length ? { problems } : { enrolment, problems };
}
