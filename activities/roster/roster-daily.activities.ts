import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { localDate, localTime } from '../../libs/domain/local-time';
import { RosterShiftRepository } from '../../libs/persistence/roster/roster-shift.repository';
import { ShiftLauncher } from '../../libs/roster/shift-launcher';
import { StaffNotices } from '../../libs/roster/staff-notices';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';

/** The roll-forward schedule's work: start the coming shifts, flag gaps a day ahead. */
@Injectable()
export class RosterDailyActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly launcher: ShiftLauncher,
    private readonly notices: StaffNotices,
    private readonly shifts: RosterShiftRepository,
  ) {}

  async startUpcomingShifts({ now, until }: { now: number; until: number }): Promise<{ started: string[] }> {
    return { started: await this.launcher.startDue(this.client, { now, until }) };
  }

  /** Tells each post's supervisor of seats starting in [from, to) with nobody rostered; once per seat. */
  async flagRosterGaps({ from, to, utcOffsetMinutes }: { from: number; to: number; utcOffsetMinutes: number }): Promise<{ gaps: string[]; toDeliver: string[] }> {
    const gaps = await this.shifts.unstaffed(new Date(from), new Date(to));
    const toDeliver = await this.dataSource.transaction((tx) =>
      this.notices.store(
        tx,
        gaps.map((gap) => ({
          id: `roster-gap:${gap.id}`,
          recipient: { staffId: gap.supervisor },
          template: 'roster_gap' as const,
          concerns: { kind: 'shift' as const, id: gap.id },
          params: {
            post: gap.postName,
            shiftDate: localDate(gap.startAt.getTime(), utcOffsetMinutes),
            shiftStart: localTime(gap.startAt.getTime(), utcOffsetMinutes),
            shiftEnd: localTime(gap.endAt.getTime(), utcOffsetMinutes),
            reason: gap.unfilledReason ?? 'unfilled',
          },
        })),
      ),
    );
    return { gaps: gaps.map((gap) => gap.id), toDeliver };
  }
}
