import { Module } from '@nestjs/common';
import { ObservationCoreModule } from '../../../libs/observation/observation-core.module';
import { ImportService } from './import.service';
import { IncomingHandOverService } from './incoming-hand-over.service';
import { IncomingHandOversController } from './incoming-hand-overs.controller';
import { ObservationService } from './observation.service';
import { ObservationsController } from './observations.controller';
import { PersonsController } from './persons.controller';
import { StayService } from './stay.service';
import { StaysController } from './stays.controller';

@Module({
  imports: [ObservationCoreModule],
  controllers: [PersonsController, ObservationsController, IncomingHandOversController, StaysController],
  providers: [ObservationService, ImportService, IncomingHandOverService, StayService],
  exports: [ObservationService],
})
export class ObservationModule {}
