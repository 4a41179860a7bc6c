import { Inject, Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { EntityManager } from 'typeorm';
import { PersonRepository } from '../persistence/observation/person.repository';
import { LeasedNotification, NewNotification, NotificationRepository, NotificationState } from '../persistence/platform/notification.repository';
import { UserRepository } from '../persistence/platform/user.repository';
import { mobileProblem, normaliseMobile } from '../domain/contact';
import { RoutingRepository } from '../persistence/platform/routing.repository';
import { ChannelName, DeliveryError, NOTIFICATION_CHANNELS, NotificationChannels } from './channels';
import { NotificationLanguage, NotificationTemplate, renderNotification } from './notification-templates';
import { describeRolePlace, fromLegacy, isRoleRecipient, LegacyStaffRecipient, NotificationRecipient, placeOf } from './recipients';
import { RecipientResolver } from './recipient-resolver';

export type { NotificationRecipient } from './recipients';

/** The record a message is about, so an inbox can link to it and offer what can be done there. */
export interface NotificationConcern {
  kind: 'observation' | 'escalation' | 'transfer_run' | 'transfer_exception' | 'trip' | 'shift' | 'shift_request' | 'roster' | 'daily_report';
  id: string;
}

export interface NotificationRequest {
  /**
   * Idempotency key chosen by the sender, e.g. `${observationNumber}:${purpose}`. An account's
   * message is stored under it (the inbox row), each of its channels under `${id}:${channel}`.
   */
  id: string;
  recipient: NotificationRecipient;
  /** Default: a person gets sms if configured, else outbox; an account its inbox and its channels; staff without an account sms to their mobile, else email. */
  channel?: ChannelName;
  template: NotificationTemplate;
  /** Default: the person's or account's language; zh-CN for staff without an account. */
  language?: NotificationLanguage;
  concerns?: NotificationConcern;
  /** `observationNumber` and `personName` are filled in from the record when the message concerns an observation. */
  params: Record<string, string | number>;
}

/** A request as a workflow started before routing may still send it to an activity (see fromLegacy). */
export type SentNotificationRequest = Omit<NotificationRequest, 'recipient'> & { recipient: NotificationRecipient | LegacyStaffRecipient };

/** The requests with every old `{ staff }` recipient mapped (`named`: what a plain name means to this sender). */
export function withoutLegacy(requests: SentNotificationRequest[], named: (name: string) => NotificationRecipient): NotificationRequest[] {
  return requests.map((request) => ({ ...request, recipient: fromLegacy(request.recipient, named) }));
}

export interface DeliveredNotification {
  id: string;
  state: 'sent';
  channel: ChannelName;
}

/** Sends in flight hold their message this long, more than any send can take (channels.ts), so no one else sends it meanwhile. */
const DELIVERY_LEASE_SECONDS = 120;
/** A message not delivered this long after it was stored is given up: it is no longer news. */
const GIVE_UP_AFTER_HOURS = 24;
/** A message is tried again after 5 s, 10 s, 20 s … at most an hour after its last failure. */
const BACKOFF = { firstSeconds: 5, maxSeconds: 3_600 };
/** A message its sender has not tried yet (a workflow's delivery is about to run) is left to it this long. */
const RELAY_AFTER_SECONDS = 60;

export function recipientKey(recipient: NotificationRecipient): string {
  if ('personId' in recipient) return `person:${recipient.personId}`;
  if ('account' in recipient) return `account:${recipient.account}`;
  if ('staffId' in recipient) return `staff:${recipient.staffId}`;
  if ('mobile' in recipient) return `mobile:${recipient.mobile}`;
  return `role:${describeRolePlace(placeOf(recipient))}`;
}

/** Messages for one observation (or none), as `enqueue` takes them. */
export interface OutboxBatch {
  requests: NotificationRequest[];
  observationNumber?: string;
}

/** A request addressed to one person, account or staff member, or why it cannot be. */
interface Routed {
  request: NotificationRequest;
  problem?: string;
}

/** One stored row of a message: the message on one channel, to one address. */
interface Copy {
  id: string;
  channel: ChannelName;
  address: string;
  language: NotificationLanguage;
  /** Why this copy cannot be sent (stored failed with it). */
  problem?: string;
}

/**
 * Stores messages in the `notification` table inside the caller's transaction, rendered and
 * addressed, so nothing a workflow or the API decided to send is lost, and delivers stored ones.
 * In-app (outbox) messages are delivered by being stored; the ids `enqueue` returns still need an
 * external channel (`deliver`). A message that can never be sent (bad params, unconfigured channel,
 * unknown person) is stored as failed with the reason rather than thrown, so one bad message never
 * stalls its workflow.
 *
 * Two deliverers may hold the same message: its sender (a workflow's delivery activity, the API's
 * one try after a commit) and the outbox relay. Each send first leases the row, so they never send
 * it at once; a message already sent is not sent again. A failed send stays pending, with a time
 * before which it is not tried again, and is rethrown for Temporal to retry, unless it can never
 * succeed or has been pending for GIVE_UP_AFTER_HOURS: then the row is failed with the reason and
 * the error non-retryable.
 */
@Injectable()
export class NotificationOutbox {
  constructor(
    private readonly notifications: NotificationRepository,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannels,
    private readonly people: PersonRepository,
    private readonly users: UserRepository,
    private readonly routing: RoutingRepository,
    private readonly resolver: RecipientResolver,
  ) {}

  /** Stores the messages in the caller's transaction, role and staff recipients resolved to accounts or own contacts here; the ids that need a channel's delivery. */
  enqueue(manager: EntityManager, requests: NotificationRequest[], observationNumber?: string): Promise<string[]> {
    return this.enqueueAll(manager, [{ requests, observationNumber }]);
  }

  /**
   * `enqueue` for many observations' messages at once (a cohort's reminders): their names and
   * people's contacts read in one statement each, every row stored in one.
   */
  async enqueueAll(manager: EntityManager, batches: OutboxBatch[]): Promise<string[]> {
    const addressed: Array<Routed & { observationNumber?: string }> = [];
    for (const { requests, observationNumber } of batches) {
      for (const request of requests) for (const routed of await this.routed(manager, request)) addressed.push({ ...routed, observationNumber });
    }
    if (!addressed.length) return [];
    const observed = [...new Set(addressed.flatMap((a) => (a.observationNumber ? [a.observationNumber] : [])))];
    // Names stay in PostgreSQL, out of workflow histories: filled in as the messages are stored.
    const names = await this.people.namesOfObservations(observed, manager);
    const people = await this.people.contactsOf([...new Set(addressed.flatMap(({ request: { recipient } }) => ('personId' in recipient ? [recipient.personId] : [])))], manager);
    const rows: NewNotification[] = [];
    for (const { request, problem, observationNumber } of addressed) {
      const subject = observationNumber ? { observationNumber, personName: names.get(observationNumber) ?? observationNumber } : undefined;
      const recipient = recipientKey(request.recipient);
      const stored = { observationNumber: observationNumber ?? null, recipient, template: request.template, accountId: 'account' in request.recipient ? request.recipient.account : null, concerns: request.concerns ?? null };
      let copies: Copy[];
      try {
        if (problem) throw new Error(problem);
        copies = await this.copiesOf(manager, request, people);
      } catch (error) {
        const failed = { id: request.id, channel: request.channel ?? 'outbox', language: request.language ?? 'zh-CN', subject: request.template, body: '', address: null };
        rows.push({ ...stored, ...failed, state: 'failed', lastError: (error as Error).message });
        continue;
      }
      for (const copy of copies) {
        let row: { subject: string; body: string; state: NotificationState; error: string | null };
        try {
          // A copy that cannot be sent (no such channel here, no address) keeps its text, failed with the reason.
          const rendered = renderNotification(request.template, copy.language, { ...subject, ...request.params });
          row = { ...rendered, state: copy.problem ? 'failed' : copy.channel === 'outbox' ? 'sent' : 'pending', error: copy.problem ?? null };
        } catch (error) {
          row = { subject: request.template, body: '', state: 'failed', error: (error as Error).message };
        }
        rows.push({ ...stored, id: copy.id, channel: copy.channel, language: copy.language, subject: row.subject, body: row.body, address: row.state === 'failed' ? null : copy.address, state: row.state, lastError: row.error });
      }
    }
    const states = await this.notifications.storeAll(manager, rows);
    return [...new Set(rows.map((r) => r.id).filter((id) => states.get(id) === 'pending'))];
  }

  /** Delivers a stored message through its channel. */
  async deliver(id: string): Promise<DeliveredNotification> {
    const [row] = await this.notifications.leaseAll([id], DELIVERY_LEASE_SECONDS);
    if (!row) return this.notDeliverable(id);
    await this.send(row);
    await this.notifications.markSentAll([id]);
    return { id, state: 'sent', channel: row.channel as ChannelName };
  }

  /**
   * Delivers stored messages, `inFlight` sends at once (a cohort's reminders): leased `inFlight` in
   * a statement as the sends need them, so no lease runs out before its send, and marked sent a few
   * at a time. A message another send holds, or no longer pending, is left to it; a failed send
   * stays pending for the outbox relay (or failed, as `deliver` leaves it). An id listed twice is
   * tried once: a failed send is pending again at once, and a second listing would resend it.
   */
  async deliverAll(listed: string[], inFlight: number): Promise<void> {
    const ids = [...new Set(listed)];
    let next = 0;
    const leased: Array<LeasedNotification & { id: string }> = [];
    let leasing: Promise<void> | undefined;
    const take = async () => {
      while (!leased.length && next < ids.length) {
        leasing ??= this.notifications.leaseAll(ids.slice(next, (next += inFlight)), DELIVERY_LEASE_SECONDS).then((rows) => {
          leased.push(...rows);
          leasing = undefined;
        });
        await leasing;
      }
      return leased.shift();
    };
    const sent: string[] = [];
    const markSent = () => this.notifications.markSentAll(sent.splice(0));
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let row = await take(); row; row = await take()) {
          if (!(await this.send(row).then(() => true, () => false))) continue;
          // Marked as they go, so a process killed mid-way sends again at most the few not yet marked.
          if (sent.push(row.id) >= inFlight) await markSent();
        }
      }),
    );
    await markSent();
  }

  /** Sends a leased message; a failure releases it (pending with backoff, or failed for good) and is thrown as Temporal should see it. */
  private async send(row: LeasedNotification & { id: string }): Promise<void> {
    const channel = this.channels[row.channel as ChannelName];
    try {
      if (!channel) throw new DeliveryError(`channel ${row.channel} is not configured in this process`, false);
      await channel.deliver({ id: row.id, to: row.address, subject: row.subject, body: row.body });
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      const reason = error instanceof Error ? error.message : String(error);
      const failed = await this.notifications.markFailed(row.id, { permanent, reason, giveUpAfterHours: GIVE_UP_AFTER_HOURS, backoff: BACKOFF });
      if (failed.state === 'failed') throw ApplicationFailure.nonRetryable(failed.lastError, permanent ? 'NotificationRejected' : 'NotificationGivenUp');
      throw error;
    }
  }

  /** Tries each stored message once, now; a failed try stays pending for the outbox relay to retry. */
  async tryNow(ids: string[]): Promise<void> {
    await this.deliverAll(ids, 1).catch(() => undefined);
  }

  /** Pending messages due for another try, oldest first: the outbox relay's work. */
  due(limit: number): Promise<string[]> {
    return this.notifications.due(limit, RELAY_AFTER_SECONDS);
  }

  /** Why a message could not be leased: already sent (fine), failed or unknown (never), or in flight (later). */
  private async notDeliverable(id: string): Promise<DeliveredNotification> {
    const row = await this.notifications.find(id);
    if (!row) throw ApplicationFailure.nonRetryable(`notification ${id} not found`, 'NotificationNotFound');
    if (row.state === 'sent') return { id, state: 'sent', channel: row.channel as ChannelName };
    if (row.state === 'failed') throw ApplicationFailure.nonRetryable(`notification ${id}: ${row.lastError}`, row.address === null ? 'NotificationInvalid' : 'NotificationFailed');
    throw new DeliveryError(`notification ${id} is being sent by another attempt`, false);
  }

  /**
   * The messages a request is, each to a person, an account or a staff member's own contact. A
   * role at a place: one per account resolved in this transaction (`${id}@${account}`), or one
   * failed with the reason when nobody up to the admins holds a role. A staff member: their linked
   * account, else their own mobile or email; with neither (or only a post naming them, no staff
   * record), their posts' subdistrict supervisors, and a routing gap (`staff:<id>`) until they have one.
   */
  private async routed(manager: EntityManager, request: NotificationRequest): Promise<Routed[]> {
    const { recipient } = request;
    if ('staffId' in recipient) {
      const reach = await this.routing.staffReach(recipient.staffId, manager);
      if (!reach) return [{ request, problem: `staff ${recipient.staffId} not found` }];
      const gap = { role: recipientKey(recipient), subdistrict: reach.subdistrict, community: null, destinationId: null };
      if (!reach.accountId && !reach.mobile && !reach.email) {
        const supervisors = { role: 'supervisor' as const, subdistrict: reach.subdistrict };
        await this.routing.gapRouted(gap, describeRolePlace(placeOf(supervisors)), manager);
        return this.routed(manager, { ...request, recipient: supervisors });
      }
      await this.routing.gapClosed(gap, manager);
      return [{ request: reach.accountId ? { ...request, recipient: { account: reach.accountId } } : request }];
    }
    if (!isRoleRecipient(recipient)) return [{ request }];
    const { accounts } = await this.resolver.resolve(manager, recipient);
    if (!accounts.length) return [{ request, problem: `nobody holds ${describeRolePlace(placeOf(recipient))} nor any role above it` }];
    return accounts.map((account) => ({ request: { ...request, id: `${request.id}@${account}`, recipient: { account } } }));
  }

  /**
   * The rows a message is stored as. A person: one, by SMS when configured (else in-app). An
   * account: its inbox row, and one per channel it wants (a channel this process cannot use is
   * stored failed with the reason, never dropped). A staff member without an account: one, to their
   * own mobile by SMS, else their email.
   */
  private async copiesOf(manager: EntityManager, request: NotificationRequest, people: Map<string, { mobile: string; language: NotificationLanguage }>): Promise<Copy[]> {
    const { recipient } = request;
    if ('personId' in recipient) {
      const channel = this.configured(request.channel ?? (this.channels.sms ? 'sms' : 'outbox'));
      if (channel === 'email') throw new Error(`person ${recipient.personId} has no email address: use sms or outbox`);
      const contact = people.get(recipient.personId);
      if (!contact) throw new Error(`person ${recipient.personId} not found`);
      return [{ id: request.id, channel, address: channel === 'sms' ? contact.mobile : recipientKey(recipient), language: request.language ?? contact.language }];
    }
    if ('account' in recipient) {
      const contacts = await this.users.contacts(recipient.account, manager);
      if (!contacts) throw new Error(`account ${recipient.account} not found`);
      const language = request.language ?? contacts.language;
      const inbox: Copy = { id: request.id, channel: 'outbox', address: recipientKey(recipient), language };
      const channels = request.channel && request.channel !== 'outbox' ? [request.channel] : contacts.channels;
      return [
        inbox,
        ...channels.map((channel) => {
          const address = channel === 'sms' ? contacts.mobile : contacts.email;
          const problem = !this.channels[channel] ? unconfigured(channel) : !address ? `account ${recipient.account} has no ${channel} address` : undefined;
          return { id: `${request.id}:${channel}`, channel, address: address ?? '', language, problem };
        }),
      ];
    }
    if ('mobile' in recipient) {
      const mobile = normaliseMobile(recipient.mobile);
      const problem = this.channels.sms ? mobileProblem(mobile) : unconfigured('sms');
      return [{ id: request.id, channel: 'sms', address: mobile, language: request.language ?? 'zh-CN', problem }];
    }
    if (!('staffId' in recipient)) throw new Error(`${recipientKey(recipient)} was not resolved to accounts`);
    const reach = await this.routing.staffReach(recipient.staffId, manager);
    const channel: ChannelName = reach?.mobile && (this.channels.sms || !reach.email || !this.channels.email) ? 'sms' : 'email';
    const address = channel === 'sms' ? reach?.mobile : reach?.email;
    return [{ id: request.id, channel, address: address ?? '', language: request.language ?? 'zh-CN', problem: this.channels[channel] ? undefined : unconfigured(channel) }];
  }

  /** The channel, if this process has it. */
  private configured(name: ChannelName): ChannelName {
    if (!this.channels[name]) throw new Error(unconfigured(name));
    return name;
  }
}

function unconfigured(channel: ChannelName): string {
  return `channel ${channel} is not configured (${channel === 'email' ? 'SMTP_URL' : 'SMS_GATEWAY_URL'} is not set)`;
}
