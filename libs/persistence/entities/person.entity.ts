import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One record per person (一人一表): the identity document is unique across the registry. */
@Entity('person')
@Index('person_document_unique', ['documentType', 'documentNumber'], { unique: true })
export class PersonEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() name!: string;
  /** resident_id (18-digit PRC resident ID) or passport. */
  @Column({ name: 'document_type' }) documentType!: string;
  @Column({ name: 'document_number' }) documentNumber!: string;
  @Column() mobile!: string;
  @Column() subdistrict!: string;
  @Column() community!: string;
  @Column() building!: string;
  @Column() unit!: string;
  @Column({ name: 'address_detail', type: 'text', nullable: true }) addressDetail!: string | null;
  @Column({ type: 'jsonb', default: () => `'{}'` }) devices!: { doorSensorId?: string; cameraId?: string; thermometerId?: string };
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
