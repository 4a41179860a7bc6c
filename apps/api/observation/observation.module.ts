import { Module } from '@nestjs/common';
import { EnrolmentService } from './enrolment.service';
import { ObservationPolicyService } from './observation-policy.service';
import { ObservationService } from './observation.service';
import { ObservationsController } from './observations.controller';
import { PersonsController } from './persons.controller';

@Module({
  controllers: [PersonsController, ObservationsController],
  providers: [EnrolmentService, ObservationPolicyService, ObservationService],
  exports: [EnrolmentService, ObservationService, ObservationPolicyService],
})
export class ObservationModule {}
