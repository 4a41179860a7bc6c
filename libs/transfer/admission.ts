/**
 * What a hand-over starts for a traveller, shared by the worker (a hand-over in the run's own
 * jurisdiction) and the API (a receiving jurisdiction accepting an incoming hand-over).
 */
import { utcOffsetMinutes } from '../config/time-zone';
import { localDate } from '../domain/local-time';
import type { TransferTraveller } from '../persistence/transfer/transfer-run.repository';

/** The idempotency key of everything a hand-over starts: one observation, one quarantine record. */
export function admissionRequestId(runId: string, travellerId: string): string {
  return `transfer:${runId}:${travellerId}`;
}

/** The local date a traveller arrived on. */
export function arrivalDate(traveller: Pick<TransferTraveller, 'arrivalTime'>, timeZone: string): string {
  const arrival = new Date(traveller.arrivalTime).getTime();
  return localDate(arrival, utcOffsetMinutes(timeZone, arrival));
}

/** The home observation a traveller taken home starts: category C from the local date of arrival, one per run and traveller. */
export function homeObservationEnrolment(t: TransferTraveller, timeZone: string, responsibleWorker: string | null): Record<string, unknown> {
  return {
    name: t.name,
    documentType: t.documentType,
    documentNumber: t.documentNumber,
    mobile: t.mobile,
    address: t.address,
    category: 'C',
    anchorDate: arrivalDate(t, timeZone),
    responsibleWorker,
    clientRequestId: admissionRequestId(t.runId, t.travellerId),
  };
}
