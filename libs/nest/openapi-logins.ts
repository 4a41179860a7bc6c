import type { Route } from './routes';

type Operations = Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;

/**
 * Every operation declares how it is logged in to: the bearer token (so Swagger UI sends it), or
 * nothing for the public ones (health, the login itself, signed webhooks, static pages).
 */
export function documentLogins<T>(document: T, routes: Route[]): T {
  const paths = (document as unknown as { paths: Operations }).paths;
  for (const route of routes) {
    const operation = paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
    if (operation) operation.security = route.isPublic ? [] : [{ bearer: [] }];
  }
  return document;
}
