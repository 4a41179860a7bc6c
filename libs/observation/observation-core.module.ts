import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { EnrolmentService } from './enrolment.service';
import { LedgerImports } from './ledger-imports';
import { ObservationPolicyService } from './observation-policy.service';
import { ReportLinks } from './report-links';
import { StayLauncher } from './stay-launcher';

/**
 * Enrolment, policies, ledger imports and report links, shared by the API (POST /persons, imports) and the worker
 * (a transfer's hand-over home starts an observation; imports run there). Needs the global config,
 * persistence and Temporal client.
 */
@Module({
  imports: [NotificationsModule],
  providers: [EnrolmentService, ObservationPolicyService, LedgerImports, ReportLinks, StayLauncher],
  exports: [EnrolmentService, ObservationPolicyService, LedgerImports, ReportLinks, StayLauncher],
})
export class ObservationCoreModule {}
