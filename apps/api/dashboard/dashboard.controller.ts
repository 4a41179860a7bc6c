import { Controller, Get, Header, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import type { Response } from 'express';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Actor } from '../../../libs/auth/actor.decorator';
import { narrowFilter } from '../../../libs/auth/jurisdiction';
import { PROJECT_ROOT } from '../../../libs/config/checkout';
import { Public, Roles, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { isTrue, ObservationListQuery } from '../observation/observation.dto';
import { DashboardSummaryDto } from './dashboard.dto';
import { DashboardService } from './dashboard.service';

export class DashboardScopeQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() subdistrict?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() community?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The page's files, read once at start: a request can only name one of them, so no path from
 * the URL ever reaches the file system.
 */
function loadPublicFiles(): Map<string, { type: string; body: Buffer }> {
  const dir = join(PROJECT_ROOT, 'apps', 'api', 'dashboard', 'public'); // not compiled: read from the checkout
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) files.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return files;
}

// The page loads only its own scripts and styles and talks only to this API.
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  private readonly files = loadPublicFiles();

  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Public()
  @ApiExcludeEndpoint()
  page(@Res() response: Response) {
    this.send(response, 'index.html');
  }

  @Get('assets/:name')
  @Public()
  @ApiExcludeEndpoint()
  asset(@Param('name') name: string, @Res() response: Response) {
    if (name === 'index.html') throw new NotFoundException();
    this.send(response, name);
  }

  @Get('summary')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Supervisors\' counts: under observation by status and category, due today, overdue, open escalations (PostgreSQL aggregates)' })
  @ApiOkResponse({ type: DashboardSummaryDto })
  summary(@Actor() actor: Principal, @Query() query: DashboardScopeQuery): Promise<DashboardSummaryDto> {
    const within = { subdistrict: actor.subdistrict ?? undefined, community: actor.community ?? undefined };
    return this.dashboard.summary(narrowFilter(actor, { subdistrict: query.subdistrict || undefined, community: query.community || undefined }), within);
  }

  @Get('observations')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The observation list for the dashboard: the same filters and paging as GET /observations, names and ID numbers masked' })
  observations(@Actor() actor: Principal, @Query() query: ObservationListQuery) {
    return this.dashboard.maskedList(narrowFilter(actor, { ...query, dueToday: isTrue(query.dueToday), overdue: isTrue(query.overdue) }));
  }

  private send(response: Response, name: string) {
    const file = this.files.get(name);
    if (!file) throw new NotFoundException(`no dashboard file ${name}`);
    response.set({ ...SECURITY_HEADERS, 'Content-Type': file.type }).send(file.body);
  }
}
