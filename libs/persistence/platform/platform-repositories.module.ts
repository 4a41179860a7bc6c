import { Global, Module } from '@nestjs/common';
import { AuditRepository } from './audit.repository';
import { LoginRepository } from './login.repository';
import { NotificationRepository } from './notification.repository';
import { SystemProbeRepository } from './system-probe.repository';
import { UserRepository } from './user.repository';

const REPOSITORIES = [AuditRepository, LoginRepository, NotificationRepository, SystemProbeRepository, UserRepository];

/** The platform's repositories (notifications, accounts and logins, the audit log, the system probe), for the API and the worker. */
@Global()
@Module({
  providers: REPOSITORIES,
  exports: REPOSITORIES,
})
export class PlatformRepositoriesModule {}
