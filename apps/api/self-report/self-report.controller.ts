import { Body, CanActivate, Controller, createParamDecorator, ExecutionContext, Get, Header, HttpCode, Injectable, NotFoundException, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { Public, Roles, Scoped } from '../../../libs/auth/roles.decorator';
import { PageFiles } from '../../../libs/nest/page-files';
import { REPORT_PAGE_PATH } from '../../../libs/observation/report-links';
import { ObservationRecord } from '../../../libs/persistence/observation/observation.repository';
import { AuditedRead } from '../../../libs/audit/audit.interceptor';
import type { AuditedRequest } from '../../../libs/audit/audit.service';
import { LoadedRecord } from '../../../libs/auth/loaded-record.decorator';
import { ObservationService } from '../observation/observation.service';
import { SelfReportDto } from './self-report.dto';
import { ReportLinkDto, SelfReportAcceptedDto, SelfReportViewDto } from './self-report.responses';
import { RATE_LIMIT, RATE_WINDOW_SECONDS, REPORT_LINK_ACTOR, SelfReportService, TooManyReports } from './self-report.service';

const TOKEN_PARAM = { name: 'token', description: 'the token of the report link sent to the person (43 characters, base64url)' };
const UNKNOWN = 'a wrong or malformed token: one calm sentence, nothing of anybody';
const GONE = 'a link replaced by a newer one (`reason: replaced`), or an observation that has ended (`reason: ended`): one calm sentence';

type LinkRequest = AuditedRequest & { reportLinkToken?: string };

/**
 * The token stands for a login: it never reaches the audit row, which keeps the route's parameters
 * (a refusal by the validation pipe is audited too, so this runs before it). The handler reads it
 * with @LinkToken().
 */
@Injectable()
class TokenOutOfAudit implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<LinkRequest>();
    request.reportLinkToken = String(request.params.token);
    request.params.token = '<token>';
    request.claimedUser = REPORT_LINK_ACTOR;
    return true;
  }
}

const LinkToken = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<LinkRequest>().reportLinkToken ?? '');

/**
 * The person under observation reports through their link, with no login: the page (`/r/:token`),
 * what it shows and the report. The token stands for the login, so the audit log names
 * `report-link` and the observation, never the token (nor does the request log: request-log.middleware.ts).
 */
@ApiTags('self-report')
@Controller()
export class SelfReportController {
  private readonly files = new PageFiles('self-report', 'apps', 'api', 'self-report', 'public');

  constructor(private readonly selfReports: SelfReportService) {}

  @Get(`${REPORT_PAGE_PATH.slice(1)}/:token`)
  @Public()
  @ApiExcludeEndpoint()
  page(@Res() response: Response) {
    this.files.send(response, 'index.html');
  }

  @Get('self-report/assets/:name')
  @Public()
  @ApiExcludeEndpoint()
  asset(@Param('name') name: string, @Res() response: Response) {
    if (name === 'index.html') throw new NotFoundException();
    this.files.send(response, name);
  }

  @Get('self-report/:token')
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'What the self-report page shows: the masked name, the open slot or when the next opens, what a report may give' })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: SelfReportViewDto })
  @ApiNotFoundResponse({ description: UNKNOWN })
  @ApiGoneResponse({ description: GONE })
  view(@Param('token') token: string) {
    return this.selfReports.view(token);
  }

  @Post('self-report/:token/reports')
  @Public()
  @UseGuards(TokenOutOfAudit)
  @ApiOperation({
    summary: 'The person’s temperature report for the open slot: the same command and checks as a worker’s report',
    description: `Idempotent on requestId; at most ${RATE_LIMIT} reports per link in ${RATE_WINDOW_SECONDS / 60} minutes (then 429 with Retry-After).`,
  })
  @ApiParam(TOKEN_PARAM)
  @ApiCreatedResponse({ type: SelfReportAcceptedDto, description: 'taken (or the first answer again, for a request id taken before)' })
  @ApiNotFoundResponse({ description: UNKNOWN })
  @ApiGoneResponse({ description: GONE })
  @ApiUnprocessableEntityResponse({ description: 'a field is wrong (temperature outside 34.0-43.0 °C, an unknown symptom), or no slot is open (`at`)' })
  @ApiTooManyRequestsResponse({ description: 'too many reports through this link: Retry-After says when to try again' })
  async report(@LinkToken() token: string, @Body() body: SelfReportDto, @Req() request: AuditedRequest, @Res({ passthrough: true }) response: Response) {
    try {
      return await this.selfReports.report(token, body, request);
    } catch (error) {
      if (error instanceof TooManyReports) response.setHeader('Retry-After', error.retryAfterSeconds);
      throw error;
    }
  }
}

/** The community worker of the observation or a supervisor shows, re-sends or replaces a person's link. */
@ApiTags('observations')
@Controller('observations/:number/report-link')
export class ReportLinkController {
  constructor(
    private readonly selfReports: SelfReportService,
    private readonly observations: ObservationService,
  ) {}

  @Get()
  @Roles('supervisor', 'community_worker')
  @Scoped('observation', 'param', 'number')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The person’s live report link (to read out or send again)' })
  @ApiOkResponse({ type: ReportLinkDto })
  @AuditedRead()
  async live(@Param('number') number: string, @LoadedRecord() loaded?: ObservationRecord) {
    return this.selfReports.liveLink(await this.observations.record(number, loaded));
  }

  @Post()
  @Roles('supervisor', 'community_worker')
  @Scoped('observation', 'param', 'number')
  @HttpCode(201)
  @ApiOperation({ summary: 'Revoke the person’s link and issue a new one, texted to them (a lost phone, a link passed on)' })
  @ApiCreatedResponse({ type: ReportLinkDto, description: 'the new link; the earlier ones answer 410 from now on' })
  async reissue(@Param('number') number: string, @Actor() actor: Principal, @LoadedRecord() loaded?: ObservationRecord) {
    return this.selfReports.reissue(await this.observations.record(number, loaded), actor.username);
  }
}
