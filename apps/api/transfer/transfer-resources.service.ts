import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { conflict, invalid, notFound } from '../../../libs/domain/errors';

/** A registry table: its columns (API name → column) and the rule a row must keep beyond its DTO. */
interface Registry {
  table: string;
  what: string;
  columns: Record<string, string>;
  check?: (row: Record<string, unknown>) => void;
}

export type ResourceKind = 'sorting-points' | 'destinations' | 'vehicles' | 'escorts';

const REGISTRIES: Record<ResourceKind, Registry> = {
  'sorting-points': { table: 'transfer_sorting_point', what: 'sorting point', columns: { id: 'id', name: 'name', address: 'address' } },
  destinations: {
    table: 'transfer_destination',
    what: 'destination',
    columns: { id: 'id', kind: 'kind', name: 'name', travelMinutes: 'travel_minutes', capacity: 'capacity', receiver: 'receiver', worker: 'worker' },
    check: (row) => {
      if (row.kind === 'community' && row.capacity !== undefined && row.capacity !== null) throw invalid('capacity', 'only a hotel has rooms');
      if (row.kind === 'hotel' && (row.capacity === undefined || row.capacity === null)) throw invalid('capacity', 'a hotel needs its rooms free');
    },
  },
  vehicles: { table: 'transfer_vehicle', what: 'vehicle', columns: { id: 'id', plate: 'plate', seats: 'seats', driverName: 'driver_name', driverContact: 'driver_contact', available: 'available' } },
  escorts: { table: 'transfer_escort', what: 'escort', columns: { id: 'id', name: 'name', contact: 'contact', available: 'available' } },
};

const UNIQUE_VIOLATION = '23505';

/**
 * Sorting points, destinations, vehicles and escorts. A run copies what it uses when it starts,
 * so changing or removing a resource never changes a run under way.
 */
@Injectable()
export class TransferResourcesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private select(registry: Registry): string {
    return Object.entries(registry.columns)
      .map(([key, column]) => `${column} AS "${key}"`)
      .join(', ');
  }

  async list(kind: ResourceKind) {
    const registry = REGISTRIES[kind];
    return this.dataSource.query(`SELECT ${this.select(registry)} FROM ${registry.table} ORDER BY id`);
  }

  async get(kind: ResourceKind, id: string) {
    const registry = REGISTRIES[kind];
    const [row] = await this.dataSource.query(`SELECT ${this.select(registry)} FROM ${registry.table} WHERE id = $1`, [id]);
    if (!row) throw notFound(registry.what, id);
    return row;
  }

  async create(kind: ResourceKind, body: Record<string, unknown>) {
    const registry = REGISTRIES[kind];
    registry.check?.(body);
    const keys = Object.keys(registry.columns).filter((key) => body[key] !== undefined);
    try {
      await this.dataSource.query(
        `INSERT INTO ${registry.table} (${keys.map((k) => registry.columns[k]).join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`,
        keys.map((k) => body[k]),
      );
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw conflict(`${registry.what} ${body.id} or its unique fields already exist`, {}, [{ field: kind === 'vehicles' ? 'plate' : 'id', reason: (error as { detail?: string }).detail ?? 'already exists' }]);
      }
      throw error;
    }
    return this.get(kind, String(body.id));
  }

  /** Replaces a resource's fields (the id stays). */
  async update(kind: ResourceKind, id: string, body: Record<string, unknown>) {
    const registry = REGISTRIES[kind];
    const current = await this.get(kind, id);
    if (body.id !== undefined && body.id !== id) throw invalid('id', `the id cannot change (${id})`);
    const given = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
    const row = { ...current, ...given, id };
    registry.check?.(row);
    const keys = Object.keys(registry.columns).filter((key) => key !== 'id');
    try {
      await this.dataSource.query(`UPDATE ${registry.table} SET ${keys.map((k, i) => `${registry.columns[k]} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`, [
        id,
        ...keys.map((k) => row[k] ?? null),
      ]);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw conflict(`another ${registry.what} has this value`, {}, [{ field: 'plate', reason: (error as { detail?: string }).detail ?? 'taken' }]);
      throw error;
    }
    return this.get(kind, id);
  }

  async remove(kind: ResourceKind, id: string): Promise<void> {
    await this.get(kind, id);
    await this.dataSource.query(`DELETE FROM ${REGISTRIES[kind].table} WHERE id = $1`, [id]);
  }
}
