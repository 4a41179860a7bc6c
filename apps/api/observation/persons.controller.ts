/// <reference types="multer" />
import {
  Body,
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  NestInterceptor,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConflictResponse, ApiConsumes, ApiOperation, ApiPayloadTooLargeResponse, ApiQuery, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { catchError, Observable, throwError } from 'rxjs';
import { Actor } from '../../../libs/auth/actor.decorator';
import { Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { EnrolmentService } from '../../../libs/observation/enrolment.service';
import { invalid } from '../../../libs/domain/errors';
import { ImportService } from './import.service';
import { EnrolmentDto, MoveDto } from './observation.dto';

const MAX_LEDGER_BYTES = 50 * 1024 * 1024;

/** Multer refuses a larger file saying only "File too large": the answer names the limit. */
@Injectable()
class LedgerSizeLimit implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        const fromMulter = error instanceof PayloadTooLargeException && !(error.getResponse() as { problems?: unknown }).problems;
        if (!fromMulter) return throwError(() => error);
        const reason = `is larger than ${MAX_LEDGER_BYTES / (1024 * 1024)} MiB, the most a ledger upload may be; split the ledger`;
        return throwError(() => new PayloadTooLargeException({ error: 'payload_too_large', message: `file: ${reason}`, problems: [{ field: 'file', reason }] }));
      }),
    );
  }
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
  @ApiConflictResponse({ description: 'the person already has an open observation; the body names its number' })
  @ApiUnprocessableEntityResponse({ description: 'a field is wrong; `errors` names each field and reason' })
  async enrol(@Actor() actor: Principal, @Body() body: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const result = await this.enrolment.enrol(body, actor);
    if (result.status === 'existing') response.status(200);
    return result;
  }

  @Post('persons/move')
  @Roles('supervisor')
  @ScopedInHandler()
  @HttpCode(200)
  @ApiBody({ type: MoveDto })
  @ApiOperation({ summary: 'A person not under observation moves house: the old and the new address must both lie in your jurisdiction' })
  @ApiConflictResponse({ description: 'the person is under observation, or lies outside your jurisdiction' })
  move(@Actor() actor: Principal, @Body() body: Record<string, unknown>) {
    return this.enrolment.move(body, actor);
  }

  @Post('persons/import')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @HttpCode(202)
  @UseInterceptors(LedgerSizeLimit, FileInterceptor('file', { limits: { fileSize: MAX_LEDGER_BYTES } }))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: 'Import a ledger (.csv or .xlsx, at most 50 MiB and 50,000 rows); its rows are stored before the answer, then enrolled by a workflow; follow progress at GET /imports/:id' })
  @ApiPayloadTooLargeResponse({ description: 'the file, or the workbook unpacked, is larger than its limit; `problems` names it' })
  async import(@Actor() actor: Principal, @UploadedFile() file: Express.Multer.File | undefined) {
    if (!file) throw invalid('file', 'is required: a .csv or .xlsx ledger as multipart field "file"');
    return this.imports.start(file.buffer, file.originalname, actor);
  }

  @Get('imports/:id')
  @Roles('supervisor', 'community_worker')
  @Scoped('import-job', 'param', 'id')
  @ApiQuery({ name: 'results', required: false, enum: ['rejected', 'all', 'none'] })
  @ApiOperation({ summary: 'An import: state, progress, counts and a result per row' })
  importStatus(@Param('id') id: string, @Query('results') results?: 'rejected' | 'all' | 'none') {
    if (results && !['rejected', 'all', 'none'].includes(results)) {
      throw invalid('results', 'must be rejected, all or none');
    }
    return this.imports.status(id, results);
  }
}
