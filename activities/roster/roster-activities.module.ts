import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notification.activities';
import { RosterDailyActivities } from './roster-daily.activities';
import { ShiftActivities } from './shift.activities';
import { ShiftLauncher } from './shift-launcher';

/** The roster family's activity classes, registered by the worker (ACTIVITY_CLASSES). */
export const ROSTER_ACTIVITY_CLASSES = [ShiftActivities, RosterDailyActivities];

/** Roster activities and the shift launcher the API shares; needs the global config, persistence and Temporal client. */
@Module({
  imports: [NotificationsModule],
  providers: [ShiftActivities, RosterDailyActivities, ShiftLauncher],
  exports: [ShiftActivities, RosterDailyActivities, ShiftLauncher],
})
export class RosterActivitiesModule {}
