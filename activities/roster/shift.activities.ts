import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import type { DutyState } from '../../workflows/roster/shift.messages';

export interface ShiftEventEntry {
  dedupKey: string;
  at: number;
  kind: string;
  detail: Record<string, unknown>;
}

/** What one pass of a shift workflow changed, written in one transaction. */
export interface ShiftChanges {
  shiftId: string;
  shift?: Partial<{
    dutyState: DutyState;
    staffId: string;
    checkedInBy: string;
    checkedInAt: number;
    gapSince: number | null;
    handoverNote: string;
    handedOverTo: string;
    handedOverAt: number;
    endedAt: number;
    endReason: string;
  }>;
  events: ShiftEventEntry[];
  /** Staff params (staffName, outgoingStaff, incomingStaff) carry staff ids; names are filled in here. */
  notifications: NotificationRequest[];
}

export interface SuccessorShift {
  shiftId: string;
  staffId: string | null;
}

const INSTANT = (v: number | null) => (v === null ? null : new Date(v));
const COLUMNS: Record<keyof NonNullable<ShiftChanges['shift']>, [string, (v: never) => unknown]> = {
  dutyState: ['duty_state', (v) => v],
  staffId: ['staff_id', (v) => v],
  checkedInBy: ['checked_in_by', (v) => v],
  checkedInAt: ['checked_in_at', INSTANT],
  gapSince: ['gap_since', INSTANT],
  handoverNote: ['handover_note', (v) => v],
  handedOverTo: ['handed_over_to', (v) => v],
  handedOverAt: ['handed_over_at', INSTANT],
  endedAt: ['ended_at', INSTANT],
  endReason: ['end_reason', (v) => v],
};

/** Params of the shift templates that name a staff member: workflows pass ids, messages show names. */
const STAFF_PARAMS = ['staffName', 'outgoingStaff', 'incomingStaff'];

/**
 * Names and email addresses of the staff a batch of messages concerns, filled in from roster_staff,
 * so they stay in PostgreSQL and out of workflow histories. Also used by the API's notices.
 */
export async function addressStaffNotifications(manager: EntityManager, requests: NotificationRequest[]): Promise<NotificationRequest[]> {
  const ids = new Set<string>();
  for (const request of requests) {
    if ('staff' in request.recipient) ids.add(request.recipient.staff);
    for (const key of STAFF_PARAMS) if (typeof request.params[key] === 'string') ids.add(request.params[key] as string);
  }
  if (!ids.size) return requests;
  const rows: Array<{ id: string; name: string; email: string | null }> = await manager.query(`SELECT id, name, email FROM roster_staff WHERE id = ANY($1)`, [[...ids]]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return requests.map((request) => {
    const params = { ...request.params };
    for (const key of STAFF_PARAMS) {
      const staff = typeof params[key] === 'string' ? byId.get(params[key] as string) : undefined;
      if (staff) params[key] = staff.name;
    }
    const recipient = 'staff' in request.recipient ? { staff: request.recipient.staff, email: byId.get(request.recipient.staff)?.email ?? undefined } : request.recipient;
    return { ...request, recipient, params };
  });
}

@Injectable()
export class ShiftActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationOutbox,
  ) {}

  /**
   * Mirrors a shift workflow pass into PostgreSQL: the shift row, its event log and queued
   * notifications. Idempotent (dedup keys, absolute values), so a retried local activity writes once.
   * Returns the notifications that need delivery through an external channel.
   */
  async recordShiftChanges(changes: ShiftChanges): Promise<{ toDeliver: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      if (changes.events.length) {
        const values: unknown[] = [];
        const rows = changes.events.map((e, i) => {
          values.push(changes.shiftId, new Date(e.at), e.kind, JSON.stringify(e.detail), e.dedupKey);
          const b = i * 5;
          return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::jsonb, $${b + 5})`;
        });
        await manager.query(`INSERT INTO roster_shift_event (shift_id, at, kind, detail, dedup_key) VALUES ${rows.join(', ')} ON CONFLICT (dedup_key) DO NOTHING`, values);
      }
      const fields = Object.entries(changes.shift ?? {}).filter(([, v]) => v !== undefined) as Array<[keyof typeof COLUMNS, never]>;
      if (fields.length) {
        const sets = fields.map(([key], i) => `${COLUMNS[key][0]} = $${i + 2}`);
        await manager.query(`UPDATE roster_shift SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [changes.shiftId, ...fields.map(([key, value]) => COLUMNS[key][1](value))]);
      }
      const toDeliver = await this.notifications.enqueue(manager, await addressStaffNotifications(manager, changes.notifications));
      return { toDeliver };
    });
  }

  /** The published shift that takes over this one's seat at its end, if any. */
  async findSuccessorShift({ shiftId }: { shiftId: string }): Promise<SuccessorShift | null> {
    const rows = await this.dataSource.query(
      `SELECT n.id, n.staff_id FROM roster_shift s
       JOIN roster_shift n ON n.post_id = s.post_id AND n.seat_no = s.seat_no AND n.start_at = s.end_at AND n.status = 'published'
       WHERE s.id = $1`,
      [shiftId],
    );
    return rows.length ? { shiftId: rows[0].id, staffId: rows[0].staff_id } : null;
  }
}
