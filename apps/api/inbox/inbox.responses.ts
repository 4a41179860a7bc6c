import type { Role } from '../../../libs/auth/roles';
import { ApiProperty } from '@nestjs/swagger';
import type { InboxMessage } from '../../../libs/persistence/platform/notification.repository';
import { recordPage } from './record-page';

export const INBOX_ACTIONS = ['read', 'acknowledge', 'take'] as const;
export type InboxAction = (typeof INBOX_ACTIONS)[number];

export class ConcernsView {
  @ApiProperty({ enum: ['observation', 'escalation', 'transfer_run', 'transfer_exception', 'trip', 'shift', 'shift_request', 'roster', 'daily_report'] }) kind!: string;
  @ApiProperty({ example: 'XYL-C-000123/1' }) id!: string;
}

/** A message in my inbox, with the record it concerns, that record's page and what I can do now. */
export class InboxItemView {
  @ApiProperty({ example: 'XYL-C-000123:fever:1', description: 'URL-encode it in a path (it may hold `/`)' }) id!: string;
  @ApiProperty({ example: 'fever_alert' }) template!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() body!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) readAt!: string | null;
  @ApiProperty({ type: ConcernsView, nullable: true }) concerns!: ConcernsView | null;
  @ApiProperty({ type: String, nullable: true, example: '/app/worker/#/person/XYL-C-000123', description: 'the page of the record it concerns' }) link!: string | null;
  @ApiProperty({
    enum: INBOX_ACTIONS,
    isArray: true,
    description: 'read: while unread; acknowledge: the open escalation or exception it concerns, when I may acknowledge it; take: become its owner, when I hold its owner role in its place and am not its owner',
  })
  actions!: InboxAction[];
}

export class UnreadCountView {
  @ApiProperty({ example: 3 }) unread!: number;
}

export class MarkedReadView extends UnreadCountView {
  @ApiProperty({ example: 2, description: 'messages that were unread and now are read' }) marked!: number;
}

export function inboxItemView(m: InboxMessage, actions: InboxAction[], role: Role): InboxItemView {
  const concerns = m.concernsKind && m.concernsId ? { kind: m.concernsKind, id: m.concernsId } : null;
  return {
    id: m.id,
    template: m.template,
    subject: m.subject,
    body: m.body,
    createdAt: m.createdAt.toISOString(),
    readAt: m.readAt?.toISOString() ?? null,
    concerns,
    link: concerns && recordPage(concerns, role),
    actions,
  };
}
