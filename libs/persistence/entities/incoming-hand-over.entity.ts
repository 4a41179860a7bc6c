import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A traveller handed over at home by a transfer run of another jurisdiction: waits for the home
 * jurisdiction's supervisor or community worker to accept it, which enrols them there.
 */
@Entity('incoming_hand_over')
export class IncomingHandOverEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'run_id' }) runId!: string;
  @Column({ name: 'traveller_id' }) travellerId!: string;
  /** The subdistrict of the run that handed the traveller over (null: the district command). */
  @Column({ name: 'from_subdistrict', type: 'text', nullable: true }) fromSubdistrict!: string | null;
  /** Where the traveller lives: the jurisdiction that receives them. */
  @Column() subdistrict!: string;
  @Column() community!: string;
  /** pending | accepted */
  @Column() state!: string;
  @Column({ name: 'observation_number', type: 'text', nullable: true }) observationNumber!: string | null;
  @Column({ name: 'accepted_by', type: 'text', nullable: true }) acceptedBy!: string | null;
  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true }) acceptedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
