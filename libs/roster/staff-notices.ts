import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotificationOutbox, NotificationRequest, SentNotificationRequest, withoutLegacy } from '../notifications/notification-outbox';
import { RosterStaffRepository } from '../persistence/roster/roster-staff.repository';

/** Params of the shift templates that name a staff member: workflows pass ids, messages show names. */
const STAFF_PARAMS = ['staffName', 'outgoingStaff', 'incomingStaff'];

/**
 * Messages to and about duty staff, stored in the outbox of the caller's transaction with the
 * staff's names filled in from roster_staff, so these stay in PostgreSQL and out of workflow
 * histories; the outbox addresses each to the staff member's account or own contact. Used by the
 * shift workflows' writes, the roll-forward and the API's notices.
 */
@Injectable()
export class StaffNotices {
  constructor(
    private readonly staff: RosterStaffRepository,
    private readonly outbox: NotificationOutbox,
  ) {}

  /**
   * Stores the messages in `tx`; the ids that still need delivery through an external channel. A
   * shift workflow started before routing sends `{ staff: <staff id> }`: the same staff member.
   */
  async store(tx: EntityManager, requests: SentNotificationRequest[]): Promise<string[]> {
    return this.outbox.enqueue(tx, await this.named(tx, withoutLegacy(requests, (staffId) => ({ staffId }))));
  }

  private async named(tx: EntityManager, requests: NotificationRequest[]): Promise<NotificationRequest[]> {
    const ids = new Set<string>();
    for (const request of requests) for (const key of STAFF_PARAMS) if (typeof request.params[key] === 'string') ids.add(request.params[key] as string);
    if (!ids.size) return requests;
    const names = new Map((await this.staff.names([...ids], tx)).map((staff) => [staff.id, staff.name]));
    return requests.map((request) => {
      const params = { ...request.params };
      for (const key of STAFF_PARAMS) {
        const name = typeof params[key] === 'string' ? names.get(params[key] as string) : undefined;
        if (name) params[key] = name;
      }
      return { ...request, params };
    });
  }
}
