import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every message the engine sends, with its delivery state; sends are retried by Temporal and the outbox relay. */
@Entity('notification')
@Index('notification_recipient', ['recipient', 'createdAt'])
export class NotificationEntity {
  /** Derived from the sending workflow and its message, so a retried activity sends once. */
  @PrimaryColumn() id!: string;
  @Column({ name: 'observation_number', type: 'text', nullable: true }) observationNumber!: string | null;
  @Column() recipient!: string;
  /** outbox | email | sms */
  @Column() channel!: string;
  @Column() template!: string;
  @Column() language!: string;
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'text' }) body!: string;
  /** Phone, email or outbox key, resolved when the message was stored. */
  @Column({ type: 'text', nullable: true }) address!: string | null;
  /** pending | sent | failed */
  @Column() state!: string;
  @Column({ type: 'int', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  /** A failed send is tried again from then on (backoff). */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
  /** A send is in flight until then: no one else sends the message meanwhile. */
  @Column({ name: 'delivering_until', type: 'timestamptz', nullable: true }) deliveringUntil!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}
