import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SentNotificationRequest } from '../../libs/notifications/notification-outbox';
import { RosterShiftRepository, ShiftEventEntry, ShiftFieldChanges } from '../../libs/persistence/roster/roster-shift.repository';
import { StaffNotices } from '../../libs/roster/staff-notices';

/** What one pass of a shift workflow changed, written in one transaction. */
export interface ShiftChanges {
  shiftId: string;
  shift?: ShiftFieldChanges;
  events: ShiftEventEntry[];
  /** Staff params (staffName, outgoingStaff, incomingStaff) carry staff ids; names are filled in here. Runs started before routing send `{ staff: <id> }`. */
  notifications: SentNotificationRequest[];
}

export interface SuccessorShift {
  shiftId: string;
  staffId: string | null;
}

@Injectable()
export class ShiftActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly shifts: RosterShiftRepository,
    private readonly notices: StaffNotices,
  ) {}

  /**
   * Mirrors a shift workflow pass into PostgreSQL: the shift row, its event log and queued
   * notifications. Idempotent (dedup keys, absolute values), so a retried local activity writes once.
   * Returns the notifications that need delivery through an external channel.
   */
  async recordShiftChanges(changes: ShiftChanges): Promise<{ toDeliver: string[] }> {
    return this.dataSource.transaction(async (tx) => {
      await this.shifts.record(tx, changes.shiftId, changes.shift ?? {}, changes.events);
      return { toDeliver: await this.notices.store(tx, changes.notifications) };
    });
  }

  /** The published shift that takes over this one's seat at its end, if any. */
  async findSuccessorShift({ shiftId }: { shiftId: string }): Promise<SuccessorShift | null> {
    const next = await this.shifts.successor(shiftId);
    return next ? { shiftId: next.id, staffId: next.staffId } : null;
  }
}
