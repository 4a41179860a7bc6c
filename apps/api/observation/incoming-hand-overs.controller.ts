import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { Actor } from '../../../libs/auth/actor.decorator';
import { narrowFilter } from '../../../libs/auth/jurisdiction';
import { Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { ApiPageResponse, PageQuery } from '../../../libs/nest/paging';
import { IsOptional } from '../../../libs/nest/validators';
import type { HandOverState } from '../../../libs/persistence/observation/incoming-hand-over.repository';
import { IncomingHandOverService } from './incoming-hand-over.service';
import { IncomingHandOverDto } from './observation.responses';

const STATES: HandOverState[] = ['pending', 'accepted'];

class HandOverListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATES, default: 'pending' }) @IsOptional() @IsIn(STATES) state?: HandOverState;
}

class AcceptHandOverDto {
  @ApiProperty({ example: '李娜', description: 'the worker of this community who follows the person' }) @IsString() @MinLength(1) @MaxLength(50) responsibleWorker!: string;
}

/** The receiving side of a hand-over from another jurisdiction's transfer run. */
@ApiTags('observations')
@Controller('incoming-hand-overs')
@Roles('supervisor', 'community_worker')
export class IncomingHandOversController {
  constructor(private readonly handOvers: IncomingHandOverService) {}

  @Get()
  @ScopedInHandler()
  @ApiOperation({ summary: 'Travellers another jurisdiction’s transfer took home here, waiting to be taken over (or accepted), newest first' })
  @ApiPageResponse(IncomingHandOverDto)
  list(@Actor() actor: Principal, @Query() query: HandOverListQuery) {
    return this.handOvers.list(narrowFilter(actor, {}), query.state ?? 'pending', query);
  }

  @Post(':id/accept')
  @Scoped('incoming-hand-over', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the traveller over: enrols their home observation here, with this community’s responsible worker' })
  @ApiOkResponse({ type: IncomingHandOverDto, description: 'the hand-over, accepted, with the observation it enrolled (a repeat answers the same)' })
  accept(@Actor() actor: Principal, @Param('id') id: string, @Body() body: AcceptHandOverDto) {
    return this.handOvers.accept(id, body.responsibleWorker, actor);
  }
}
