// The bench's workflow bundle entry: every workflow the worker runs in production, and the bare
// Temporal baselines the bench measures them against (kept out of the production bundle).
export * from '../../workflows';
export * from './baseline.workflows';
