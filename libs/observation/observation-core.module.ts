import { Module } from '@nestjs/common';
import { EnrolmentService } from './enrolment.service';
import { ObservationPolicyService } from './observation-policy.service';

/**
 * Enrolment and policies, shared by the API (POST /persons, imports) and the worker (a transfer's
 * hand-over home starts an observation). Needs the global config, persistence and Temporal client.
 */
@Module({
  providers: [EnrolmentService, ObservationPolicyService],
  exports: [EnrolmentService, ObservationPolicyService],
})
export class ObservationCoreModule {}
