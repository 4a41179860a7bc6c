import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RosterMode } from '../../roster/roster-seats';
import type { UnfilledSeat } from '../../roster/roster-solver';
import type { Queryable } from '../queryable';

/** A jurisdiction's mode now; a jurisdiction never switched is in peace time and has no row. */
export interface JurisdictionMode {
  mode: RosterMode;
  changedAt: Date;
  changedBy: string;
}

/** What a switch changed on the roster, kept with it for the audit. */
export interface ModeSwitchSummary {
  planId: string | null;
  /** The re-planned window (local dates). */
  window: { from: string; to: string };
  added: string[];
  cancelled: string[];
  reassigned: Array<{ shiftId: string; from: string | null; to: string | null }>;
  unfilled: UnfilledSeat[];
  affectedStaff: string[];
}

export interface ModeSwitch {
  jurisdiction: string;
  from: RosterMode;
  to: RosterMode;
  effectiveAt: Date;
  by: string;
  reason: string;
  summary: ModeSwitchSummary;
}

/** roster_mode and roster_mode_switch: every statement on the peace/war modes (平战转换) and their log. */
@Injectable()
export class RosterModeRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(jurisdiction: string): Promise<JurisdictionMode | undefined> {
    const [row] = await this.db.query(`SELECT mode, changed_at AS "changedAt", changed_by AS "changedBy" FROM roster_mode WHERE jurisdiction = $1`, [jurisdiction]);
    return row;
  }

  /** Every jurisdiction switched at least once, and its mode now. */
  async all(): Promise<Map<string, RosterMode>> {
    const rows: Array<{ jurisdiction: string; mode: RosterMode }> = await this.db.query(`SELECT jurisdiction, mode FROM roster_mode`);
    return new Map(rows.map((r) => [r.jurisdiction, r.mode]));
  }

  /** The latest switches of a jurisdiction, newest first. */
  switches(jurisdiction: string, limit: number): Promise<ModeSwitch[]> {
    return this.db.query(
      `SELECT jurisdiction, from_mode AS "from", to_mode AS "to", effective_at AS "effectiveAt", switched_by AS "by", reason, summary
       FROM roster_mode_switch WHERE jurisdiction = $1 ORDER BY effective_at DESC, id DESC LIMIT $2`,
      [jurisdiction, limit],
    );
  }

  /** Sets the jurisdiction's mode and logs the switch, in the caller's transaction. */
  async recordSwitch(tx: Queryable, change: ModeSwitch): Promise<void> {
    await tx.query(
      `INSERT INTO roster_mode (jurisdiction, mode, changed_at, changed_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (jurisdiction) DO UPDATE SET mode = EXCLUDED.mode, changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by`,
      [change.jurisdiction, change.to, change.effectiveAt, change.by],
    );
    await tx.query(`INSERT INTO roster_mode_switch (jurisdiction, from_mode, to_mode, effective_at, switched_by, reason, summary) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      change.jurisdiction,
      change.from,
      change.to,
      change.effectiveAt,
      change.by,
      change.reason,
      JSON.stringify(change.summary),
    ]);
  }
}
