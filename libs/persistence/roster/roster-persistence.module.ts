import { Global, Module } from '@nestjs/common';
import { DailyReportRepository } from './daily-report.repository';
import { RosterModeRepository } from './roster-mode.repository';
import { RosterPlanRepository } from './roster-plan.repository';
import { RosterPostRepository } from './roster-post.repository';
import { RosterShiftRepository } from './roster-shift.repository';
import { RosterStaffRepository } from './roster-staff.repository';
import { ShiftRequestRepository } from './shift-request.repository';

const REPOSITORIES = [RosterPostRepository, RosterStaffRepository, RosterModeRepository, RosterPlanRepository, RosterShiftRepository, ShiftRequestRepository, DailyReportRepository];

/**
 * The duty-roster family's repositories, imported by the API and the worker; global, as the access
 * guard places posts, plans, shifts and requests. Needs the global persistence module.
 */
@Global()
@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class RosterPersistenceModule {}
