import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, requireDatabaseUrl } from '../../libs/config/config';
import { ConfigModule } from '../../libs/config/config.module';
import { PersistenceModule } from '../../libs/persistence/persistence.module';
import { ObservationPersistenceModule } from '../../libs/persistence/observation/observation-persistence.module';
import { PlatformRepositoriesModule } from '../../libs/persistence/platform/platform-repositories.module';
import { TemporalClientModule } from '../../libs/temporal/temporal.module';
import { NotificationActivities } from '../../activities/notifications/notification.activities';
import { NotificationsModule } from '../../libs/notifications/notifications.module';
import { ObservationActivities } from '../../activities/observation/observation.activities';
import { ObservationClockActivities } from '../../activities/observation/observation-clock.activities';
import { LedgerImportActivities } from '../../activities/observation/ledger-import.activities';
import { PolicyRolloutActivities } from '../../activities/observation/policy-rollout.activities';
import { QuarantineStayActivities } from '../../activities/observation/quarantine-stay.activities';
import { ReconcilerActivities } from '../../activities/system/reconciler.activities';
import { DailyReportActivities } from '../../activities/system/daily-report.activities';
import { SystemActivities } from '../../activities/system/system.activities';
import { DISPATCH_SYSTEM_PROVIDERS } from '../../libs/transfer/dispatch/dispatch-system';
import { TransferActivities } from '../../activities/transfer/transfer.activities';
import { PickupActivities } from '../../activities/transfer/pickup.activities';
import { TransferCoreModule } from '../../libs/transfer/transfer-core.module';
import { ObservationCoreModule } from '../../libs/observation/observation-core.module';
import { RosterDailyActivities } from '../../activities/roster/roster-daily.activities';
import { RosterPlanActivities } from '../../activities/roster/roster-plan.activities';
import { GuardPostActivities } from '../../activities/roster/guard-post.activities';
import { ShiftActivities } from '../../activities/roster/shift.activities';
import { RosterPersistenceModule } from '../../libs/persistence/roster/roster-persistence.module';
import { RosterCoreModule } from '../../libs/roster/roster-core.module';

const ROSTER_ACTIVITY_CLASSES = [ShiftActivities, RosterDailyActivities, RosterPlanActivities, GuardPostActivities];

/** The activity classes the worker registers; each is a Nest provider so it gets its dependencies by DI. */
export const ACTIVITY_CLASSES = [
  SystemActivities,
  ReconcilerActivities,
  DailyReportActivities,
  ObservationActivities,
  ObservationClockActivities,
  PolicyRolloutActivities,
  LedgerImportActivities,
  QuarantineStayActivities,
  NotificationActivities,
  ...ROSTER_ACTIVITY_CLASSES,
  TransferActivities,
  PickupActivities,
];

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(requireDatabaseUrl(config), { applicationName: 'epi-ops-worker' }),
        ObservationPersistenceModule,
        PlatformRepositoriesModule,
        // Activities that start or signal other workflows (a hand-over home starts an observation).
        TemporalClientModule.forRoot(config.temporal),
        NotificationsModule,
        RosterPersistenceModule,
        RosterCoreModule,
        ObservationCoreModule,
        TransferCoreModule,
      ],
      providers: [SystemActivities, ReconcilerActivities, DailyReportActivities, ObservationActivities, ObservationClockActivities, PolicyRolloutActivities, LedgerImportActivities, QuarantineStayActivities, NotificationActivities, TransferActivities, PickupActivities, ...ROSTER_ACTIVITY_CLASSES, ...DISPATCH_SYSTEM_PROVIDERS],
    };
  }
}
