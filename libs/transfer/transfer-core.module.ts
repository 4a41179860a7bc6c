import { Global, Module } from '@nestjs/common';
import { CentralizedQuarantineRepository } from '../persistence/transfer/centralized-quarantine.repository';
import { DispatchRepository } from '../persistence/transfer/dispatch.repository';
import { TransferResourceRepository } from '../persistence/transfer/transfer-resource.repository';
import { TransferRunRepository } from '../persistence/transfer/transfer-run.repository';
import { TransferRunLauncher } from './run-launcher';
import { TransferRunStarter } from './run-starter';

const PROVIDERS = [TransferResourceRepository, TransferRunRepository, DispatchRepository, CentralizedQuarantineRepository, TransferRunLauncher, TransferRunStarter];

/**
 * The transfer tables' repositories, the run starter and launcher, for the API and the worker alike. Global,
 * as persistence is: the access checks, the reconciler and the daily report read runs too. Needs
 * the global config, persistence and Temporal client.
 */
@Global()
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class TransferCoreModule {}
