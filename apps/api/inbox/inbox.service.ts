import { Injectable } from '@nestjs/common';
import { distinctUntilChanged, exhaustMap, from, Observable, timer } from 'rxjs';
import type { AuditedRequest } from '../../../libs/audit/audit.service';
import { assertReaches, Place, reaches } from '../../../libs/auth/jurisdiction';
import { ESCALATION_ROLES, Principal, Role, TRANSFER_ROLES } from '../../../libs/auth/roles';
import { conflict, DomainError, forbidden, invalid, notFound } from '../../../libs/domain/errors';
import { Page, PageQuery, pageOf } from '../../../libs/nest/paging';
import { ObservationRepository } from '../../../libs/persistence/observation/observation.repository';
import { InboxMessage, NotificationRepository } from '../../../libs/persistence/platform/notification.repository';
import { TransferRunRepository } from '../../../libs/persistence/transfer/transfer-run.repository';
import { acknowledgeEscalationUpdate } from '../../../workflows/observation/observation.messages';
import { decideExceptionUpdate, EXCEPTION_RULES } from '../../../workflows/transfer/transfer.messages';
import { ObservationService } from '../observation/observation.service';
import { TransferRunService } from '../transfer/transfer-run.service';
import { MarkReadDto, MAX_MESSAGE_ID } from './inbox.dto';
import { InboxAction, inboxItemView, InboxItemView, MarkedReadView } from './inbox.responses';

/** How often an open stream re-reads its account's unread count: a cheap indexed count, a few seconds late at most. */
export const STREAM_POLL_MS = 2_000;

/**
 * An open escalation or transfer exception a message concerns, as the inbox offers what can be done
 * on it: who owns it, where it lies, whether it waits for an acknowledgement and who may give it
 * (the roles of its own acknowledge route).
 */
interface Matter {
  record: 'escalation' | 'transfer-exception';
  id: string;
  /** The observation or the run whose workflow takes the acknowledgement. */
  parentId: string;
  state: string;
  ownerRole: string;
  ownerAccount: string | null;
  place: Place;
  awaitsAcknowledgement: boolean;
  acknowledgers: Role[];
}

/** My messages: the inbox, marking read, and acting on the escalation or exception a message concerns. */
@Injectable()
export class InboxService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly escalations: ObservationRepository,
    private readonly transfers: TransferRunRepository,
    private readonly observations: ObservationService,
    private readonly runs: TransferRunService,
  ) {}

  async page(actor: Principal, query: PageQuery): Promise<Page<InboxItemView>> {
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await this.notifications.inboxPage(actor.userId, { offset, pageSize });
    return { items: await this.views(actor, items), page, pageSize, total };
  }

  unread(actor: Principal): Promise<number> {
    return this.notifications.unreadCount(actor.userId);
  }

  /** The unread count now and whenever it changes, until the subscriber (the page's open stream) goes away. */
  unreadStream(actor: Principal): Observable<number> {
    return timer(0, STREAM_POLL_MS).pipe(
      exhaustMap(() => from(this.unread(actor))),
      distinctUntilChanged(),
    );
  }

  /** Marks one of my messages read (again: no change) and answers it. */
  async read(actor: Principal, id: string): Promise<InboxItemView> {
    const message = await this.mine(actor, id);
    await this.notifications.markRead(actor.userId, [message.id]);
    return this.view(actor, id);
  }

  /** Marks the given messages of mine, or all of them, read; an id that is not one of mine is refused (404) before any is marked. */
  async readMany(actor: Principal, body: MarkReadDto): Promise<MarkedReadView> {
    if ((body.ids === undefined) === (body.all === undefined)) throw invalid('ids', 'give the messages to mark read, or all: true (not both)');
    if (body.ids) {
      const found = new Set((await this.notifications.inboxMessages(actor.userId, body.ids)).map((m) => m.id));
      const missing = body.ids.findIndex((id) => !found.has(id));
      if (missing >= 0) throw new DomainError('not_found', `message ${body.ids[missing]} not found`, [{ field: `ids[${missing}]`, reason: `no message ${body.ids[missing]} in your inbox` }]);
    }
    const marked = await this.notifications.markRead(actor.userId, body.ids ?? null);
    return { marked, unread: await this.unread(actor) };
  }

  /**
   * Acknowledges the escalation or exception a message of mine concerns, through the same command
   * and checks as its own acknowledge route, with me as `by`; the message is read then.
   */
  async acknowledge(actor: Principal, id: string, request: AuditedRequest): Promise<InboxItemView> {
    const matter = await this.matterOf(actor, id, request);
    if (!matter.acknowledgers.includes(actor.role)) throw forbidden(`a ${actor.role} may not acknowledge ${matter.record} ${matter.id} (allowed: ${matter.acknowledgers.join(', ')})`);
    assertReaches(actor, matter.place, `${matter.record} ${matter.id}`);
    if (matter.record === 'escalation') {
      await this.observations.command(matter.parentId, acknowledgeEscalationUpdate, { escalationId: matter.id, by: actor.displayName });
    } else {
      await this.runs.runCommand(matter.parentId, decideExceptionUpdate, { exceptionId: matter.id, decision: 'acknowledge', by: actor.displayName });
    }
    await this.notifications.markRead(actor.userId, [id]);
    return this.view(actor, id);
  }

  /** Makes me the owner of the open escalation or exception a message of mine concerns, when I hold its owner role in its place; the message is read then. */
  async take(actor: Principal, id: string, request: AuditedRequest): Promise<InboxItemView> {
    const matter = await this.matterOf(actor, id, request);
    const what = `${matter.record} ${matter.id}`;
    if (matter.ownerRole !== actor.role) throw forbidden(`${what} is owned by a ${matter.ownerRole}; a ${actor.role} may not take it`);
    assertReaches(actor, matter.place, what);
    const resolved = () => conflict(`${what} is resolved`, {}, [{ field: 'id', reason: `${what} is resolved: nothing to take` }]);
    if (matter.state === 'resolved') throw resolved();
    const taken = matter.record === 'escalation' ? await this.escalations.takeEscalation(matter.id, actor.userId) : await this.transfers.takeException(matter.id, actor.userId);
    if (!taken) throw resolved();
    await this.notifications.markRead(actor.userId, [id]);
    return this.view(actor, id);
  }

  private async view(actor: Principal, id: string): Promise<InboxItemView> {
    const [item] = await this.views(actor, [await this.mine(actor, id)]);
    return item;
  }

  /** One of my messages: another account's, or none, is not found. */
  private async mine(actor: Principal, id: string): Promise<InboxMessage> {
    if (id.length > MAX_MESSAGE_ID) throw invalid('id', `a message id has at most ${MAX_MESSAGE_ID} characters`);
    const [message] = await this.notifications.inboxMessages(actor.userId, [id]);
    if (!message) throw notFound('message', id);
    return message;
  }

  /** The escalation or exception one of my messages concerns (409 when it concerns neither), named on the request's audit row. */
  private async matterOf(actor: Principal, id: string, request: AuditedRequest): Promise<Matter> {
    const message = await this.mine(actor, id);
    const [matter] = await this.matters([message]);
    if (!matter) throw conflict(`message ${id} concerns no open escalation or exception`, {}, [{ field: 'id', reason: 'the message concerns no escalation or exception' }]);
    request.auditRecord = { type: matter.record, id: matter.id, places: [matter.place] };
    return matter;
  }

  private async views(actor: Principal, messages: InboxMessage[]): Promise<InboxItemView[]> {
    const matters = new Map((await this.matters(messages)).map((m) => [`${m.record}:${m.id}`, m]));
    return messages.map((m) => {
      const record = m.concernsKind === 'escalation' ? 'escalation' : 'transfer-exception';
      return inboxItemView(m, actionsOn(actor, m, matters.get(`${record}:${m.concernsId}`)), actor.role);
    });
  }

  /** The escalations and exceptions these messages concern, read at once. */
  private async matters(messages: InboxMessage[]): Promise<Matter[]> {
    const idsOf = (kind: string) => [...new Set(messages.filter((m) => m.concernsKind === kind && m.concernsId).map((m) => m.concernsId!))];
    const [escalations, exceptions] = await Promise.all([
      idsOf('escalation').length ? this.escalations.escalationOwnership(idsOf('escalation')) : [],
      idsOf('transfer_exception').length ? this.transfers.exceptionOwnership(idsOf('transfer_exception')) : [],
    ]);
    return [
      ...escalations.map((e): Matter => ({
        record: 'escalation',
        id: e.id,
        parentId: e.observationNumber,
        state: e.state,
        ownerRole: e.ownerRole,
        ownerAccount: e.ownerAccount,
        place: { subdistrict: e.subdistrict, community: e.community },
        awaitsAcknowledgement: e.state === 'open',
        acknowledgers: ESCALATION_ROLES,
      })),
      ...exceptions.map((x): Matter => ({
        record: 'transfer-exception',
        id: x.id,
        parentId: x.runId,
        state: x.state,
        ownerRole: x.ownerRole,
        ownerAccount: x.ownerAccount,
        place: { subdistrict: x.subdistrict, community: null, destinationId: x.destinationId },
        awaitsAcknowledgement: (x.state === 'open' || x.state === 'escalated') && EXCEPTION_RULES[x.kind].decisions.includes('acknowledge'),
        acknowledgers: TRANSFER_ROLES,
      })),
    ];
  }
}

/** What I can do on a message now: read it while unread; acknowledge or take the matter it concerns when open and mine to act on. */
function actionsOn(actor: Principal, message: InboxMessage, matter: Matter | undefined): InboxAction[] {
  const actions: InboxAction[] = message.readAt ? [] : ['read'];
  if (!matter || matter.state === 'resolved' || !reaches(actor, matter.place)) return actions;
  if (matter.awaitsAcknowledgement && matter.acknowledgers.includes(actor.role)) actions.push('acknowledge');
  if (matter.ownerRole === actor.role && matter.ownerAccount !== actor.userId) actions.push('take');
  return actions;
}
