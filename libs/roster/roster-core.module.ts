import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { RosterPlanner } from './roster-planner';
import { ShiftLauncher } from './shift-launcher';
import { StaffNotices } from './staff-notices';

/**
 * What the roster API and the worker both use: the planner, the shift launcher and staff notices.
 * Needs the global config, persistence (with the roster repositories) and Temporal client.
 */
@Module({
  imports: [NotificationsModule],
  providers: [RosterPlanner, ShiftLauncher, StaffNotices],
  exports: [RosterPlanner, ShiftLauncher, StaffNotices],
})
export class RosterCoreModule {}
