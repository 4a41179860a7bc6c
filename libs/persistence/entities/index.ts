import { EscalationEntity } from './escalation.entity';
import { ImportJobEntity, ImportRowEntity } from './import-job.entity';
import { ObservationPolicyEntity } from './observation-policy.entity';
import { ObservationEntity } from './observation.entity';
import { PersonEntity } from './person.entity';
import { TrackingLogEntity } from './tracking-log.entity';
import { ROSTER_ENTITIES } from './roster-entities';
import { TRANSFER_ENTITIES } from './transfer-entities';

export {
  EscalationEntity,
  ImportJobEntity,
  ImportRowEntity,
  ObservationEntity,
  ObservationPolicyEntity,
  PersonEntity,
  TrackingLogEntity,
};

export const ENTITIES = [
  EscalationEntity,
  ImportJobEntity,
  ImportRowEntity,
  ObservationEntity,
  ObservationPolicyEntity,
  PersonEntity,
  TrackingLogEntity,
  ...ROSTER_ENTITIES,
  ...TRANSFER_ENTITIES,
];
