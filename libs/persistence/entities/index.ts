import { EscalationEntity } from './escalation.entity';
import { ImportJobEntity } from './import-job.entity';
import { NotificationEntity } from './notification.entity';
import { ObservationPolicyEntity } from './observation-policy.entity';
import { ObservationEntity } from './observation.entity';
import { PersonEntity } from './person.entity';
import { SystemProbeEntity } from './system-probe.entity';
import { TrackingLogEntity } from './tracking-log.entity';

export {
  EscalationEntity,
  ImportJobEntity,
  NotificationEntity,
  ObservationEntity,
  ObservationPolicyEntity,
  PersonEntity,
  SystemProbeEntity,
  TrackingLogEntity,
};

export const ENTITIES = [
  EscalationEntity,
  ImportJobEntity,
  NotificationEntity,
  ObservationEntity,
  ObservationPolicyEntity,
  PersonEntity,
  SystemProbeEntity,
  TrackingLogEntity,
];
