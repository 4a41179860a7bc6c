import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, requireDatabaseUrl } from '../../libs/config/config';
import { ConfigModule } from '../../libs/config/config.module';
import { PersistenceModule } from '../../libs/persistence/persistence.module';
import { PlatformRepositoriesModule } from '../../libs/persistence/platform/platform-repositories.module';
import { TemporalClientModule } from '../../libs/temporal/temporal.module';
import { NotificationActivities } from '../../activities/notifications/notification.activities';
import { NotificationsModule } from '../../libs/notifications/notifications.module';
import { ObservationActivities } from '../../activities/observation/observation.activities';
import { LedgerImportActivities } from '../../activities/observation/ledger-import.activities';
import { PolicyRolloutActivities } from '../../activities/observation/policy-rollout.activities';
import { ReconcilerActivities } from '../../activities/system/reconciler.activities';
import { SystemActivities } from '../../activities/system/system.activities';
import { DISPATCH_SYSTEM_PROVIDERS } from '../../activities/transfer/dispatch-system';
import { TransferActivities } from '../../activities/transfer/transfer.activities';
import { ObservationCoreModule } from '../../libs/observation/observation-core.module';
import { RosterActivitiesModule, ROSTER_ACTIVITY_CLASSES } from '../../activities/roster/roster-activities.module';

/** The activity classes the worker registers; each is a Nest provider so it gets its dependencies by DI. */
export const ACTIVITY_CLASSES = [
  SystemActivities,
  ReconcilerActivities,
  ObservationActivities,
  PolicyRolloutActivities,
  LedgerImportActivities,
  NotificationActivities,
  ...ROSTER_ACTIVITY_CLASSES,
  TransferActivities,
];

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(requireDatabaseUrl(config), { applicationName: 'epi-ops-worker' }),
        PlatformRepositoriesModule,
        // Activities that start or signal other workflows (a hand-over home starts an observation).
        TemporalClientModule.forRoot(config.temporal),
        NotificationsModule,
        RosterActivitiesModule,
        ObservationCoreModule,
      ],
      providers: [SystemActivities, ReconcilerActivities, ObservationActivities, PolicyRolloutActivities, LedgerImportActivities, NotificationActivities, TransferActivities, ...DISPATCH_SYSTEM_PROVIDERS],
    };
  }
}
