import { Module } from '@nestjs/common';
import { ObservationModule } from '../observation/observation.module';
import { TransferModule } from '../transfer/transfer.module';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';

/** Every account's inbox: its messages, read marks, acting on what a message concerns, the live unread count. */
@Module({
  imports: [ObservationModule, TransferModule],
  controllers: [InboxController],
  providers: [InboxService],
})
export class InboxModule {}
