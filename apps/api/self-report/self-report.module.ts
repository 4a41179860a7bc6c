import { Module } from '@nestjs/common';
import { ObservationCoreModule } from '../../../libs/observation/observation-core.module';
import { ObservationModule } from '../observation/observation.module';
import { ReportLinkController, SelfReportController } from './self-report.controller';
import { SelfReportService } from './self-report.service';

/** Self-reporting (README "Self-reporting"): the person's page and report through their link, and the workers' link routes. */
@Module({
  imports: [ObservationModule, ObservationCoreModule],
  controllers: [SelfReportController, ReportLinkController],
  providers: [SelfReportService],
})
export class SelfReportModule {}
