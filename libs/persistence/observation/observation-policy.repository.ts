import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryPage } from '../page-query';
import type { Category, ObservationPolicy, ObservationRules } from '../../../workflows/observation/observation-policy';

const POLICY_COLUMNS = `id, category, version, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", rules`;
const SELECT_POLICY = `SELECT ${POLICY_COLUMNS} FROM observation_policy`;

/** Versioned observation policies per category (`observation_policy`). */
@Injectable()
export class ObservationPolicyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A page of the versions, of one category or all, by category and version. */
  page(category: Category | undefined, page: { offset: number; pageSize: number }): Promise<{ items: ObservationPolicy[]; total: number }> {
    return queryPage(this.dataSource, { columns: POLICY_COLUMNS, from: 'FROM observation_policy WHERE $1::text IS NULL OR category = $1', orderBy: 'category, version' }, [category ?? null], page);
  }

  /** Every version (a few dozen at most): the observation clock's agenda is made of their slots. */
  all(): Promise<ObservationPolicy[]> {
    return this.dataSource.query(`${SELECT_POLICY} ORDER BY category, version`);
  }

  async byId(id: string): Promise<ObservationPolicy | undefined> {
    const [row] = await this.dataSource.query(`${SELECT_POLICY} WHERE id = $1`, [id]);
    return row;
  }

  /** The newest version of the category effective on a local date. */
  async inForce(category: Category, date: string): Promise<ObservationPolicy | undefined> {
    const [row] = await this.dataSource.query(`${SELECT_POLICY} WHERE category = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1`, [category, date]);
    return row;
  }

  /**
   * Adds the category's next version (`<category>-v<n>`) unless a version is already effective from
   * that date or later: then it answers that date and adds nothing. Versions of one category are
   * added one at a time, so they stay in the order of their dates.
   */
  addVersion(category: Category, effectiveFrom: string, rules: ObservationRules): Promise<{ added: ObservationPolicy } | { latest: string }> {
    return this.dataSource.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`policy:${category}`]);
      const [{ latest, next }] = await db.query(
        `SELECT to_char(max(effective_from), 'YYYY-MM-DD') AS latest, coalesce(max(version), 0) + 1 AS next FROM observation_policy WHERE category = $1`,
        [category],
      );
      if (latest && effectiveFrom <= latest) return { latest };
      const [added] = await db.query(
        `INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${POLICY_COLUMNS}`,
        [`${category}-v${next}`, category, next, effectiveFrom, JSON.stringify(rules)],
      );
      return { added };
    });
  }
}
