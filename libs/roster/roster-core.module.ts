import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { RosterPlanner } from './roster-planner';
import { RosterPlanningService } from './roster-planning.service';
import { ShiftFollower } from './shift-follower';
import { ShiftLauncher } from './shift-launcher';
import { StaffNotices } from './staff-notices';

/**
 * What the roster API and the worker both use: the planner, plans and their publication (a guard
 * post's shifts are planned and published by the worker), the shift launcher and follower, and staff notices.
 * Needs the global config, persistence (with the roster repositories) and Temporal client.
 */
@Module({
  imports: [NotificationsModule],
  providers: [RosterPlanner, RosterPlanningService, ShiftLauncher, ShiftFollower, StaffNotices],
  exports: [RosterPlanner, RosterPlanningService, ShiftLauncher, ShiftFollower, StaffNotices],
})
export class RosterCoreModule {}
