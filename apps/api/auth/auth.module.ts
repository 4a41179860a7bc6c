import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { AppConfig, requireJwtSecret } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { AuditController } from '../audit/audit.controller';
import { AuditInterceptor } from '../../../libs/audit/audit.interceptor';
import { AuditService } from '../../../libs/audit/audit.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from '../../../libs/auth/auth.guard';
import { JurisdictionResolver } from '../../../libs/auth/jurisdiction.resolver';
import { LoginLockout } from '../../../libs/auth/login-lockout.service';
import { UsersController } from './users.controller';
import { UsersService } from '../../../libs/auth/users.service';

/** Logins, the guard on every route, and the audit log of every command. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // A key object, not the string: given a string, jsonwebtoken first tries to read it as a public key
      // on every verify (~1 ms of CPU per request measured in the check-in bench).
      useFactory: (config: AppConfig) => ({
        secret: createSecretKey(Buffer.from(requireJwtSecret(config))),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, UsersController, AuditController],
  providers: [
    UsersService,
    LoginLockout,
    JurisdictionResolver,
    AuditService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [UsersService, AuditService],
})
export class AuthModule {}
