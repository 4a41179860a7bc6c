import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ObservationRules } from '../../../workflows/observation/observation-policy';

/** A versioned policy per category; the newest one effective on the enrolment date applies. */
@Entity('observation_policy')
@Index('observation_policy_effective', ['category', 'effectiveFrom'], { unique: true })
export class ObservationPolicyEntity {
  /** `${category}-v${version}` */
  @PrimaryColumn() id!: string;
  @Column({ length: 1 }) category!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'effective_from', type: 'date' }) effectiveFrom!: string;
  @Column({ type: 'jsonb' }) rules!: ObservationRules;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
