import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A report link as stored: never the token, only its SHA-256. */
export interface ReportLinkRow {
  observationNumber: string;
  generation: number;
  tokenHash: Buffer;
  issuedAt: Date;
  revokedAt: Date | null;
}

/** Where a link's reports stand in its rate window. */
export interface RateCount {
  count: number;
  windowEndsAt: Date;
}

const COLUMNS = `observation_number AS "observationNumber", generation, token_hash AS "tokenHash", issued_at AS "issuedAt", revoked_at AS "revokedAt"`;

/** Self-report links (`report_link`): one row per generation of an observation's link, at most one live. */
@Injectable()
export class ReportLinkRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The observation's live link, if it has one. */
  async live(number: string, db: EntityManager = this.dataSource.manager): Promise<ReportLinkRow | undefined> {
    const [row] = await db.query(`SELECT ${COLUMNS} FROM report_link WHERE observation_number = $1 AND revoked_at IS NULL`, [number]);
    return row;
  }

  /** The live link's generation of each observation that has one, by number. */
  async liveGenerations(numbers: string[], db: EntityManager = this.dataSource.manager): Promise<Map<string, number>> {
    if (!numbers.length) return new Map();
    const rows: Array<{ number: string; generation: number }> = await db.query(
      `SELECT observation_number AS number, generation FROM report_link WHERE observation_number = ANY($1::text[]) AND revoked_at IS NULL`,
      [numbers],
    );
    return new Map(rows.map((r) => [r.number, r.generation]));
  }

  /** The link whose token hashes to `hash`, live or revoked. */
  async byHash(hash: Buffer): Promise<ReportLinkRow | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS} FROM report_link WHERE token_hash = $1`, [hash]);
    return row;
  }

  /**
   * Issues the observation's first link unless it has one (a concurrent first issue, or a retry,
   * leaves the one there). False when the observation is not on record.
   */
  async issueFirst(number: string, tokenHash: Buffer, by: string, db: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await db.query(
      `INSERT INTO report_link (observation_number, generation, token_hash, issued_by)
       SELECT number, 1, $2, $3 FROM observation WHERE number = $1
       ON CONFLICT DO NOTHING RETURNING generation`,
      [number, tokenHash, by],
    );
    return rows.length > 0 || (await this.live(number, db)) !== undefined;
  }

  /**
   * Revokes the live link and issues the next generation, whose token's hash `hashOf` gives; in the
   * caller's transaction, with the observation's links locked so concurrent re-issues queue.
   */
  async reissue(number: string, by: string, hashOf: (generation: number) => Buffer, db: EntityManager): Promise<{ generation: number; issuedAt: Date }> {
    const rows: Array<{ generation: number }> = await db.query(`SELECT generation FROM report_link WHERE observation_number = $1 FOR UPDATE`, [number]);
    const generation = Math.max(0, ...rows.map((r) => r.generation)) + 1;
    await db.query(`UPDATE report_link SET revoked_at = now(), revoked_by = $2 WHERE observation_number = $1 AND revoked_at IS NULL`, [number, by]);
    const [issued] = await db.query(
      `INSERT INTO report_link (observation_number, generation, token_hash, issued_by) VALUES ($1, $2, $3, $4) RETURNING generation, issued_at AS "issuedAt"`,
      [number, generation, hashOf(generation), by],
    );
    return issued;
  }

  /**
   * Counts one more report through the link in its fixed window of `windowSeconds` (a new window
   * begins at the first report after the last one ended), in one statement so concurrent reports
   * each get their own count.
   */
  async countReport(hash: Buffer, windowSeconds: number): Promise<RateCount> {
    const [[row]] = await this.dataSource.query(
      `UPDATE report_link SET
         rate_count = CASE WHEN rate_window_start IS NULL OR rate_window_start <= now() - make_interval(secs => $2) THEN 1 ELSE rate_count + 1 END,
         rate_window_start = CASE WHEN rate_window_start IS NULL OR rate_window_start <= now() - make_interval(secs => $2) THEN now() ELSE rate_window_start END
       WHERE token_hash = $1
       RETURNING rate_count AS count, rate_window_start + make_interval(secs => $2) AS "windowEndsAt"`,
      [hash, windowSeconds],
    );
    return row;
  }
}
