import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../libs/notifications/notifications.module';
import { RosterDailyActivities } from './roster-daily.activities';
import { RosterPlanActivities } from './roster-plan.activities';
import { RosterPlanner } from './roster-planner';
import { ShiftActivities } from './shift.activities';
import { ShiftLauncher } from './shift-launcher';

/** The roster family's activity classes, registered by the worker (ACTIVITY_CLASSES). */
export const ROSTER_ACTIVITY_CLASSES = [ShiftActivities, RosterDailyActivities, RosterPlanActivities];

/** Roster activities, and the shift launcher and planner the API shares; needs the global config, persistence and Temporal client. */
@Module({
  imports: [NotificationsModule],
  providers: [ShiftActivities, RosterDailyActivities, RosterPlanActivities, ShiftLauncher, RosterPlanner],
  exports: [ShiftActivities, RosterDailyActivities, RosterPlanActivities, ShiftLauncher, RosterPlanner],
})
export class RosterActivitiesModule {}
