import { Global, Module } from '@nestjs/common';
import { NotificationRepository } from './notification.repository';

/** The platform's repositories (notifications, accounts and logins, the audit log, the system probe), for the API and the worker. */
@Global()
@Module({
  providers: [NotificationRepository],
  exports: [NotificationRepository],
})
export class PlatformRepositoriesModule {}
