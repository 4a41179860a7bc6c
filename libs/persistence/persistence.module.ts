import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSource } from './data-source';
import { ENTITIES } from './entities';

/** TypeORM for Nest, built by the project's one data-source factory; repositories of every entity exported. */
@Module({})
export class PersistenceModule {
  static forRoot(url: string, options: { poolSize?: number; applicationName?: string } = {}): DynamicModule {
    const features = TypeOrmModule.forFeature(ENTITIES);
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ type: 'postgres' as const }),
          dataSourceFactory: () => createDataSource(url, options).initialize(),
        }),
        features,
      ],
      exports: [features],
    };
  }
}
