import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { AppConfig } from '../config/config';
import { connectClient } from './connection';

export const TEMPORAL_CLIENT = Symbol('TEMPORAL_CLIENT');

@Global()
@Module({})
export class TemporalClientModule implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  static forRoot(config: AppConfig['temporal']): DynamicModule {
    return {
      module: TemporalClientModule,
      providers: [{ provide: TEMPORAL_CLIENT, useFactory: () => connectClient(config) }],
      exports: [TEMPORAL_CLIENT],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
  }
}
