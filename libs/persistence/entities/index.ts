import { AuditLogEntity, LoginAddressEntity, LoginLockoutEntity, UserEntity } from './access.entity';
import { EscalationEntity } from './escalation.entity';
import { ImportJobEntity, ImportRowEntity } from './import-job.entity';
import { ObservationPolicyEntity } from './observation-policy.entity';
import { ObservationEntity } from './observation.entity';
import { PersonEntity } from './person.entity';
import { SystemProbeEntity } from './system-probe.entity';
import { TrackingLogEntity } from './tracking-log.entity';
import { ROSTER_ENTITIES } from './roster-entities';
import { TRANSFER_ENTITIES } from './transfer-entities';

export {
  AuditLogEntity,
  LoginAddressEntity,
  LoginLockoutEntity,
  UserEntity,
  EscalationEntity,
  ImportJobEntity,
  ImportRowEntity,
  ObservationEntity,
  ObservationPolicyEntity,
  PersonEntity,
  SystemProbeEntity,
  TrackingLogEntity,
};

export const ENTITIES = [
  AuditLogEntity,
  LoginAddressEntity,
  LoginLockoutEntity,
  UserEntity,
  EscalationEntity,
  ImportJobEntity,
  ImportRowEntity,
  ObservationEntity,
  ObservationPolicyEntity,
  PersonEntity,
  SystemProbeEntity,
  TrackingLogEntity,
  ...ROSTER_ENTITIES,
  ...TRANSFER_ENTITIES,
];
