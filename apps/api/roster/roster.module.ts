import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../../libs/notifications/notifications.module';
import { RosterCoreModule } from '../../../libs/roster/roster-core.module';
import { RosterController } from './roster.controller';
import { RosterModeService } from './roster-mode.service';
import { RosterService } from './roster.service';
import { ShiftRequestService } from './shift-request.service';
import { DailyReportService } from './daily-report.service';

@Module({
  imports: [NotificationsModule, RosterCoreModule],
  controllers: [RosterController],
  providers: [RosterService, RosterModeService, ShiftRequestService, DailyReportService],
})
export class RosterModule {}
