import { Module } from '@nestjs/common';
import { ObservationCoreModule } from '../../../libs/observation/observation-core.module';
import { ImportService } from './import.service';
import { ObservationService } from './observation.service';
import { ObservationsController } from './observations.controller';
import { PersonsController } from './persons.controller';

@Module({
  imports: [ObservationCoreModule],
  controllers: [PersonsController, ObservationsController],
  providers: [ObservationService, ImportService],
  exports: [ObservationService],
})
export class ObservationModule {}
