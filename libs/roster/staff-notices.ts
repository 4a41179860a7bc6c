import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotificationOutbox, NotificationRequest } from '../notifications/notification-outbox';
import { RosterStaffRepository } from '../persistence/roster/roster-staff.repository';

/** Params of the shift templates that name a staff member: workflows pass ids, messages show names. */
const STAFF_PARAMS = ['staffName', 'outgoingStaff', 'incomingStaff'];

/**
 * Messages to and about duty staff, stored in the outbox of the caller's transaction with the
 * staff's names and email addresses filled in from roster_staff, so these stay in PostgreSQL and out
 * of workflow histories. Used by the shift workflows' writes, the roll-forward and the API's notices.
 */
@Injectable()
export class StaffNotices {
  constructor(
    private readonly staff: RosterStaffRepository,
    private readonly outbox: NotificationOutbox,
  ) {}

  /** Stores the messages in `tx`; the ids that still need delivery through an external channel. */
  async store(tx: EntityManager, requests: NotificationRequest[]): Promise<string[]> {
    return this.outbox.enqueue(tx, await this.addressed(tx, requests));
  }

  private async addressed(tx: EntityManager, requests: NotificationRequest[]): Promise<NotificationRequest[]> {
    const ids = new Set<string>();
    for (const request of requests) {
      if ('staff' in request.recipient) ids.add(request.recipient.staff);
      for (const key of STAFF_PARAMS) if (typeof request.params[key] === 'string') ids.add(request.params[key] as string);
    }
    if (!ids.size) return requests;
    const byId = new Map((await this.staff.contacts([...ids], tx)).map((contact) => [contact.id, contact]));
    return requests.map((request) => {
      const params = { ...request.params };
      for (const key of STAFF_PARAMS) {
        const staff = typeof params[key] === 'string' ? byId.get(params[key] as string) : undefined;
        if (staff) params[key] = staff.name;
      }
      const recipient = 'staff' in request.recipient ? { staff: request.recipient.staff, email: byId.get(request.recipient.staff)?.email ?? undefined } : request.recipient;
      return { ...request, recipient, params };
    });
  }
}
