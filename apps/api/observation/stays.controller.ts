import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../../libs/auth/actor.decorator';
import { narrowFilter } from '../../../libs/auth/jurisdiction';
import { Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { AuditedRead } from '../../../libs/audit/audit.interceptor';
import { ApiPageResponse } from '../../../libs/nest/paging';
import { placeOf } from './observation.dto';
import { HandBackDto, StayDto, StayListQuery } from './stay.dto';
import { StayService } from './stay.service';

/** Quarantine stays at hotels: where each person is, in which room, and their hand-back home. */
@ApiTags('observations')
@Controller('stays')
@Roles('supervisor', 'community_worker')
export class StaysController {
  constructor(private readonly stays: StayService) {}

  @Get()
  @ScopedInHandler()
  @ApiOperation({ summary: 'Stays at the hotels of a place (one hotel, one status if asked), latest check-in first' })
  @ApiPageResponse(StayDto)
  list(@Actor() actor: Principal, @Query() query: StayListQuery) {
    return this.stays.list({ ...narrowFilter(actor, placeOf(query)), hotelId: query.hotelId, status: query.status }, query);
  }

  @Get(':id')
  @Scoped('stay', 'param', 'id')
  @ApiOperation({ summary: 'A stay: the person, hotel and room, check-in and check-out, its health checks’ observation, how it ended' })
  @ApiOkResponse({ type: StayDto })
  @AuditedRead()
  detail(@Param('id') id: string) {
    return this.stays.detail(id);
  }

  @Post(':id/hand-back')
  @Roles('supervisor')
  @Scoped('stay', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send the person home for the days left: checks out of the room and enrols the home observation with the stay’s anchor date, once' })
  @ApiOkResponse({ type: StayDto, description: 'the stay, handed back, with the home observation (a repeat answers the same)' })
  handBack(@Actor() actor: Principal, @Param('id') id: string, @Body() body: HandBackDto) {
    return this.stays.handBack(id, body, actor);
  }
}
