import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import type { Escalation } from '../../workflows/observation/observation.messages';
import type { TrackingEntry } from '../../workflows/observation/tracking-entry';
import { ObservationRepository, ObservationRowChanges } from '../../libs/persistence/observation/observation.repository';
import { ReportLinks } from '../../libs/observation/report-links';

/** What one pass of an observation workflow changed, written in one transaction. */
export interface ObservationChanges {
  number: string;
  observation?: ObservationRowChanges;
  tracking: TrackingEntry[];
  escalations: Escalation[];
  notifications: NotificationRequest[];
}

@Injectable()
export class ObservationActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly observations: ObservationRepository,
    private readonly notifications: NotificationOutbox,
    private readonly reportLinks: ReportLinks,
  ) {}

  /**
   * Mirrors a workflow pass into PostgreSQL: the tracking log, escalations, the observation row and
   * queued notifications (a reminder with the person's live report link). Idempotent (dedup keys, upserts), so a retried local activity writes once.
   * Returns the notifications that need delivery through an external channel.
   */
  async recordObservationChanges(changes: ObservationChanges): Promise<{ toDeliver: string[] }> {
    return this.dataSource.transaction(async (db) => {
      await this.observations.appendTrackingLog(changes.number, changes.tracking, db);
      await this.observations.saveEscalations(changes.number, dedupeById(changes.escalations), db);
      await this.observations.update(changes.number, changes.observation ?? {}, db);
      const notifications = await this.reportLinks.withLink(changes.number, changes.notifications, db);
      const toDeliver = await this.notifications.enqueue(db, notifications, changes.number);
      return { toDeliver };
    });
  }
}

/** The latest state of each escalation: a pass may touch one twice (opened, then acknowledged). */
function dedupeById(escalations: Escalation[]): Escalation[] {
  return [...new Map(escalations.map((e) => [e.id, e])).values()];
}
