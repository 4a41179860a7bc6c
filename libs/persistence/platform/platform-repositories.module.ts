import { Global, Module } from '@nestjs/common';
import { AuditRepository } from './audit.repository';
import { LoginRepository } from './login.repository';
import { NotificationRepository } from './notification.repository';
import { RoutingRepository } from './routing.repository';
import { SystemProbeRepository } from './system-probe.repository';
import { UserRepository } from './user.repository';

const REPOSITORIES = [AuditRepository, LoginRepository, NotificationRepository, RoutingRepository, SystemProbeRepository, UserRepository];

/** The platform's repositories (notifications and their routing, accounts and logins, the audit log, the system probe), for the API and the worker. */
@Global()
@Module({
  providers: REPOSITORIES,
  exports: REPOSITORIES,
})
export class PlatformRepositoriesModule {}
