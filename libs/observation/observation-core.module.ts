import { Module } from '@nestjs/common';
import { EnrolmentService } from './enrolment.service';
import { LedgerImports } from './ledger-imports';
import { ObservationPolicyService } from './observation-policy.service';

/**
 * Enrolment, policies and ledger imports, shared by the API (POST /persons, imports) and the worker
 * (a transfer's hand-over home starts an observation; imports run there). Needs the global config,
 * persistence and Temporal client.
 */
@Module({
  providers: [EnrolmentService, ObservationPolicyService, LedgerImports],
  exports: [EnrolmentService, ObservationPolicyService, LedgerImports],
})
export class ObservationCoreModule {}
