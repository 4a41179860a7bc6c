import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNumber, IsString, Length } from 'class-validator';
import { SYMPTOMS } from '../../../libs/domain/symptoms';
import { IsOptional } from '../../../libs/nest/validators';

export class SelfReportDto {
  @ApiProperty({ example: 36.6, description: '°C, 34.0-43.0' }) @Type(() => Number) @IsNumber() temperature!: number;
  @ApiPropertyOptional({ enum: SYMPTOMS, isArray: true }) @IsOptional() @IsArray() @ArrayMaxSize(SYMPTOMS.length) @IsIn(SYMPTOMS, { each: true }) symptoms?: string[];
  @ApiProperty({ description: 'made by the page for each submission: sent again, the first answer is the answer and the report counts once', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  requestId!: string;
}
