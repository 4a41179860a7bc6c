import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../libs/domain/errors';
import { SYMPTOMS } from '../../../libs/domain/symptoms';
import { HttpProblem } from '../../../libs/nest/http-errors.filter';
import { ReportLinks } from '../../../libs/observation/report-links';
import { ObservationRecord } from '../../../libs/persistence/observation/observation.repository';
import { PersonRepository } from '../../../libs/persistence/observation/person.repository';
import type { AuditedRequest } from '../../../libs/audit/audit.service';
import { maskName } from '../dashboard/dashboard.service';
import { ObservationService, TEMPERATURE_RANGE } from '../observation/observation.service';
import { ReportLinkDto, SelfReportAcceptedDto, SelfReportViewDto } from './self-report.responses';

/** Reports one link may send within RATE_WINDOW_SECONDS: a person sends one a slot, a few more by mistake. */
export const RATE_LIMIT = 10;
export const RATE_WINDOW_SECONDS = 600;
/** Who the audit log names for what comes through a report link: the person it was sent to. */
export const REPORT_LINK_ACTOR = 'report-link';
const OPEN_STATUSES = ['active', 'escalated', 'awaiting_pickup'];

/** A report through a link over its rate: 429, with when to try again. */
export class TooManyReports extends HttpProblem {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_requests', `Too many reports through this link. Please try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`, { retryAfterSeconds });
  }
}

const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());

/**
 * The person's side of their observation, through their report link and no login: what the page
 * shows and the report, which is the worker's report command (ObservationService.report) with its
 * checks, idempotent on the page's request id and rate-limited per link.
 */
@Injectable()
export class SelfReportService {
  constructor(
    private readonly links: ReportLinks,
    private readonly observations: ObservationService,
    private readonly people: PersonRepository,
  ) {}

  async view(token: string): Promise<SelfReportViewDto> {
    const { row } = await this.open(token);
    const { open, next } = await this.observations.slotsAt(row, Date.now());
    return {
      maskedName: maskName((await this.people.nameOfObservation(row.number)) ?? ''),
      openSlot: open ? { opensAt: iso(open.opensAt)!, closesAt: iso(open.closesAt)! } : null,
      nextSlotOpensAt: iso(next?.opensAt),
      temperature: { ...TEMPERATURE_RANGE },
      symptoms: [...SYMPTOMS],
    };
  }

  async report(token: string, body: { temperature: number; symptoms?: string[]; requestId: string }, request: AuditedRequest): Promise<SelfReportAcceptedDto> {
    const { link, row } = await this.open(token);
    request.auditRecord = { type: 'observation', id: row.number, places: [{ subdistrict: row.subdistrict, community: row.community }] };
    const counted = await this.links.countReport(link, RATE_WINDOW_SECONDS);
    if (counted.count > RATE_LIMIT) throw new TooManyReports(Math.max(1, Math.ceil((counted.windowEndsAt.getTime() - Date.now()) / 1000)));
    const at = Date.now();
    const taken = await this.observations.report(row.number, { temperature: body.temperature, symptoms: body.symptoms, source: 'person' }, body.requestId, at, row);
    const { next } = await this.observations.slotsAt(row, Date.parse(taken.recordedAt));
    return { requestId: taken.requestId, temperature: taken.temperature, fever: taken.fever, recordedAt: taken.recordedAt, nextSlotOpensAt: iso(next?.opensAt) };
  }

  /** The observation's live link (its first issued now if it has none yet). */
  async liveLink(row: ObservationRecord): Promise<ReportLinkDto> {
    const live = (await this.links.live(row.number))!;
    return { observationNumber: row.number, url: live.url, generation: live.generation, issuedAt: live.issuedAt.toISOString() };
  }

  /** Revokes the live link, issues the next and texts it to the person. */
  async reissue(row: ObservationRecord, by: string): Promise<ReportLinkDto> {
    if (!OPEN_STATUSES.includes(row.status)) throw new DomainError('conflict', `observation ${row.number} is ${row.status}: its report link is closed`);
    const issued = await this.links.reissue(row.number, row.personId, by);
    return { observationNumber: row.number, url: issued.url, generation: issued.generation, issuedAt: issued.issuedAt.toISOString() };
  }

  /** The link's observation while it takes reports; an ended one is gone (410), calmly said. */
  private async open(token: string) {
    const link = await this.links.resolve(token);
    const row = await this.observations.record(link.observationNumber);
    if (!OPEN_STATUSES.includes(row.status)) throw new DomainError('gone', 'Your home observation has ended, so no more reports are needed. Thank you.', [], { reason: 'ended' });
    return { link, row };
  }
}
