import type { Role } from '../../../libs/auth/roles';
import type { NotificationConcern } from '../../../libs/notifications/notification-outbox';

const path = encodeURIComponent;

/** What comes before the last `/` of a child record's id (`<observation>/<n>`, `<runId>/<n>`). */
const parentOf = (id: string) => id.slice(0, Math.max(id.lastIndexOf('/'), 0)) || id;

/**
 * The page where the record a message concerns is shown and acted on, for the reader's role: a
 * community worker's or supervisor's person page (apps/web/worker, apps/web/supervisor), the escort's trip page, the duty page, and for
 * everyone else the dashboard's drill-down (`?open=`). An escalation is shown on its observation, an
 * exception on its run; a trip's id is `<runId>/<tripId>`.
 */
/** The roles whose own page has a person view (apps/web/<role>/, #/person/<number>). */
const PERSON_PAGES: Partial<Record<Role, string>> = { community_worker: '/app/worker/', supervisor: '/app/supervisor/' };

export function recordPage(concerns: { kind: string; id: string }, role: Role): string | null {
  const { id } = concerns;
  const page = PERSON_PAGES[role];
  const observation = (number: string) => (page ? `${page}#/person/${path(number)}` : `/dashboard?open=${path(number)}`);
  switch (concerns.kind as NotificationConcern['kind']) {
    case 'observation':
      return observation(id);
    case 'escalation':
      return observation(parentOf(id));
    case 'transfer_run':
      return `/dashboard?open=${path(`run:${id}`)}`;
    case 'transfer_exception':
      return `/dashboard?open=${path(`run:${parentOf(id)}`)}`;
    // The escort's and driver's page of the trip (the dispatch SMS links there too).
    case 'trip': {
      const cut = id.lastIndexOf('/');
      return cut > 0 ? `/app/trips/${path(id.slice(0, cut))}/${path(id.slice(cut + 1))}` : null;
    }
    // The duty staff's page, which opens on their current shift.
    case 'shift':
      return role === 'duty_staff' ? '/app/duty/' : `/dashboard?open=${path(`shift:${id}`)}`;
    // Decided on the supervisor page's list of requests; the duty staff see their shifts.
    case 'shift_request':
      return role === 'supervisor' ? '/app/supervisor/#/requests' : role === 'duty_staff' ? '/app/duty/' : null;
    case 'roster':
      return '/dashboard';
    case 'daily_report':
      return `/dashboard?reportDate=${path(id)}`;
    default:
      return null;
  }
}
