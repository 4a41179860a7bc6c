import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { CONTACT_CHANNELS, ContactChannel, Language, LANGUAGES } from '../../../libs/domain/contact';
import { Principal, Role, ROLES } from '../../../libs/auth/roles';
import type { AccountLock, AccountView } from '../../../libs/persistence/platform/user.repository';

export class LoginDto {
  @ApiProperty({ example: 'wang.sup' }) @IsString() @MinLength(1) @MaxLength(60) username!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

export class PasswordChangeDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) currentPassword!: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10) @MaxLength(200) newPassword!: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'li.worker' }) @IsString() @Matches(/^[A-Za-z0-9._-]{3,40}$/, { message: 'must be 3-40 letters, digits, dots, dashes or underscores' }) username!: string;
  @ApiProperty({ example: '李社工' }) @IsString() @MinLength(1) @MaxLength(50) displayName!: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10) @MaxLength(200) password!: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
  @ApiPropertyOptional({ example: 'XYL', description: 'absent: the whole district' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(8) subdistrict?: string;
  @ApiPropertyOptional({ example: '学院路社区', description: 'absent: the whole subdistrict; required for a community worker' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(60) community?: string;
  @ApiPropertyOptional({ example: 'HOTEL-1', description: 'a receiver’s destination (community or quarantine hotel); required for a receiver, refused for any other role' }) @IsOptional() @IsString() @MaxLength(40) destinationId?: string;
  @ApiPropertyOptional({ example: '13800138000', description: 'for SMS; mainland mobile or +country number' }) @IsOptional() @IsString() @MaxLength(20) mobile?: string;
  @ApiPropertyOptional({ example: 'li.worker@xyl.example' }) @IsOptional() @IsString() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ enum: LANGUAGES, description: 'the language of the account’s messages; default zh-CN' }) @IsOptional() @IsIn(LANGUAGES) language?: Language;
  @ApiPropertyOptional({ enum: CONTACT_CHANNELS, isArray: true, description: 'where messages go besides the inbox; each needs its address. Default: none' }) @IsOptional() @IsArray() @ArrayMaxSize(2) @IsIn(CONTACT_CHANNELS, { each: true }) channels?: ContactChannel[];
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(50) displayName?: string;
  @ApiPropertyOptional({ minLength: 10, description: 'a new password; ends the user’s current logins' }) @IsOptional() @IsString() @MinLength(10) @MaxLength(200) password?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(8) subdistrict?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(60) community?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'a receiver’s destination' }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(40) destinationId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(20) mobile?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(254) email?: string | null;
  @ApiPropertyOptional({ enum: LANGUAGES }) @IsOptional() @IsIn(LANGUAGES) language?: Language;
  @ApiPropertyOptional({ enum: CONTACT_CHANNELS, isArray: true }) @IsOptional() @IsArray() @ArrayMaxSize(2) @IsIn(CONTACT_CHANNELS, { each: true }) channels?: ContactChannel[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ description: 'true: lift a lockout after failed logins' }) @IsOptional() @IsBoolean() unlock?: boolean;
}

/** Who is logged in: the account's role and jurisdiction decide what it may see and do. */
export class PrincipalDto implements Principal {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ example: 'wang.sup' }) username!: string;
  @ApiProperty({ example: '王主任' }) displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, nullable: true, example: 'XYL', description: 'null: the whole district' }) subdistrict!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '学院路社区', description: 'null: the whole subdistrict' }) community!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'HOTEL-1', description: 'a receiver’s destination; null for other roles' }) destinationId!: string | null;
  @ApiProperty({ example: 'Asia/Shanghai', description: 'the jurisdiction’s time zone (TZ): slots, shifts and every time on the pages are in its local time' }) timeZone!: string;
}

export class LoginAnswerDto {
  @ApiProperty({ description: 'send as `Authorization: Bearer <accessToken>`; the same token is set as the session cookie' }) accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds the token is valid' }) expiresIn!: number;
  @ApiProperty({ type: PrincipalDto }) user!: PrincipalDto;
}

export class AccountLockDto implements AccountLock {
  @ApiProperty({ description: 'the address (IPv4, or an IPv6 /64) the failed logins came from' }) address!: string;
  @ApiProperty({ format: 'date-time' }) lockedUntil!: string;
}

/** An account as administrators see it. */
export class AccountDto implements AccountView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'li.worker' }) username!: string;
  @ApiProperty({ example: '李社工' }) displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, nullable: true, description: 'null: the whole district' }) subdistrict!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'null: the whole subdistrict' }) community!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'a receiver’s destination' }) destinationId!: string | null;
  @ApiProperty({ type: String, nullable: true }) mobile!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ enum: LANGUAGES }) language!: Language;
  @ApiProperty({ enum: CONTACT_CHANNELS, isArray: true }) channels!: ContactChannel[];
  @ApiProperty({ description: 'false: disabled, no login is accepted' }) active!: boolean;
  @ApiProperty({ type: [AccountLockDto], description: 'locks in force after failed logins, one per address, latest first' }) lockouts!: AccountLockDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'the end of the latest lock in force' }) lockedUntil!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastLoginAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
