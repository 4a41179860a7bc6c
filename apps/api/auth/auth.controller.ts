import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { AllowCookieAuth, OwnAccount, Public, Roles } from '../../../libs/auth/roles.decorator';
import { Principal, ROLES } from '../../../libs/auth/roles';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import type { AuditedRequest } from '../../../libs/audit/audit.service';
import { LoginAnswerDto, LoginDto, PasswordChangeDto, PrincipalDto } from './auth.dto';
import { SESSION_COOKIE, TokenClaims } from '../../../libs/auth/auth.guard';
import { loginAddress, LoginRefused } from '../../../libs/auth/login-lockout.service';
import { UsersService } from '../../../libs/auth/users.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: a bearer token for the API, and a session cookie for the dashboard and the Temporal UI codec' })
  @ApiOkResponse({ type: LoginAnswerDto })
  async login(@Body() body: LoginDto, @Req() request: AuditedRequest, @Res({ passthrough: true }) response: Response): Promise<LoginAnswerDto> {
    request.claimedUser = body.username;
    request.auditRecord = { type: 'user', id: body.username, places: [] };
    const { tokenVersion, ...actor } = await this.users.login(body.username, body.password, loginAddress(request)).catch((error: unknown) => {
      if (error instanceof LoginRefused) response.setHeader('Retry-After', Math.max(1, Math.ceil((error.until.getTime() - Date.now()) / 1000)));
      throw error;
    });
    request.principal = actor;
    const expiresIn = this.config.auth.tokenTtlSeconds;
    const accessToken = await this.jwt.signAsync({ sub: actor.userId, ver: tokenVersion } satisfies TokenClaims, { expiresIn });
    response.cookie(SESSION_COOKIE, accessToken, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: '/', maxAge: expiresIn * 1000 });
    return { accessToken, tokenType: 'Bearer', expiresIn, user: this.answer(actor) };
  }

  @Post('logout')
  @Roles(...ROLES)
  @OwnAccount()
  @AllowCookieAuth() // the dashboard logs out with its session cookie (SameSite=Strict); it holds no bearer token
  @HttpCode(204)
  @ApiOperation({ summary: 'Ends every login of this account (all its tokens stop working)' })
  @ApiNoContentResponse({ description: 'logged out everywhere' })
  async logout(@Actor() actor: Principal, @Res({ passthrough: true }) response: Response) {
    await this.users.revokeSessions(actor.userId);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @Roles(...ROLES)
  @OwnAccount()
  @ApiOperation({ summary: 'Who is logged in' })
  @ApiOkResponse({ type: PrincipalDto })
  me(@Actor() actor: Principal): PrincipalDto {
    return this.answer(actor);
  }

  /** Who is logged in as the pages need it: with the deployment's time zone, which every page formats in. */
  private answer(actor: Principal): PrincipalDto {
    return { ...actor, timeZone: this.config.timeZone };
  }

  @Post('password')
  @Roles(...ROLES)
  @OwnAccount()
  @HttpCode(204)
  @ApiOperation({ summary: 'Change one’s own password (ends the other logins too)' })
  @ApiNoContentResponse({ description: 'changed' })
  async changePassword(@Actor() actor: Principal, @Body() body: PasswordChangeDto, @Req() request: AuditedRequest) {
    await this.users.login(actor.username, body.currentPassword, loginAddress(request));
    await this.users.update(actor.userId, { password: body.newPassword });
  }
}
