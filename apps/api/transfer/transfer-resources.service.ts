import { Injectable } from '@nestjs/common';
import { conflict, invalid, notFound } from '../../../libs/domain/errors';
import { Page, PageQuery, pageOf } from '../../../libs/nest/paging';
import { DuplicateKeyError } from '../../../libs/persistence/duplicate-key';
import { ResourceKind, TransferResourceRepository, TransferResources } from '../../../libs/persistence/transfer/transfer-resource.repository';

/** What each kind is called in answers, and the rule a resource must keep beyond its DTO. */
const KINDS: { [K in ResourceKind]: { what: string; check?: (row: Partial<TransferResources[K]>) => void; account?: keyof TransferResources[K] & string } } = {
  'sorting-points': { what: 'sorting point' },
  destinations: {
    what: 'destination',
    check: (row) => {
      if (row.kind === 'community' && row.capacity !== undefined && row.capacity !== null) throw invalid('capacity', 'only a hotel has rooms');
      if (row.kind === 'hotel' && (row.capacity === undefined || row.capacity === null)) throw invalid('capacity', 'a hotel needs its rooms free');
    },
  },
  vehicles: { what: 'vehicle', account: 'driverAccountId' },
  escorts: { what: 'escort', account: 'accountId' },
};

/**
 * Sorting points, destinations, vehicles and escorts. A run copies what it uses when it starts,
 * so changing or removing a resource never changes a run under way.
 */
@Injectable()
export class TransferResourcesService {
  constructor(private readonly resources: TransferResourceRepository) {}

  list<K extends ResourceKind>(kind: K, query: PageQuery): Promise<Page<TransferResources[K]>> {
    const { page, pageSize, offset } = pageOf(query);
    return this.resources.page(kind, { offset, pageSize }).then(({ items, total }) => ({ items, page, pageSize, total }));
  }

  async get<K extends ResourceKind>(kind: K, id: string): Promise<TransferResources[K]> {
    const row = await this.resources.get(kind, id);
    if (!row) throw notFound(KINDS[kind].what, id);
    return row;
  }

  async create<K extends ResourceKind>(kind: K, body: Partial<TransferResources[K]> & { id: string }): Promise<TransferResources[K]> {
    KINDS[kind].check?.(body);
    try {
      await this.resources.insert(kind, body).catch(this.unknownAccount(kind, body));
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      throw conflict(`${KINDS[kind].what} ${body.id} or its unique fields already exist`, {}, [{ field: kind === 'vehicles' ? 'plate' : 'id', reason: error.detail }]);
    }
    return this.get(kind, body.id);
  }

  /** Replaces a resource's fields (the id stays). */
  async update<K extends ResourceKind>(kind: K, id: string, body: Partial<TransferResources[K]>): Promise<TransferResources[K]> {
    const current = await this.get(kind, id);
    if (body.id !== undefined && body.id !== id) throw invalid('id', `the id cannot change (${id})`);
    const given = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
    const row = { ...current, ...given, id } as TransferResources[K];
    KINDS[kind].check?.(row);
    try {
      await this.resources.replace(kind, row).catch(this.unknownAccount(kind, row));
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      throw conflict(`another ${KINDS[kind].what} has this value`, {}, [{ field: 'plate', reason: error.detail }]);
    }
    return this.get(kind, id);
  }

  /** A link to an account that does not exist (PostgreSQL's foreign_key_violation) is refused by its field. */
  private unknownAccount<K extends ResourceKind>(kind: K, row: Partial<TransferResources[K]>) {
    return (error: { code?: string }) => {
      const field = KINDS[kind].account;
      if (error.code === '23503' && field) throw invalid(field, `no account ${String(row[field])}`);
      throw error;
    };
  }

  async remove(kind: ResourceKind, id: string): Promise<void> {
    await this.get(kind, id);
    await this.resources.remove(kind, id);
  }
}
