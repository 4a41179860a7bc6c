import type { QueryRunner } from 'typeorm';
import { InitialSchema1764000000000 } from '../../libs/persistence/migrations/1764000000000-initial-schema';
import { DEFAULT_RULES } from '../../workflows/observation/observation-policy';

/** The statements a migration runs, with their parameters, recorded instead of run. */
async function statementsOf(up: (q: QueryRunner) => Promise<void>): Promise<Array<{ sql: string; params?: unknown[] }>> {
  const statements: Array<{ sql: string; params?: unknown[] }> = [];
  await up({ query: async (sql: string, params?: unknown[]) => void statements.push({ sql, params }) } as unknown as QueryRunner);
  return statements;
}

describe('the first migration’s policy seed', () => {
  // The rules version 1 of every category had when the migration was written, as the SQL received them.
  const WRITTEN_WITH =
    '{"periodDays":14,"slots":[{"start":"08:00","end":"10:00"},{"start":"14:00","end":"16:00"}],"reminderMinutes":0,"graceMinutes":60,"feverThreshold":37.3,"doorAllowedWindows":[]}';

  it('seeds the rules it was written with, whatever the live defaults are now', async () => {
    const today = structuredClone(DEFAULT_RULES);
    // Someone changes the defaults for new policies: an old migration must not follow.
    Object.assign(DEFAULT_RULES, { periodDays: 21, feverThreshold: 37.5, slots: [{ start: '07:00', end: '09:00' }] });
    try {
      const seeds = (await statementsOf((q) => new InitialSchema1764000000000().up(q))).filter((s) => s.sql.startsWith('INSERT INTO observation_policy'));
      expect(seeds).toEqual(
        ['A', 'B', 'C', 'D'].map((category) => ({
          sql: `INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, $2, 1, '2020-01-01', $3)`,
          params: [`${category}-v1`, category, WRITTEN_WITH],
        })),
      );
    } finally {
      Object.assign(DEFAULT_RULES, today);
    }
  });
});
