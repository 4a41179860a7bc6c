import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { PUBLIC_KEY, ROLES_KEY, SCOPE_KEY, ScopeRule } from '../auth/roles.decorator';
import type { Role } from '../auth/roles';

export interface Route {
  method: string;
  /** Nest's form: `/observations/:number`. */
  path: string;
  roles?: Role[];
  rule?: ScopeRule;
  isPublic: boolean;
}

/** Every route the API serves, with its access metadata, read from Nest's own registry. */
export function routesOf(app: INestApplication): Route[] {
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown> } & object;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as object;
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const meta = <T>(key: string): T | undefined => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
        const path = `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
        routes.push({ method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number], path, roles: meta(ROLES_KEY), rule: meta(SCOPE_KEY), isPublic: !!meta(PUBLIC_KEY) });
      }
    }
  }
  return routes;
}
