import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import type { Role } from '../../libs/auth/roles';

export interface Scope {
  subdistrict?: string | null;
  community?: string | null;
  destinationId?: string;
}

/**
 * A new account of the role (district-wide unless scoped), logged in through POST /auth/login; its
 * bearer token. A medical desk unscoped works in XYL; a receiver without a destination gets a new one.
 */
export async function signIn(app: INestApplication, role: Role, scope: Scope = {}): Promise<string> {
  const username = `${role}-${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  const subdistrict = scope.subdistrict ?? (role === 'medical' ? 'XYL' : null);
  let destinationId = scope.destinationId ?? null;
  if (role === 'receiver' && !destinationId) {
    destinationId = `D-${username}`;
    await app.get(DataSource).query(`INSERT INTO transfer_destination (id, kind, name, travel_minutes, receiver) VALUES ($1, 'hotel', $1, 30, $2)`, [destinationId, username]);
  }
  await app.get(UsersService).create({ username, displayName: `${role} ${username}`, password, role, subdistrict, community: scope.community ?? null, destinationId });
  const response = await request(app.getHttpServer()).post('/auth/login').send({ username, password }).expect(200);
  return response.body.accessToken as string;
}

type Agent = ReturnType<typeof request>;
export type Http = Pick<Agent, 'get' | 'post' | 'put' | 'patch' | 'delete'>;

/** supertest with the bearer token on every request. */
export function httpAs(app: INestApplication, token: string): Http {
  const server = app.getHttpServer();
  const as = (method: keyof Http) => (url: string) => request(server)[method](url).set('authorization', `Bearer ${token}`);
  return { get: as('get'), post: as('post'), put: as('put'), patch: as('patch'), delete: as('delete') } as Http;
}

/** The usual caller of the existing API tests: a district-wide supervisor. */
export async function supervisorHttp(app: INestApplication): Promise<Http> {
  return httpAs(app, await signIn(app, 'supervisor'));
}
