import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../../libs/auth/actor.decorator';
import { Principal, RECEIVING_ROLES, ROLES } from '../../../libs/auth/roles';
import { OwnAccount, Roles, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import { TransferRunService } from './transfer-run.service';
import { ArrivalView } from './transfer-views';

/**
 * The field sides of transfers: what a destination's receivers and its community's workers take over,
 * and the trips an escort or driver rides.
 */
@ApiTags('transfer runs')
@Controller()
export class ReceivingController {
  constructor(private readonly runs: TransferRunService) {}

  @Get('receiving')
  @Roles(...RECEIVING_ROLES)
  @ScopedInHandler()
  @ApiOperation({
    summary: 'Trips on their way to or at my destination (a receiver’s), or my community’s destinations (a community worker’s), each person by name and status',
    description: 'Soonest arrival first; trips handed over in the last 12 hours stay listed. Each person is handed over with POST /transfer-runs/:runId/trips/:tripId/handed-over.',
  })
  @ApiOkResponse({ type: [ArrivalView] })
  arrivals(@Actor() actor: Principal): Promise<ArrivalView[]> {
    return this.runs.arrivals(actor);
  }

  @Get('my-trips')
  @Roles(...ROLES)
  @OwnAccount()
  @ApiOperation({
    summary: 'The dispatched trips my account is linked to as an escort or the driver (whatever my role), each person by name and status',
    description: 'Soonest arrival first; trips handed over in the last 12 hours stay listed. The crew commands go to POST /transfer-runs/:runId/trips/:tripId/{boarded,no-show,refusal,departed,arrived,breakdown}.',
  })
  @ApiOkResponse({ type: [ArrivalView] })
  myTrips(@Actor() actor: Principal): Promise<ArrivalView[]> {
    return this.runs.crewTrips(actor);
  }
}
