import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { conflict, invalid, invalidAll, notFound } from '../domain/errors';
import { Category, isCategory, ObservationPolicy, ObservationRules, validateRules } from '../../workflows/observation/observation-policy';

interface PolicyRow {
  id: string;
  category: Category;
  version: number;
  effective_from: string;
  rules: ObservationRules;
}

const toPolicy = (row: PolicyRow): ObservationPolicy => ({
  id: row.id,
  category: row.category,
  version: row.version,
  effectiveFrom: typeof row.effective_from === 'string' ? row.effective_from : new Date(row.effective_from).toISOString().slice(0, 10),
  rules: row.rules,
});

/** Versioned policies per category: the newest one effective on a date applies to enrolments that day. */
/** How long "the policy in force for a category" is cached: new versions are rare and dated ahead. */
const EFFECTIVE_CACHE_MS = 10_000;

@Injectable()
export class ObservationPolicyService {
  /** A policy version never changes once written, so reads by id are cached for good. */
  private readonly byId = new Map<string, ObservationPolicy>();
  private readonly inForce = new Map<string, { policy: ObservationPolicy; until: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(category?: string): Promise<ObservationPolicy[]> {
    if (category !== undefined && !isCategory(category)) throw invalid('category', 'must be A, B, C or D');
    const rows: PolicyRow[] = await this.dataSource.query(
      `SELECT id, category, version, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, rules FROM observation_policy
       WHERE $1::text IS NULL OR category = $1 ORDER BY category, version`,
      [category ?? null],
    );
    return rows.map(toPolicy);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<ObservationPolicy> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const rows: PolicyRow[] = await manager.query(
      `SELECT id, category, version, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, rules FROM observation_policy WHERE id = $1`,
      [id],
    );
    if (!rows.length) throw notFound('policy', id);
    const policy = toPolicy(rows[0]);
    this.byId.set(id, policy);
    return policy;
  }

  /** The policy in force for a category on a local date. */
  async effective(category: Category, date: string): Promise<ObservationPolicy> {
    const key = `${category}:${date}`;
    const cached = this.inForce.get(key);
    if (cached && cached.until > Date.now()) return cached.policy;
    const rows: PolicyRow[] = await this.dataSource.query(
      `SELECT id, category, version, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, rules FROM observation_policy
       WHERE category = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1`,
      [category, date],
    );
    if (!rows.length) throw invalid('category', `no observation policy for category ${category} is in force on ${date}`);
    const policy = toPolicy(rows[0]);
    this.inForce.set(key, { policy, until: Date.now() + EFFECTIVE_CACHE_MS });
    return policy;
  }

  /** A new version for a category; it applies to enrolments from its effective date. */
  async create(input: { category: unknown; effectiveFrom: unknown; rules: unknown }): Promise<ObservationPolicy> {
    const problems = [];
    if (!isCategory(input.category)) problems.push({ field: 'category', reason: 'must be A, B, C or D' });
    if (typeof input.effectiveFrom !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(input.effectiveFrom)) {
      problems.push({ field: 'effectiveFrom', reason: 'must be a date YYYY-MM-DD' });
    }
    if (typeof input.rules !== 'object' || input.rules === null) problems.push({ field: 'rules', reason: 'is required' });
    else problems.push(...validateRules(input.rules as Partial<ObservationRules>).map((p) => ({ field: `rules.${p.field}`, reason: p.reason })));
    if (problems.length) throw invalidAll(problems);
    const category = input.category as Category;
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`policy:${category}`]);
      const [{ latest, next }] = await manager.query(
        `SELECT to_char(max(effective_from), 'YYYY-MM-DD') AS latest, coalesce(max(version), 0) + 1 AS next FROM observation_policy WHERE category = $1`,
        [category],
      );
      if (latest && (input.effectiveFrom as string) <= latest) {
        throw conflict(`a policy for category ${category} is already effective from ${latest}`, {}, [{ field: 'effectiveFrom', reason: `must be after ${latest}` }]);
      }
      const id = `${category}-v${next}`;
      await manager.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        category,
        next,
        input.effectiveFrom,
        JSON.stringify(input.rules),
      ]);
      this.inForce.clear();
      return this.get(id, manager);
    });
  }
}
