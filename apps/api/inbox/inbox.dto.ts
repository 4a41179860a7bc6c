import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, Equals, IsArray, IsString, MaxLength } from 'class-validator';
import { IsOptional } from '../../../libs/nest/validators';

/** Longest message id a sender makes (`transfer:<runId>/<n>:<purpose>` and the like), with room. */
export const MAX_MESSAGE_ID = 200;

/** `POST /inbox/read`: these messages, or all of them. */
export class MarkReadDto {
  @ApiPropertyOptional({ type: [String], description: 'the messages to mark read (give these or `all`)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(MAX_MESSAGE_ID, { each: true })
  ids?: string[];

  @ApiPropertyOptional({ enum: [true], description: 'every unread message of mine (give this or `ids`)' }) @IsOptional() @Equals(true) all?: true;
}
