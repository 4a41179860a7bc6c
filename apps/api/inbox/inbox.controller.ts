import { Body, Controller, Get, HttpCode, MessageEvent, Param, Post, Query, Req, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { map, Observable } from 'rxjs';
import type { AuditedRequest } from '../../../libs/audit/audit.service';
import { Actor } from '../../../libs/auth/actor.decorator';
import { Principal, ROLES } from '../../../libs/auth/roles';
import { OwnAccount, Roles } from '../../../libs/auth/roles.decorator';
import { ApiPageResponse, PageQuery } from '../../../libs/nest/paging';
import { MarkReadDto } from './inbox.dto';
import { InboxItemView, MarkedReadView, UnreadCountView } from './inbox.responses';
import { InboxService, STREAM_POLL_MS } from './inbox.service';

const MessageId = () => ApiParam({ name: 'id', description: 'the message id, URL-encoded (it may hold `/` and `:`)' });

/** Every account's own messages: the inbox the pages show, with its live unread count. */
@ApiTags('inbox')
@Controller('inbox')
@Roles(...ROLES)
@OwnAccount()
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get()
  @ApiOperation({ summary: 'My messages, unread first then newest, each with the record it concerns, its page and what I can do now' })
  @ApiPageResponse(InboxItemView)
  list(@Actor() actor: Principal, @Query() query: PageQuery) {
    return this.inbox.page(actor, query);
  }

  @Get('count')
  @ApiOperation({ summary: 'How many of my messages are unread' })
  @ApiOkResponse({ type: UnreadCountView })
  async count(@Actor() actor: Principal): Promise<UnreadCountView> {
    return { unread: await this.inbox.unread(actor) };
  }

  @Sse('stream')
  @ApiOperation({
    summary: 'Server-Sent Events: my unread count on connect and whenever it changes',
    description: `Each event's data is \`{"unread": n}\`. The session cookie is accepted (EventSource sends no Authorization header). The count is re-read every ${STREAM_POLL_MS / 1000} s per open stream, until it closes.`,
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'an event stream; each event’s data is {"unread": n}', content: { 'text/event-stream': { schema: { type: 'string', example: 'data: {"unread":3}\n\n' } } } })
  stream(@Actor() actor: Principal): Observable<MessageEvent> {
    return this.inbox.unreadStream(actor).pipe(map((unread): MessageEvent => ({ data: { unread } })));
  }

  @Post('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark these messages of mine (`ids`), or all of them (`all: true`), read' })
  @ApiOkResponse({ type: MarkedReadView })
  readMany(@Actor() actor: Principal, @Body() body: MarkReadDto): Promise<MarkedReadView> {
    return this.inbox.readMany(actor, body);
  }

  @Post(':id/read')
  @HttpCode(200)
  @MessageId()
  @ApiOperation({ summary: 'Mark one message of mine read (again: no change)' })
  @ApiOkResponse({ type: InboxItemView })
  read(@Actor() actor: Principal, @Param('id') id: string): Promise<InboxItemView> {
    return this.inbox.read(actor, id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @MessageId()
  @ApiOperation({ summary: 'Acknowledge the escalation or transfer exception the message concerns (the same command and checks as its own route, by me); the message is read' })
  @ApiOkResponse({ type: InboxItemView, description: 'the message, read, with what I can do now' })
  acknowledge(@Actor() actor: Principal, @Param('id') id: string, @Req() request: AuditedRequest): Promise<InboxItemView> {
    return this.inbox.acknowledge(actor, id, request);
  }

  @Post(':id/take')
  @HttpCode(200)
  @MessageId()
  @ApiOperation({ summary: 'Become the owner of the open escalation or transfer exception the message concerns (I hold its owner role in its place); 409 when resolved; the message is read' })
  @ApiOkResponse({ type: InboxItemView, description: 'the message, read, with what I can do now' })
  take(@Actor() actor: Principal, @Param('id') id: string, @Req() request: AuditedRequest): Promise<InboxItemView> {
    return this.inbox.take(actor, id, request);
  }
}
