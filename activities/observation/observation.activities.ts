import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import type { Escalation, EndReason, ObservationStatus } from '../../workflows/observation/observation.messages';
import type { TrackingEntry } from '../../workflows/observation/tracking-entry';
import { appendTrackingLog } from '../../libs/observation/tracking-log';

/** What one pass of an observation workflow changed, written in one transaction. */
export interface ObservationChanges {
  number: string;
  observation?: Partial<{
    status: ObservationStatus;
    nextDueAt: number | null;
    releaseDueAt: number;
    endReason: EndReason;
    endedAt: number;
    policyId: string;
    anchorDate: string;
  }>;
  tracking: TrackingEntry[];
  escalations: Escalation[];
  notifications: NotificationRequest[];
}

const COLUMNS: Record<keyof NonNullable<ObservationChanges['observation']>, [string, (v: never) => unknown]> = {
  status: ['status', (v) => v],
  nextDueAt: ['next_due_at', (v: number | null) => (v === null ? null : new Date(v))],
  releaseDueAt: ['release_due_at', (v: number) => new Date(v)],
  endReason: ['end_reason', (v) => v],
  endedAt: ['ended_at', (v: number) => new Date(v)],
  policyId: ['policy_id', (v) => v],
  anchorDate: ['anchor_date', (v) => v],
};

@Injectable()
export class ObservationActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationOutbox,
  ) {}

  /**
   * Mirrors a workflow pass into PostgreSQL: the tracking log, escalations, the observation row and
   * queued notifications. Idempotent (dedup keys, upserts), so a retried local activity writes once.
   * Returns the notifications that need delivery through an external channel.
   */
  async recordObservationChanges(changes: ObservationChanges): Promise<{ toDeliver: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      await appendTrackingLog(manager, changes.number, changes.tracking);
      for (const e of dedupeById(changes.escalations)) {
        await manager.query(
          `INSERT INTO escalation (id, observation_number, kind, owner_role, owner, state, reason, opened_at, updated_at, resolution, decided_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9, $10)
           ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, updated_at = now(), resolution = EXCLUDED.resolution, decided_by = EXCLUDED.decided_by`,
          [e.id, changes.number, e.kind, e.ownerRole, e.owner, e.state, e.reason, new Date(e.openedAt), e.resolution ?? null, e.decidedBy ?? null],
        );
      }
      const fields = Object.entries(changes.observation ?? {}).filter(([, v]) => v !== undefined) as Array<[keyof typeof COLUMNS, never]>;
      if (fields.length) {
        const sets = fields.map(([key], i) => `${COLUMNS[key][0]} = $${i + 2}`);
        await manager.query(`UPDATE observation SET ${sets.join(', ')}, updated_at = now() WHERE number = $1`, [
          changes.number,
          ...fields.map(([key, value]) => COLUMNS[key][1](value)),
        ]);
      }
      const toDeliver = await this.notifications.enqueue(manager, changes.notifications, changes.number);
      return { toDeliver };
    });
  }
}

/** The latest state of each escalation: a pass may touch one twice (opened, then acknowledged). */
function dedupeById(escalations: Escalation[]): Escalation[] {
  return [...new Map(escalations.map((e) => [e.id, e])).values()];
}
