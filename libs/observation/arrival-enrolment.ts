import { utcOffsetMinutes } from '../config/time-zone';
import { localDate } from '../domain/local-time';

/** A traveller a transfer run took home, as their home observation's enrolment reads them from the manifest. */
export interface Arrival {
  runId: string;
  travellerId: string;
  name: string;
  documentType: string;
  documentNumber: string;
  mobile: string | null;
  address: Record<string, string> | null;
  arrivalTime: Date;
}

/** The idempotency key of everything a hand-over starts: one observation, one quarantine record. */
export function admissionRequestId(runId: string, travellerId: string): string {
  return `transfer:${runId}:${travellerId}`;
}

/** The local date a traveller arrived on. */
export function arrivalDate(arrivalTime: Date, timeZone: string): string {
  const arrival = new Date(arrivalTime).getTime();
  return localDate(arrival, utcOffsetMinutes(timeZone, arrival));
}

/**
 * The home observation a traveller taken home starts, whether the run enrols it or the home
 * jurisdiction accepts the hand-over: category C from the local date of arrival, one per run and
 * traveller (the same request id either way).
 */
export function homeObservationEnrolment(a: Arrival, timeZone: string, responsibleWorker: string | null): Record<string, unknown> {
  return {
    name: a.name,
    documentType: a.documentType,
    documentNumber: a.documentNumber,
    mobile: a.mobile,
    address: a.address,
    category: 'C',
    anchorDate: arrivalDate(a.arrivalTime, timeZone),
    responsibleWorker,
    requestId: admissionRequestId(a.runId, a.travellerId),
  };
}
