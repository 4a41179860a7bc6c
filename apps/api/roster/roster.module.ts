import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../../libs/notifications/notifications.module';
import { RosterCoreModule } from '../../../libs/roster/roster-core.module';
import { RosterController } from './roster.controller';
import { RosterModeService } from './roster-mode.service';
import { RosterPlanningService } from './roster-planning.service';
import { RosterService } from './roster.service';
import { ShiftRequestService } from './shift-request.service';

@Module({
  imports: [NotificationsModule, RosterCoreModule],
  controllers: [RosterController],
  providers: [RosterService, RosterPlanningService, RosterModeService, ShiftRequestService],
})
export class RosterModule {}
