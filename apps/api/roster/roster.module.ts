import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../../libs/notifications/notifications.module';
import { RosterActivitiesModule } from '../../../activities/roster/roster-activities.module';
import { RosterController } from './roster.controller';
import { RosterModeService } from './roster-mode.service';
import { RosterPlanningService } from './roster-planning.service';
import { RosterService } from './roster.service';
import { ShiftRequestService } from './shift-request.service';

@Module({
  imports: [NotificationsModule, RosterActivitiesModule],
  controllers: [RosterController],
  providers: [RosterService, RosterPlanningService, RosterModeService, ShiftRequestService],
})
export class RosterModule {}
