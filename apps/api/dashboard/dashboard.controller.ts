import { Controller, Get, Header, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { narrowFilter } from '../../../libs/auth/jurisdiction';
import { PageFiles } from '../../../libs/nest/page-files';
import { Public, Roles, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { ApiPageResponse } from '../../../libs/nest/paging';
import { filterOf, ObservationListQuery, placeOf, PlaceQuery } from '../observation/observation.dto';
import { DashboardSummary, MaskedObservationDto } from './dashboard.responses';
import { DashboardService } from './dashboard.service';

@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  private readonly files = new PageFiles('dashboard', 'apps', 'api', 'dashboard', 'public');

  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Public()
  @ApiExcludeEndpoint()
  page(@Res() response: Response) {
    this.files.send(response, 'index.html');
  }

  @Get('assets/:name')
  @Public()
  @ApiExcludeEndpoint()
  asset(@Param('name') name: string, @Res() response: Response) {
    if (name === 'index.html') throw new NotFoundException();
    this.files.send(response, name);
  }

  @Get('summary')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Supervisors\' counts: under observation by status and category, due today, overdue, open escalations (PostgreSQL aggregates)' })
  @ApiOkResponse({ type: DashboardSummary })
  summary(@Actor() actor: Principal, @Query() query: PlaceQuery) {
    const within = { subdistrict: actor.subdistrict ?? undefined, community: actor.community ?? undefined };
    return this.dashboard.summary(narrowFilter(actor, placeOf(query)), within);
  }

  @Get('observations')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The observation list for the dashboard: the same filters and paging as GET /observations, names and ID numbers masked' })
  @ApiPageResponse(MaskedObservationDto)
  observations(@Actor() actor: Principal, @Query() query: ObservationListQuery) {
    return this.dashboard.maskedList(narrowFilter(actor, filterOf(query)), query);
  }
}
