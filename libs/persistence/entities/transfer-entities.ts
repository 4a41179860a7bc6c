import { CentralizedQuarantineEntity } from './centralized-quarantine.entity';
import { TransferExceptionEntity } from './transfer-exception.entity';
import { TransferDestinationEntity, TransferEscortEntity, TransferSortingPointEntity, TransferVehicleEntity } from './transfer-resources.entity';
import { TransferRunEntity } from './transfer-run.entity';
import { TransferTravellerEntity } from './transfer-traveller.entity';
import { TransferTripEntity } from './transfer-trip.entity';

/** The closed-loop transfer tables (migration 1764100000000-transfer). */
export const TRANSFER_ENTITIES = [
  CentralizedQuarantineEntity,
  TransferDestinationEntity,
  TransferEscortEntity,
  TransferExceptionEntity,
  TransferRunEntity,
  TransferSortingPointEntity,
  TransferTravellerEntity,
  TransferTripEntity,
  TransferVehicleEntity,
];
