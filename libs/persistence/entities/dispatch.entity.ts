import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A trip's order in the dispatch system, as it answered (migration 1764518000000-dispatch). */
@Entity('dispatch_order')
export class DispatchOrderEntity {
  /** `<runId>/<tripId>`, the Idempotency-Key the order is sent with. */
  @PrimaryColumn({ name: 'order_id' }) orderId!: string;
  @Column({ name: 'run_id' }) runId!: string;
  @Column({ name: 'trip_id' }) tripId!: string;
  /** accepted | refused */
  @Column() state!: string;
  /** The dispatch system's own id of the order. */
  @Column({ type: 'text', nullable: true }) reference!: string | null;
  /** Why the dispatch system refused it. */
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ name: 'sent_at', type: 'timestamptz' }) sentAt!: Date;
}

/** A leg event the dispatch system posted, kept with the answer it got so a repeat is answered alike. */
@Entity('dispatch_event')
export class DispatchEventEntity {
  @PrimaryColumn({ name: 'event_id' }) eventId!: string;
  @Column({ name: 'order_id' }) orderId!: string;
  @Column({ name: 'run_id' }) runId!: string;
  @Column({ name: 'trip_id' }) tripId!: string;
  /** departed | arrived | position */
  @Column() kind!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'double precision', nullable: true }) lat!: number | null;
  @Column({ type: 'double precision', nullable: true }) lon!: number | null;
  @Column({ type: 'jsonb' }) answer!: Record<string, unknown>;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
}
