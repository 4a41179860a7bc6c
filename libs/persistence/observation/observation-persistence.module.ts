import { Global, Module } from '@nestjs/common';
import { ImportJobRepository } from './import-job.repository';
import { IncomingHandOverRepository } from './incoming-hand-over.repository';
import { ObservationPolicyRepository } from './observation-policy.repository';
import { ObservationRepository } from './observation.repository';
import { PersonRepository } from './person.repository';
import { ReportLinkRepository } from './report-link.repository';
import { StayRepository } from './stay.repository';

const REPOSITORIES = [ObservationRepository, PersonRepository, ObservationPolicyRepository, ImportJobRepository, IncomingHandOverRepository, ReportLinkRepository, StayRepository];

/**
 * The home-observation family's repositories, for the API and the worker alike (both import this
 * module once, beside the persistence module). Global: the guard, the dashboard, the metrics and
 * other families' activities read these tables through them too.
 */
@Global()
@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class ObservationPersistenceModule {}
