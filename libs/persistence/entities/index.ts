import { AuditLogEntity, LoginAddressEntity, LoginLockoutEntity, UserEntity } from './access.entity';
import { NotificationEntity } from './notification.entity';
import { SystemProbeEntity } from './system-probe.entity';

export {
  AuditLogEntity,
  LoginAddressEntity,
  LoginLockoutEntity,
  UserEntity,
  NotificationEntity,
  SystemProbeEntity,
};

export const ENTITIES = [
  AuditLogEntity,
  LoginAddressEntity,
  LoginLockoutEntity,
  UserEntity,
  NotificationEntity,
  SystemProbeEntity,
];
