// The workflow bundle's entry: every workflow type the worker runs.
export { systemProbeWorkflow } from './system/system-probe.workflow';
export { reconcilerWorkflow } from './system/reconciler.workflow';
export { outboxRelayWorkflow } from './system/outbox-relay.workflow';
export { dailyReportWorkflow } from './system/daily-report.workflow';
export { observationWorkflow } from './observation/observation.workflow';
export { observationClockWorkflow } from './observation/observation-clock.workflow';
export { policyRolloutWorkflow } from './observation/policy-rollout.workflow';
export { ledgerImportWorkflow } from './observation/ledger-import.workflow';
export { quarantineStayWorkflow } from './observation/quarantine-stay.workflow';
export { shiftWorkflow } from './roster/shift.workflow';
export { rosterDailyWorkflow } from './roster/roster-daily.workflow';
export { rosterPlanWorkflow } from './roster/roster-plan.workflow';
export { transferRunWorkflow } from './transfer/transfer-run.workflow';
export { transferTripWorkflow } from './transfer/transfer-trip.workflow';
