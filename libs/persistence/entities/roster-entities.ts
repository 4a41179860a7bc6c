import { DailyReportEntity } from './daily-report.entity';
import { RosterModeEntity, RosterModeSwitchEntity } from './roster-mode.entity';
import { RosterPlanEntity } from './roster-plan.entity';
import { RosterPostEntity } from './roster-post.entity';
import { RosterRequestEntity } from './roster-request.entity';
import { RosterShiftEventEntity } from './roster-shift-event.entity';
import { RosterShiftEntity } from './roster-shift.entity';
import { RosterStaffEntity } from './roster-staff.entity';

export {
  DailyReportEntity,
  RosterModeEntity,
  RosterModeSwitchEntity,
  RosterPlanEntity,
  RosterPostEntity,
  RosterRequestEntity,
  RosterShiftEventEntity,
  RosterShiftEntity,
  RosterStaffEntity,
};

/** The duty-roster family's entities, listed once in ENTITIES (index.ts). */
export const ROSTER_ENTITIES = [
  DailyReportEntity,
  RosterModeEntity,
  RosterModeSwitchEntity,
  RosterPlanEntity,
  RosterPostEntity,
  RosterRequestEntity,
  RosterShiftEventEntity,
  RosterShiftEntity,
  RosterStaffEntity,
];
