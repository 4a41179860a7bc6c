import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { Role, ROLES } from '../../../libs/auth/roles';

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
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(50) displayName?: string;
  @ApiPropertyOptional({ minLength: 10, description: 'a new password; ends the user’s current logins' }) @IsOptional() @IsString() @MinLength(10) @MaxLength(200) password?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(8) subdistrict?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(60) community?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ description: 'true: lift a lockout after failed logins' }) @IsOptional() @IsBoolean() unlock?: boolean;
}
