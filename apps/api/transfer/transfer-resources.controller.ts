import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DistrictLevel, Roles, SharedData } from '../../../libs/auth/roles.decorator';
import { ApiPageResponse, PageQuery } from '../../../libs/nest/paging';
import { DestinationDto, EscortDto, SortingPointDto, VehicleDto } from './transfer.dto';
import { TransferResourcesService } from './transfer-resources.service';
import { DestinationView, EscortView, SortingPointView, VehicleView } from './transfer-views';

const REMOVED = 'removed: runs already started keep the copy they took';

/**
 * CRUD of the resources runs are made from; each body is checked by its DTO and the service’s rules (409/422).
 * The sorting point, the fleet, escorts and destinations are the district's: every dispatcher and
 * supervisor reads them, the district command changes them.
 */
@ApiTags('transfer resources')
@Controller('transfer')
@Roles('dispatcher', 'supervisor')
@DistrictLevel()
export class TransferResourcesController {
  constructor(private readonly resources: TransferResourcesService) {}

  @Get('sorting-points') @SharedData() @ApiPageResponse(SortingPointView) listSortingPoints(@Query() query: PageQuery) {
    return this.resources.list('sorting-points', query);
  }
  @Post('sorting-points') @ApiCreatedResponse({ type: SortingPointView }) createSortingPoint(@Body() body: SortingPointDto) {
    return this.resources.create('sorting-points', { ...body });
  }
  @Put('sorting-points/:id') @ApiOkResponse({ type: SortingPointView }) updateSortingPoint(@Param('id') id: string, @Body() body: SortingPointDto) {
    return this.resources.update('sorting-points', id, { ...body });
  }
  @Delete('sorting-points/:id') @HttpCode(204) @ApiNoContentResponse({ description: REMOVED }) removeSortingPoint(@Param('id') id: string) {
    return this.resources.remove('sorting-points', id);
  }

  @Get('destinations') @SharedData() @ApiPageResponse(DestinationView) listDestinations(@Query() query: PageQuery) {
    return this.resources.list('destinations', query);
  }
  @Post('destinations')
  @ApiOperation({ summary: 'A community (with its observation worker) or a quarantine hotel (with rooms free)' })
  @ApiCreatedResponse({ type: DestinationView })
  createDestination(@Body() body: DestinationDto) {
    return this.resources.create('destinations', { ...body });
  }
  @Put('destinations/:id') @ApiOkResponse({ type: DestinationView }) updateDestination(@Param('id') id: string, @Body() body: DestinationDto) {
    return this.resources.update('destinations', id, { ...body });
  }
  @Delete('destinations/:id') @HttpCode(204) @ApiNoContentResponse({ description: REMOVED }) removeDestination(@Param('id') id: string) {
    return this.resources.remove('destinations', id);
  }

  @Get('vehicles') @SharedData() @ApiPageResponse(VehicleView) listVehicles(@Query() query: PageQuery) {
    return this.resources.list('vehicles', query);
  }
  @Post('vehicles') @ApiCreatedResponse({ type: VehicleView }) createVehicle(@Body() body: VehicleDto) {
    return this.resources.create('vehicles', { ...body });
  }
  @Put('vehicles/:id') @ApiOkResponse({ type: VehicleView }) updateVehicle(@Param('id') id: string, @Body() body: VehicleDto) {
    return this.resources.update('vehicles', id, { ...body });
  }
  @Delete('vehicles/:id') @HttpCode(204) @ApiNoContentResponse({ description: REMOVED }) removeVehicle(@Param('id') id: string) {
    return this.resources.remove('vehicles', id);
  }

  @Get('escorts') @SharedData() @ApiPageResponse(EscortView) listEscorts(@Query() query: PageQuery) {
    return this.resources.list('escorts', query);
  }
  @Post('escorts') @ApiCreatedResponse({ type: EscortView }) createEscort(@Body() body: EscortDto) {
    return this.resources.create('escorts', { ...body });
  }
  @Put('escorts/:id') @ApiOkResponse({ type: EscortView }) updateEscort(@Param('id') id: string, @Body() body: EscortDto) {
    return this.resources.update('escorts', id, { ...body });
  }
  @Delete('escorts/:id') @HttpCode(204) @ApiNoContentResponse({ description: REMOVED }) removeEscort(@Param('id') id: string) {
    return this.resources.remove('escorts', id);
  }
}
