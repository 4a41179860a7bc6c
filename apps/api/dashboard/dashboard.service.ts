import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { localDate } from '../../../libs/domain/local-time';
import { ObservationFilter, ObservationService } from '../observation/observation.service';

/** A supervisor's jurisdiction: the summary counts only observations inside it. */
export interface DashboardScope {
  subdistrict?: string;
  community?: string;
}

export interface DashboardSummary {
  generatedAt: string;
  timeZone: string;
  /** The jurisdiction's local date, the day "due today" refers to. */
  today: string;
  scope: DashboardScope;
  observations: {
    /** active + escalated. */
    underObservation: number;
    byStatus: Record<string, number>;
    /** Of those under observation. */
    byCategory: Record<string, number>;
    dueToday: number;
    /** With an open missed-report escalation (the list's `overdue` filter). */
    overdue: number;
  };
  escalations: { unresolved: number; byState: Record<string, number>; byKind: Record<string, number> };
  /** Every subdistrict and community within the reader's jurisdiction that has observations, for the filters. */
  jurisdictions: Array<{ subdistrict: string; community: string; underObservation: number }>;
}

const STATUSES = ['active', 'escalated', 'released', 'ended'];
const CATEGORIES = ['A', 'B', 'C', 'D'];
const OPEN = `o.status IN ('active', 'escalated')`;

/** Counts for the supervisors' dashboard, each an aggregate query over PostgreSQL (no workflow calls). */
@Injectable()
export class DashboardService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly observations: ObservationService,
  ) {}

  /** `scope`: the counts' filter; `within`: the reader's jurisdiction, which the filter options span. */
  async summary(scope: DashboardScope = {}, within: DashboardScope = {}): Promise<DashboardSummary> {
    const { where, params } = scopeClause(scope);
    const own = scopeClause(within);
    const and = where ? `AND ${where}` : '';
    const [statusRows, escalationRows, jurisdictions, dueToday, overdue] = await Promise.all([
      this.dataSource.query(`SELECT o.status, o.category, count(*)::int AS n FROM observation o ${where ? `WHERE ${where}` : ''} GROUP BY o.status, o.category`, params),
      this.dataSource.query(
        `SELECT e.state, e.kind, count(*)::int AS n FROM escalation e JOIN observation o ON o.number = e.observation_number
         WHERE e.state <> 'resolved' ${and} GROUP BY e.state, e.kind`,
        params,
      ),
      this.dataSource.query(
        `SELECT o.subdistrict, o.community, (count(*) FILTER (WHERE ${OPEN}))::int AS "underObservation"
         FROM observation o ${own.where ? `WHERE ${own.where}` : ''} GROUP BY o.subdistrict, o.community ORDER BY o.subdistrict, o.community LIMIT 2000`,
        own.params,
      ),
      // The list's own filters, so a count and the list it opens always agree.
      this.total({ ...scope, dueToday: true }),
      this.total({ ...scope, overdue: true }),
    ]);
    const byStatus = zeroes(STATUSES);
    const byCategory = zeroes(CATEGORIES);
    for (const row of statusRows as Array<{ status: string; category: string; n: number }>) {
      byStatus[row.status] = (byStatus[row.status] ?? 0) + row.n;
      if (row.status === 'active' || row.status === 'escalated') byCategory[row.category] = (byCategory[row.category] ?? 0) + row.n;
    }
    const byState = zeroes(['open', 'acknowledged']);
    const byKind: Record<string, number> = {};
    for (const row of escalationRows as Array<{ state: string; kind: string; n: number }>) {
      byState[row.state] = (byState[row.state] ?? 0) + row.n;
      byKind[row.kind] = (byKind[row.kind] ?? 0) + row.n;
    }
    const now = Date.now();
    return {
      generatedAt: new Date(now).toISOString(),
      timeZone: this.config.timeZone,
      today: localDate(now, utcOffsetMinutes(this.config.timeZone, now)),
      scope,
      observations: { underObservation: byStatus.active + byStatus.escalated, byStatus, byCategory, dueToday, overdue },
      escalations: { unresolved: sum(byState), byState, byKind },
      jurisdictions,
    };
  }

  /** The list page with each person's name and document number masked. */
  async maskedList(filter: ObservationFilter) {
    const page = await this.observations.list(filter);
    const items: Array<{ personId: string } & Record<string, unknown>> = page.items;
    const ids = [...new Set(items.map((item) => item.personId))];
    const people: Array<{ id: string; name: string; document_number: string }> = ids.length
      ? await this.dataSource.query(`SELECT id, name, document_number FROM person WHERE id = ANY($1::uuid[])`, [ids])
      : [];
    const byId = new Map(people.map((p) => [p.id, p]));
    return {
      ...page,
      items: items.map(({ personId, ...item }) => {
        const person = byId.get(personId);
        return { ...item, name: person ? maskName(person.name) : null, documentNumber: person ? maskDocumentNumber(person.document_number) : null };
      }),
    };
  }

  private async total(filter: ObservationFilter): Promise<number> {
    return (await this.observations.list({ ...filter, page: 1, pageSize: 1 })).total;
  }
}

function scopeClause(scope: DashboardScope): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const column of ['subdistrict', 'community'] as const) {
    if (!scope[column]) continue;
    params.push(scope[column]);
    clauses.push(`o.${column} = $${params.length}`);
  }
  return { where: clauses.join(' AND '), params };
}

function zeroes(keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((key) => [key, 0]));
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** 张伟 → 张*, 欧阳娜娜 → 欧***: the family name stays so a worker can still address the person. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** 11010819900101002X → 1101**********002X: region and check digits stay, birth date and sequence go. */
export function maskDocumentNumber(number: string): string {
  const chars = [...number.trim()];
  if (chars.length <= 4) return '*'.repeat(chars.length);
  const keep = chars.length >= 12 ? 4 : Math.floor(chars.length / 4);
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - 2 * keep) + chars.slice(chars.length - keep).join('');
}
