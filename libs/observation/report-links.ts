import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, requireReportLinkKey } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DomainError } from '../domain/errors';
import { NotificationOutbox, NotificationRequest, OutboxBatch } from '../notifications/notification-outbox';
import type { NotificationTemplate } from '../notifications/notification-templates';
import { ReportLinkRepository, ReportLinkRow } from '../persistence/observation/report-link.repository';

/** The messages to the person that carry their report link (`{reportLink}`). */
const CARRY_THE_LINK = new Set<NotificationTemplate>(['checkin_reminder', 'observation_enrolled', 'report_link_reissued']);
/** A token: base64url of an HMAC-SHA256, 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Who issues the first link of an observation: its enrolment. */
const ENROLMENT = 'enrolment';

/** The path a link opens (the page), under the public URL. */
export const REPORT_PAGE_PATH = '/r';

/** The sentence a wrong or malformed token is answered with: it tells nothing of anybody. */
export const UNKNOWN_LINK = 'This report link is not valid. Please use the link in your latest message, or ask your community worker for a new one.';

/**
 * Each observation's self-report link (README "Self-reporting"). The token is derived, never
 * stored: base64url(HMAC-SHA256(link key, "<number>:<generation>")); `report_link` keeps its
 * SHA-256, so a token is looked up by its hash, and any message can carry the live link again.
 * Re-issuing revokes the live link and issues the next generation.
 */
@Injectable()
export class ReportLinks {
  private readonly key: Buffer;

  constructor(
    private readonly links: ReportLinkRepository,
    private readonly outbox: NotificationOutbox,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = requireReportLinkKey(config);
  }

  tokenOf(number: string, generation: number): string {
    return createHmac('sha256', this.key).update(`${number}:${generation}`).digest('base64url');
  }

  urlOf(number: string, generation: number): string {
    return `${this.config.selfReport.publicUrl}${REPORT_PAGE_PATH}/${this.tokenOf(number, generation)}`;
  }

  /** The observation's live link, its first issued now when it has none (observations enrolled before links); undefined when it is not on record. */
  async live(number: string, db: EntityManager = this.dataSource.manager): Promise<{ url: string; generation: number; issuedAt: Date } | undefined> {
    const live = (await this.links.live(number, db)) ?? ((await this.links.issueFirst(number, hashOf(this.tokenOf(number, 1)), ENROLMENT, db)) ? await this.links.live(number, db) : undefined);
    return live && { url: this.urlOf(number, live.generation), generation: live.generation, issuedAt: live.issuedAt };
  }

  /** The messages with the live link put into those to the person that carry it. */
  async withLink(number: string, requests: NotificationRequest[], db: EntityManager): Promise<NotificationRequest[]> {
    return (await this.withLinks([{ observationNumber: number, requests }], db))[0].requests;
  }

  /** `withLink` for many observations' messages (a cohort's reminders): the live links read in one statement. */
  async withLinks(batches: Array<OutboxBatch & { observationNumber: string }>, db: EntityManager): Promise<OutboxBatch[]> {
    const carrying = batches.filter((b) => b.requests.some((r) => CARRY_THE_LINK.has(r.template))).map((b) => b.observationNumber);
    const generations = await this.links.liveGenerations(carrying, db);
    const urls = new Map<string, string | undefined>();
    for (const number of carrying) urls.set(number, generations.has(number) ? this.urlOf(number, generations.get(number)!) : (await this.live(number, db))?.url);
    return batches.map(({ observationNumber, requests }) => {
      const reportLink = urls.get(observationNumber);
      // Not on record: the outbox stores the message failed, naming the missing link.
      if (!reportLink) return { observationNumber, requests };
      return { observationNumber, requests: requests.map((r) => (CARRY_THE_LINK.has(r.template) ? { ...r, params: { ...r.params, reportLink } } : r)) };
    });
  }

  /**
   * At enrolment: the first link, and the message bringing it to the person (once, however often
   * asked), stored for the outbox relay. `textNow` (one person enrolled, not an import's thousands)
   * also tries it at once, without waiting for the gateway.
   */
  async sendOnEnrolment(number: string, personId: string, textNow: boolean): Promise<void> {
    const toDeliver = await this.dataSource.transaction(async (db) =>
      this.outbox.enqueue(db, await this.withLink(number, [{ id: `${number}:enrolled`, recipient: { personId }, template: 'observation_enrolled', params: {} }], db), number),
    );
    // Without waiting for the gateway: the answer does not depend on the text being sent.
    if (textNow) void this.outbox.tryNow(toDeliver);
  }

  /** Revokes the live link and issues the next, texted to the person (tried at once; the outbox relay retries); the new link. */
  async reissue(number: string, personId: string, by: string): Promise<{ url: string; generation: number; issuedAt: Date }> {
    const { toDeliver, ...issued } = await this.dataSource.transaction(async (db) => {
      const next = await this.links.reissue(number, by, (generation) => hashOf(this.tokenOf(number, generation)), db);
      const url = this.urlOf(number, next.generation);
      const notice: NotificationRequest = { id: `${number}:report-link:${next.generation}`, recipient: { personId }, template: 'report_link_reissued', params: { reportLink: url } };
      return { ...next, url, toDeliver: await this.outbox.enqueue(db, [notice], number) };
    });
    void this.outbox.tryNow(toDeliver);
    return issued;
  }

  /**
   * The live link a token names. A malformed or unknown token is a 404 with UNKNOWN_LINK; a revoked
   * one is gone (410). The lookup is by the token's hash, compared again in constant time.
   */
  async resolve(token: string): Promise<ReportLinkRow> {
    const hash = TOKEN.test(token) ? hashOf(token) : undefined;
    const link = hash && (await this.links.byHash(hash));
    if (!hash || !link || !timingSafeEqual(link.tokenHash, hash)) throw new DomainError('not_found', UNKNOWN_LINK);
    if (link.revokedAt) throw new DomainError('gone', 'This report link has been replaced by a newer one. Please use the link in your latest message.', [], { reason: 'replaced' });
    return link;
  }

  /** One more report through the link, within its rate window. */
  countReport(link: ReportLinkRow, windowSeconds: number) {
    return this.links.countReport(link.tokenHash, windowSeconds);
  }
}

export function hashOf(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
