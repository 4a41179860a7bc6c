import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A vehicle trip of a run, mirrored from the run workflow. */
@Entity('transfer_trip')
export class TransferTripEntity {
  @PrimaryColumn({ name: 'run_id' }) runId!: string;
  @PrimaryColumn({ name: 'trip_id' }) tripId!: string;
  @Column({ name: 'vehicle_id' }) vehicleId!: string;
  @Column({ name: 'escort_ids', type: 'jsonb' }) escortIds!: string[];
  @Column({ name: 'destination_id' }) destinationId!: string;
  @Column({ name: 'traveller_ids', type: 'jsonb' }) travellerIds!: string[];
  @Column({ name: 'depart_at', type: 'timestamptz' }) departAt!: Date;
  @Column({ name: 'arrive_at', type: 'timestamptz' }) arriveAt!: Date;
  @Column({ name: 'return_at', type: 'timestamptz' }) returnAt!: Date;
  /** planned | dispatched | boarding | departed | arrived | completed | broken_down */
  @Column() leg!: string;
  @Column({ type: 'jsonb', nullable: true }) meeting!: { point: string; at: number } | null;
  /** The vehicle's latest position the dispatch system reported, and when it was there. */
  @Column({ name: 'position_lat', type: 'double precision', nullable: true }) positionLat!: number | null;
  @Column({ name: 'position_lon', type: 'double precision', nullable: true }) positionLon!: number | null;
  @Column({ name: 'position_at', type: 'timestamptz', nullable: true }) positionAt!: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
