import { Module } from '@nestjs/common';
import { PlatformRepositoriesModule } from '../persistence/platform/platform-repositories.module';
import { createChannels, NOTIFICATION_CHANNELS } from './channels';
import { NotificationOutbox } from './notification-outbox';

/** The outbox, with the channels configured in this process's environment: the API's notices and the worker's. */
@Module({
  imports: [PlatformRepositoriesModule],
  providers: [NotificationOutbox, { provide: NOTIFICATION_CHANNELS, useFactory: () => createChannels(process.env) }],
  exports: [NotificationOutbox, NOTIFICATION_CHANNELS],
})
export class NotificationsModule {}
