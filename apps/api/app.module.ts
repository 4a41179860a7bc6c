import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, requireDatabaseUrl } from '../../libs/config/config';
import { ConfigModule } from '../../libs/config/config.module';
import { PersistenceModule } from '../../libs/persistence/persistence.module';
import { ObservationPersistenceModule } from '../../libs/persistence/observation/observation-persistence.module';
import { RosterPersistenceModule } from '../../libs/persistence/roster/roster-persistence.module';
import { PlatformRepositoriesModule } from '../../libs/persistence/platform/platform-repositories.module';
import { TemporalClientModule } from '../../libs/temporal/temporal.module';
import { TransferCoreModule } from '../../libs/transfer/transfer-core.module';
import { AuthModule } from './auth/auth.module';
import { CodecModule } from './codec/codec.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { InboxModule } from './inbox/inbox.module';
import { MetricsModule } from './metrics/metrics.module';
import { ObservationModule } from './observation/observation.module';
import { RosterModule } from './roster/roster.module';
import { SelfReportModule } from './self-report/self-report.module';
import { SystemController } from './system/system.controller';
import { TransferModule } from './transfer/transfer.module';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(requireDatabaseUrl(config), { applicationName: 'epi-ops-api', poolSize: 40 }),
        ObservationPersistenceModule,
        PlatformRepositoriesModule,
        TemporalClientModule.forRoot(config.temporal),
        TransferCoreModule,
        RosterPersistenceModule,
        AuthModule,
        CodecModule,
        ObservationModule,
        DashboardModule,
        MetricsModule,
        RosterModule,
        TransferModule,
        SelfReportModule,
        WebModule,
        InboxModule,
      ],
      controllers: [HealthController, SystemController],
      providers: [HealthService],
    };
  }
}
