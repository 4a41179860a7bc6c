import { Module } from '@nestjs/common';
import { PlatformRepositoriesModule } from '../persistence/platform/platform-repositories.module';
import { createChannels, NOTIFICATION_CHANNELS } from './channels';
import { NotificationOutbox } from './notification-outbox';
import { RecipientResolver } from './recipient-resolver';

/** The outbox, with the channels configured in this process's environment: the API's notices and the worker's. */
@Module({
  imports: [PlatformRepositoriesModule],
  providers: [NotificationOutbox, RecipientResolver, { provide: NOTIFICATION_CHANNELS, useFactory: () => createChannels(process.env) }],
  exports: [NotificationOutbox, RecipientResolver, NOTIFICATION_CHANNELS],
})
export class NotificationsModule {}
