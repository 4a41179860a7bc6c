import { Module } from '@nestjs/common';
import { TransferResourcesController } from './transfer-resources.controller';
import { TransferResourcesService } from './transfer-resources.service';
import { TransferRunService } from './transfer-run.service';
import { TransferRunsController } from './transfer-runs.controller';

/** Closed-loop transfers: resources, runs, trips' legs and exceptions, hand-over sheets. */
@Module({
  controllers: [TransferResourcesController, TransferRunsController],
  providers: [TransferResourcesService, TransferRunService],
})
export class TransferModule {}
