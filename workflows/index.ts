// The workflow bundle's entry: every workflow type the worker runs.
export { systemProbeWorkflow } from './system/system-probe.workflow';
export { reconcilerWorkflow } from './system/reconciler.workflow';
export { outboxRelayWorkflow } from './system/outbox-relay.workflow';
export { observationWorkflow } from './observation/observation.workflow';
export { policyRolloutWorkflow } from './observation/policy-rollout.workflow';
export { ledgerImportWorkflow } from './observation/ledger-import.workflow';
export { shiftWorkflow } from './roster/shift.workflow';
export { rosterDailyWorkflow } from './roster/roster-daily.workflow';
export { rosterPlanWorkflow } from './roster/roster-plan.workflow';
export { transferRunWorkflow } from './transfer/transfer-run.workflow';
export { transferTripWorkflow } from './transfer/transfer-trip.workflow';
