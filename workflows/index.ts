// The workflow bundle's entry: every workflow type the worker runs.
export { systemProbeWorkflow } from './system/system-probe.workflow';
export { observationWorkflow } from './observation/observation.workflow';
