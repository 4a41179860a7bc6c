import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSource } from './data-source';

/** TypeORM for Nest (its DataSource, injected into the repositories), built by the project's one data-source factory. */
@Module({})
export class PersistenceModule {
  static forRoot(url: string, options: { poolSize?: number; applicationName?: string } = {}): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ type: 'postgres' as const }),
          dataSourceFactory: () => createDataSource(url, options).initialize(),
        }),
      ],
    };
  }
}
