import { Module } from '@nestjs/common';
import { DispatchEventsController } from './dispatch-events.controller';
import { DispatchEventsService } from './dispatch-events.service';
import { DispatchSignatureGuard } from './dispatch-signature.guard';
import { ReceivingController } from './receiving.controller';
import { TransferResourcesController } from './transfer-resources.controller';
import { TransferResourcesService } from './transfer-resources.service';
import { TransferRunService } from './transfer-run.service';
import { TransferRunsController } from './transfer-runs.controller';

/** Closed-loop transfers: resources, runs, trips' legs and exceptions, hand-over sheets, the receiving side, the dispatch system's leg events. */
@Module({
  controllers: [TransferResourcesController, TransferRunsController, ReceivingController, DispatchEventsController],
  providers: [TransferResourcesService, TransferRunService, DispatchEventsService, DispatchSignatureGuard],
  exports: [TransferRunService],
})
export class TransferModule {}
