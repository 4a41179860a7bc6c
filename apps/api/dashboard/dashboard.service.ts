import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { localDate } from '../../../libs/domain/local-time';
import { Page, PageQuery } from '../../../libs/nest/paging';
import { ObservationRepository } from '../../../libs/persistence/observation/observation.repository';
import { PersonRepository } from '../../../libs/persistence/observation/person.repository';
import { RoutingRepository } from '../../../libs/persistence/platform/routing.repository';
import { RosterPostRepository } from '../../../libs/persistence/roster/roster-post.repository';
import { ObservationFilter, ObservationService } from '../observation/observation.service';
import { DashboardScope, DashboardSummary, MaskedObservationDto } from './dashboard.responses';

const STATUSES = ['active', 'escalated', 'awaiting_pickup', 'released', 'ended'];
const CATEGORIES = ['A', 'B', 'C', 'D'];

/** Counts for the supervisors' dashboard, each an aggregate query over PostgreSQL (no workflow calls). */
@Injectable()
export class DashboardService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly observations: ObservationService,
    private readonly records: ObservationRepository,
    private readonly people: PersonRepository,
    private readonly routing: RoutingRepository,
    private readonly posts: RosterPostRepository,
  ) {}

  /** `scope`: the counts' filter; `within`: the reader's jurisdiction, which the filter options span. */
  async summary(scope: DashboardScope = {}, within: DashboardScope = {}): Promise<DashboardSummary> {
    const now = Date.now();
    const [counts, jurisdictions, dueToday, overdue, routingGaps, guardGaps] = await Promise.all([
      this.records.counts(scope),
      this.records.places(within),
      // The list's own filters, so a count and the list it opens always agree.
      this.observations.count({ ...scope, dueToday: true }),
      this.observations.count({ ...scope, overdue: true }),
      this.routing.openGaps(within.subdistrict ?? null),
      this.posts.guardPostGaps(scope, new Date(now)),
    ]);
    const byStatus = zeroes(STATUSES);
    const byCategory = zeroes(CATEGORIES);
    for (const row of counts.byStatusAndCategory) {
      byStatus[row.status] = (byStatus[row.status] ?? 0) + row.n;
      if (row.status === 'active' || row.status === 'escalated' || row.status === 'awaiting_pickup') byCategory[row.category] = (byCategory[row.category] ?? 0) + row.n;
    }
    const byState = zeroes(['open', 'acknowledged']);
    const byKind: Record<string, number> = {};
    for (const row of counts.unresolvedEscalations) {
      byState[row.state] = (byState[row.state] ?? 0) + row.n;
      byKind[row.kind] = (byKind[row.kind] ?? 0) + row.n;
    }
    return {
      generatedAt: new Date(now).toISOString(),
      timeZone: this.config.timeZone,
      today: localDate(now, utcOffsetMinutes(this.config.timeZone, now)),
      scope,
      observations: { underObservation: byStatus.active + byStatus.escalated, byStatus, byCategory, dueToday, overdue },
      escalations: { unresolved: sum(byState), byState, byKind },
      jurisdictions,
      routingGaps,
      guardPostGaps: { count: guardGaps.length, items: guardGaps.map((gap) => ({ ...gap, since: gap.since.toISOString() })) },
    };
  }

  /** The list page with each person's name and document number masked. */
  async maskedList(filter: ObservationFilter, query: PageQuery): Promise<Page<MaskedObservationDto>> {
    const page = await this.observations.list(filter, query);
    const people = await this.people.identities([...new Set(page.items.map((item) => item.personId))]);
    const byId = new Map(people.map((p) => [p.id, p]));
    return {
      ...page,
      items: page.items.map(({ personId, ...item }) => {
        const person = byId.get(personId);
        return { ...item, name: person ? maskName(person.name) : null, documentNumber: person ? maskDocumentNumber(person.documentNumber) : null };
      }),
    };
  }
}

function zeroes(keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((key) => [key, 0]));
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** 张伟 → 张*, 欧阳娜娜 → 欧***, John Smith → J*** S****: the first letters stay so a worker can still address the person. */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .map((word) => {
      const chars = [...word];
      return chars.length <= 1 ? word : chars[0] + '*'.repeat(chars.length - 1);
    })
    .join(' ');
}

/** 11010819900101002X → 1101**********002X: region and check digits stay, birth date and sequence go. */
export function maskDocumentNumber(number: string): string {
  const chars = [...number.trim()];
  if (chars.length <= 4) return '*'.repeat(chars.length);
  const keep = chars.length >= 12 ? 4 : Math.floor(chars.length / 4);
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - 2 * keep) + chars.slice(chars.length - keep).join('');
}
