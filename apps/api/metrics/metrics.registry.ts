import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per API instance (not prom-client's global one), so several APIs in one process —
 * as in the tests — never register a metric twice.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
