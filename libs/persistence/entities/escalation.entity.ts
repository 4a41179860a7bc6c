import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A case handed up for action (上报), owned by a role until resolved. */
@Entity('escalation')
@Index('escalation_open', ['state', 'openedAt'])
export class EscalationEntity {
  /** `${observationNumber}/${seq}`: stable across activity retries. */
  @PrimaryColumn() id!: string;
  @Column({ name: 'observation_number' }) observationNumber!: string;
  @Column() kind!: string;
  @Column({ name: 'owner_role' }) ownerRole!: string;
  @Column() owner!: string;
  /** open | acknowledged | resolved */
  @Column() state!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'opened_at', type: 'timestamptz' }) openedAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'text', nullable: true }) resolution!: string | null;
  @Column({ name: 'decided_by', type: 'text', nullable: true }) decidedBy!: string | null;
}
