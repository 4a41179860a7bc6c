import { Injectable } from '@nestjs/common';
import { conflict, invalid, invalidAll, notFound } from '../domain/errors';
import { Page, pageOf, PageQuery } from '../nest/paging';
import { ObservationPolicyRepository } from '../persistence/observation/observation-policy.repository';
import { Category, isCategory, ObservationPolicy, ObservationRules, validateRules } from '../../workflows/observation/observation-policy';

/** How long "the policy in force for a category" is cached: new versions are rare and dated ahead. */
const EFFECTIVE_CACHE_MS = 10_000;

/** Versioned policies per category: the newest one effective on a date applies to enrolments that day. */
@Injectable()
export class ObservationPolicyService {
  /** A policy version never changes once written, so reads by id are cached for good. */
  private readonly byId = new Map<string, ObservationPolicy>();
  private readonly inForce = new Map<string, { policy: ObservationPolicy; until: number }>();

  constructor(private readonly policies: ObservationPolicyRepository) {}

  /** A page of the versions, of one category or all, by category and version. */
  async list(category: Category | undefined, query: PageQuery): Promise<Page<ObservationPolicy>> {
    const { page, pageSize, offset } = pageOf(query);
    return { ...(await this.policies.page(category, { offset, pageSize })), page, pageSize };
  }

  async get(id: string): Promise<ObservationPolicy> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const policy = await this.policies.byId(id);
    if (!policy) throw notFound('policy', id);
    this.byId.set(id, policy);
    return policy;
  }

  /** The policy in force for a category on a local date. */
  async effective(category: Category, date: string): Promise<ObservationPolicy> {
    const key = `${category}:${date}`;
    const cached = this.inForce.get(key);
    if (cached && cached.until > Date.now()) return cached.policy;
    const policy = await this.policies.inForce(category, date);
    if (!policy) throw invalid('category', `no observation policy for category ${category} is in force on ${date}`);
    this.inForce.set(key, { policy, until: Date.now() + EFFECTIVE_CACHE_MS });
    return policy;
  }

  /** A new version for a category; it applies to enrolments from its effective date, which must follow the latest version's. */
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
    const outcome = await this.policies.addVersion(category, input.effectiveFrom as string, input.rules as ObservationRules);
    if ('latest' in outcome) {
      throw conflict(`a policy for category ${category} is already effective from ${outcome.latest}`, {}, [{ field: 'effectiveFrom', reason: `must be after ${outcome.latest}` }]);
    }
    this.inForce.clear();
    this.byId.set(outcome.added.id, outcome.added);
    return outcome.added;
  }
}
