import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A sorting point (分拣点) where arrivals are sorted by destination and board. */
@Entity('transfer_sorting_point')
export class TransferSortingPointEntity {
  @PrimaryColumn() id!: string;
  @Column() name!: string;
  @Column() address!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Where a transfer ends: a community (home observation) or a quarantine hotel with rooms. */
@Entity('transfer_destination')
export class TransferDestinationEntity {
  @PrimaryColumn() id!: string;
  /** community | hotel */
  @Column() kind!: string;
  @Column() name!: string;
  /** One way from the sorting point. */
  @Column({ name: 'travel_minutes', type: 'int' }) travelMinutes!: number;
  /** Hotels: rooms free. */
  @Column({ type: 'int', nullable: true }) capacity!: number | null;
  /** Who takes people over on arrival (on-call community worker or hotel desk). */
  @Column() receiver!: string;
  /** Communities: the worker responsible for home observations started by a hand-over. */
  @Column({ type: 'text', nullable: true }) worker!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('transfer_vehicle')
export class TransferVehicleEntity {
  @PrimaryColumn() id!: string;
  @Column({ unique: true }) plate!: string;
  @Column({ type: 'int' }) seats!: number;
  @Column({ name: 'driver_name' }) driverName!: string;
  @Column({ name: 'driver_contact' }) driverContact!: string;
  @Column({ default: true }) available!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Escort staff (随车人员) who ride with a trip and hand people over. */
@Entity('transfer_escort')
export class TransferEscortEntity {
  @PrimaryColumn() id!: string;
  @Column() name!: string;
  @Column() contact!: string;
  @Column({ default: true }) available!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
