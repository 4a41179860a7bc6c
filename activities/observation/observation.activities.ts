import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationOutbox, SentNotificationRequest, withoutLegacy } from '../../libs/notifications/notification-outbox';
import { RecipientResolver } from '../../libs/notifications/recipient-resolver';
import { roleWhereLiving } from '../../libs/notifications/recipients';
import type { Escalation } from '../../workflows/observation/observation.messages';
import type { TrackingEntry } from '../../workflows/observation/tracking-entry';
import { ObservationRepository, ObservationRowChanges } from '../../libs/persistence/observation/observation.repository';
import { ReportLinks } from '../../libs/observation/report-links';
import { within } from '../../libs/domain/time';

/**
 * How long a release's write waits for each notice's send (a workflow-task slot is held meanwhile:
 * a gateway that hangs must not hold a storm of releases); a send still going on is left to finish,
 * and its delivery activity finds it sent or sends it again after its lease.
 */
const SEND_NOW_WAIT_MS = 2_000;

/** What one pass of an observation workflow changed, written in one transaction. */
export interface ObservationChanges {
  number: string;
  observation?: ObservationRowChanges;
  tracking: TrackingEntry[];
  escalations: Escalation[];
  /** Runs started before routing send `{ staff: 'medical@XYL' }` or the responsible worker's name. */
  notifications: SentNotificationRequest[];
  /**
   * The release's pass: its notices are sent by this write. Nobody waits on the workflow task that
   * runs it (an early end or a decision answers a supervisor with that task, and is not sent so)
   * and no pass follows it, so the release needs no delivery activity and no workflow task after it.
   */
  sendNow?: boolean;
}

@Injectable()
export class ObservationActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly observations: ObservationRepository,
    private readonly notifications: NotificationOutbox,
    private readonly reportLinks: ReportLinks,
    private readonly resolver: RecipientResolver,
  ) {}

  /**
   * Mirrors a workflow pass into PostgreSQL: the tracking log, escalations, the observation row and
   * queued notifications (a reminder with the person's live report link). Idempotent (dedup keys, upserts), so a retried local activity writes once.
   * An escalation first written gets its owner account: the responsible worker's, else the first
   * holder of its owner role where the person lives (one level up when nobody holds it).
   * Returns the notifications that need delivery through an external channel: with `sendNow`,
   * those whose one try here failed (their delivery activity retries them).
   */
  async recordObservationChanges(changes: ObservationChanges): Promise<{ toDeliver: string[] }> {
    const { toDeliver } = await this.write(changes);
    if (!changes.sendNow) return { toDeliver };
    const unsent: string[] = [];
    for (const id of toDeliver) await within(this.notifications.deliver(id), SEND_NOW_WAIT_MS, `notification ${id}`).catch(() => unsent.push(id));
    return { toDeliver: unsent };
  }

  private async write(changes: ObservationChanges): Promise<{ toDeliver: string[] }> {
    // Where the person lives: whom the escalations and the old runs' named messages go to.
    const place = { subdistrict: '', community: '' };
    if (changes.escalations.length || changes.notifications.some((n) => 'staff' in n.recipient)) Object.assign(place, await this.observations.record(changes.number));
    return this.dataSource.transaction(async (db) => {
      await this.observations.appendTrackingLog(changes.number, changes.tracking, db);
      const escalations = dedupeById(changes.escalations);
      const owners = new Map<string, string | null>();
      for (const e of escalations) owners.set(e.id, await this.resolver.owner(db, roleWhereLiving(e.ownerRole, place, e.owner)));
      await this.observations.saveEscalations(changes.number, escalations, owners, db);
      await this.observations.update(changes.number, changes.observation ?? {}, db);
      const addressed = withoutLegacy(changes.notifications, (name) => roleWhereLiving('community_worker', place, name));
      const notifications = await this.reportLinks.withLink(changes.number, addressed, db);
      const toDeliver = await this.notifications.enqueue(db, notifications, changes.number);
      return { toDeliver };
    });
  }
}

/** The latest state of each escalation: a pass may touch one twice (opened, then acknowledged). */
function dedupeById(escalations: Escalation[]): Escalation[] {
  return [...new Map(escalations.map((e) => [e.id, e])).values()];
}
