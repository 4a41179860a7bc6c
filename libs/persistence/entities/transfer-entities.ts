import { CentralizedQuarantineEntity } from './centralized-quarantine.entity';
import { DispatchEventEntity, DispatchOrderEntity } from './dispatch.entity';
import { TransferExceptionEntity } from './transfer-exception.entity';
import { TransferDestinationEntity, TransferEscortEntity, TransferSortingPointEntity, TransferVehicleEntity } from './transfer-resources.entity';
import { TransferRunEntity } from './transfer-run.entity';
import { TransferTravellerEntity } from './transfer-traveller.entity';
import { TransferTripEntity } from './transfer-trip.entity';

/** The closed-loop transfer tables (migrations 1764100000000-transfer, 1764416000000-logins-and-jurisdictions, 1764518000000-dispatch). */
export const TRANSFER_ENTITIES = [
  CentralizedQuarantineEntity,
  DispatchEventEntity,
  DispatchOrderEntity,
  TransferDestinationEntity,
  TransferEscortEntity,
  TransferExceptionEntity,
  TransferRunEntity,
  TransferSortingPointEntity,
  TransferTravellerEntity,
  TransferTripEntity,
  TransferVehicleEntity,
];
