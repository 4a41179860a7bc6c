import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DistrictLevel, Roles, SharedData } from '../../../libs/auth/roles.decorator';
import { DestinationDto, EscortDto, SortingPointDto, VehicleDto } from './transfer.dto';
import { TransferResourcesService } from './transfer-resources.service';

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

  @Get('sorting-points') @SharedData() listSortingPoints() {
    return this.resources.list('sorting-points');
  }
  @Post('sorting-points') createSortingPoint(@Body() body: SortingPointDto) {
    return this.resources.create('sorting-points', { ...body });
  }
  @Put('sorting-points/:id') updateSortingPoint(@Param('id') id: string, @Body() body: SortingPointDto) {
    return this.resources.update('sorting-points', id, { ...body });
  }
  @Delete('sorting-points/:id') @HttpCode(204) removeSortingPoint(@Param('id') id: string) {
    return this.resources.remove('sorting-points', id);
  }

  @Get('destinations') @SharedData() listDestinations() {
    return this.resources.list('destinations');
  }
  @Post('destinations') @ApiOperation({ summary: 'A community (with its observation worker) or a quarantine hotel (with rooms free)' })
  createDestination(@Body() body: DestinationDto) {
    return this.resources.create('destinations', { ...body });
  }
  @Put('destinations/:id') updateDestination(@Param('id') id: string, @Body() body: DestinationDto) {
    return this.resources.update('destinations', id, { ...body });
  }
  @Delete('destinations/:id') @HttpCode(204) removeDestination(@Param('id') id: string) {
    return this.resources.remove('destinations', id);
  }

  @Get('vehicles') @SharedData() listVehicles() {
    return this.resources.list('vehicles');
  }
  @Post('vehicles') createVehicle(@Body() body: VehicleDto) {
    return this.resources.create('vehicles', { ...body });
  }
  @Put('vehicles/:id') updateVehicle(@Param('id') id: string, @Body() body: VehicleDto) {
    return this.resources.update('vehicles', id, { ...body });
  }
  @Delete('vehicles/:id') @HttpCode(204) removeVehicle(@Param('id') id: string) {
    return this.resources.remove('vehicles', id);
  }

  @Get('escorts') @SharedData() listEscorts() {
    return this.resources.list('escorts');
  }
  @Post('escorts') createEscort(@Body() body: EscortDto) {
    return this.resources.create('escorts', { ...body });
  }
  @Put('escorts/:id') updateEscort(@Param('id') id: string, @Body() body: EscortDto) {
    return this.resources.update('escorts', id, { ...body });
  }
  @Delete('escorts/:id') @HttpCode(204) removeEscort(@Param('id') id: string) {
    return this.resources.remove('escorts', id);
  }
}
