/// <reference types="multer" />
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UploadedFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { EnrolmentService } from '../../../libs/observation/enrolment.service';
import { invalid } from '../../../libs/domain/errors';
import { ApiIdempotencyKey, IdempotencyKey } from '../../../libs/nest/idempotency';
import { IsOptional } from '../../../libs/nest/validators';
import { FileUpload } from '../../../libs/nest/file-upload';
import { ImportResults, ImportService } from './import.service';
import { EnrolmentDto, MoveDto } from './observation.dto';
import { EnrolmentResultDto, ImportJobDto, MovedPersonDto } from './observation.responses';

const MAX_LEDGER_BYTES = 50 * 1024 * 1024;

const RESULTS: ImportResults[] = ['rejected', 'all', 'none'];

class ImportStatusQuery {
  @ApiPropertyOptional({ enum: RESULTS, default: 'rejected', description: 'which rows’ results to list' }) @IsOptional() @IsIn(RESULTS) results?: ImportResults;
}

class LedgerUploadDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'a .csv or .xlsx ledger' }) file!: unknown;
}

@ApiTags('persons')
@Controller()
export class PersonsController {
  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly imports: ImportService,
  ) {}

  @Post('persons')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @HttpCode(201)
  @ApiBody({ type: EnrolmentDto })
  @ApiOperation({ summary: 'Enrol a person: one record, one observation number, one observation workflow' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: EnrolmentResultDto, description: 'enrolled' })
  @ApiOkResponse({ type: EnrolmentResultDto, description: 'the request id was enrolled before: its observation, as it was answered then' })
  @ApiConflictResponse({ description: 'the person already has an open observation; the body names its number' })
  @ApiUnprocessableEntityResponse({ description: 'a field is wrong; `errors` names each field and reason' })
  async enrol(@Actor() actor: Principal, @Body() body: Record<string, unknown>, @IdempotencyKey() requestId: string | undefined, @Res({ passthrough: true }) response: Response) {
    // The header's key, when sent, is the body's requestId (the decorator refuses the two differing).
    const result = await this.enrolment.enrol(requestId === undefined ? body : { ...body, requestId }, actor);
    if (result.status === 'existing') response.status(200);
    return result;
  }

  @Post('persons/move')
  @Roles('supervisor')
  @ScopedInHandler()
  @HttpCode(200)
  @ApiBody({ type: MoveDto })
  @ApiOperation({ summary: 'A person not under observation moves house: the old and the new address must both lie in your jurisdiction' })
  @ApiOkResponse({ type: MovedPersonDto })
  @ApiConflictResponse({ description: 'the person is under observation, or lies outside your jurisdiction' })
  move(@Actor() actor: Principal, @Body() body: Record<string, unknown>) {
    return this.enrolment.move(body, actor);
  }

  @Post('persons/import')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @HttpCode(202)
  @FileUpload(MAX_LEDGER_BYTES, 'ledger')
  @ApiBody({ type: LedgerUploadDto })
  @ApiOperation({ summary: 'Import a ledger (.csv or .xlsx, at most 50 MiB and 50,000 rows); its rows are stored before the answer, then enrolled by a workflow; follow progress at GET /imports/:id' })
  @ApiAcceptedResponse({ type: ImportJobDto, description: 'every row is stored; the job runs' })
  @ApiPayloadTooLargeResponse({ description: 'the file, or the workbook unpacked, is larger than its limit; `errors` names it' })
  async import(@Actor() actor: Principal, @UploadedFile() file: Express.Multer.File | undefined) {
    if (!file) throw invalid('file', 'is required: a .csv or .xlsx ledger as multipart field "file"');
    return this.imports.start(file.buffer, file.originalname, actor);
  }

  @Get('imports/:id')
  @Roles('supervisor', 'community_worker')
  @Scoped('import-job', 'param', 'id')
  @ApiOperation({ summary: 'An import: state, progress, counts and a result per row' })
  @ApiOkResponse({ type: ImportJobDto })
  importStatus(@Param('id') id: string, @Query() query: ImportStatusQuery) {
    return this.imports.status(id, query.results);
  }
}
