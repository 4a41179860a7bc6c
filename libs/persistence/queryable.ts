import type { EntityManager } from 'typeorm';

/**
 * What a repository method runs its statements on: the data source, or the transaction (an
 * EntityManager) of a caller that writes several tables at once.
 */
export type Queryable = Pick<EntityManager, 'query'>;
