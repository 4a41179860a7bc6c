import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { assertReaches, describeJurisdiction, Place } from './jurisdiction';
import { COOKIE_AUTH_KEY, PUBLIC_KEY, ROLES_KEY, SCOPE_KEY, ScopeRule, TRIP_CREW_KEY } from './roles.decorator';
import type { Principal, Role } from './roles';
import { forbidden, notFound } from '../domain/errors';
import { errorResponse } from '../nest/http-errors.filter';
import { AuditedRequest, AuditService } from '../audit/audit.service';
import { JurisdictionResolver } from './jurisdiction.resolver';
import { UsersService } from './users.service';

export const SESSION_COOKIE = 'epi_session';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

export interface TokenClaims {
  sub: string;
  ver: number;
}

/**
 * Every route, fail-closed: a login (bearer token, or the session cookie for reads and routes that
 * allow it), then the route's roles, then its jurisdiction rule. A route that declares no roles or
 * no jurisdiction rule is refused to everyone. Refused commands are audited too.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly places: JurisdictionResolver,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    try {
      const cookieAllowed = SAFE_METHODS.has(request.method) || !!this.reflector.getAllAndOverride<boolean>(COOKIE_AUTH_KEY, targets);
      const actor = await this.authenticate(request, cookieAllowed);
      request.principal = actor;
      const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets);
      const rule = this.reflector.getAllAndOverride<ScopeRule>(SCOPE_KEY, targets);
      const route = `${request.method} ${request.route?.path ?? request.path}`;
      if (!roles || !rule) throw forbidden(`${route} has no access rule and is refused to everyone`);
      const crewToo = !!this.reflector.getAllAndOverride<boolean>(TRIP_CREW_KEY, targets);
      const mayNot = () => forbidden(`a ${actor.role} may not ${route} (allowed: ${roles.join(', ')}${crewToo ? ', and the trip’s escorts and driver' : ''})`);
      if (!roles.includes(actor.role) && !crewToo) throw mayNot();
      await this.checkJurisdiction(rule, actor, request, crewToo, roles.includes(actor.role) ? undefined : mayNot);
      return true;
    } catch (error) {
      if (!SAFE_METHODS.has(request.method)) await this.audit.record(request, errorResponse(error).status, error);
      throw error;
    }
  }

  private async authenticate(request: AuditedRequest, cookieAllowed: boolean): Promise<Principal> {
    const header = request.header('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const cookie = cookieAllowed ? (request.cookies?.[SESSION_COOKIE] as string | undefined) : undefined;
    const token = bearer ?? cookie;
    if (!token) throw new UnauthorizedException({ error: 'unauthenticated', message: 'log in first: POST /auth/login, then send Authorization: Bearer <accessToken>' });
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new UnauthorizedException({ error: 'unauthenticated', message: expired ? 'the login has expired; log in again' : 'the access token is not valid; log in again' });
    }
    const actor = await this.users.principal(claims.sub, claims.ver);
    if (!actor) throw new UnauthorizedException({ error: 'unauthenticated', message: 'this login was ended (logout, password change or disabled account); log in again' });
    return actor;
  }

  /**
   * `crewToo`: the record's crew reach it whatever their role; `notByRole`: the refusal for an actor
   * whose role the route does not allow, who reaches the record only as its crew.
   */
  private async checkJurisdiction(rule: ScopeRule, actor: Principal, request: AuditedRequest, crewToo: boolean, notByRole?: () => Error): Promise<void> {
    // A receiver's null subdistrict is one destination, not the district.
    if (rule.kind === 'district' && (actor.subdistrict !== null || actor.role === 'receiver')) {
      throw forbidden(`${request.method} ${request.route?.path} acts on the whole district; ${actor.role === 'receiver' ? `you receive at ${actor.destinationId}` : `your jurisdiction is ${describeJurisdiction(actor)}`}`);
    }
    if (rule.kind !== 'record') {
      if (notByRole) throw notByRole();
      return;
    }
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const value = rule.from === 'param' ? request.params[rule.key] : body[rule.key];
    const record = await this.places.resolve(rule.record, value, actor, body, request.params as Record<string, string>);
    request.auditRecord = record;
    const onCrew = (place: Place) => crewToo && !!place.crewAccountIds?.includes(actor.userId);
    // Someone the route's roles do not allow learns nothing of a record that is not theirs, not even whether it exists.
    if (notByRole && !(record.places.length && record.places.every(onCrew))) throw notByRole();
    // A record the guard cannot place is not there for anyone: the handler never runs on it.
    if (rule.from === 'param' && !record.places.length) throw notFound(rule.record, record.id);
    for (const place of record.places) if (!onCrew(place)) assertReaches(actor, place, `${rule.record} ${record.id}`);
  }
}
