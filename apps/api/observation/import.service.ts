import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Principal } from '../../../libs/auth/roles';
import { notFound } from '../../../libs/domain/errors';
import { parseUuid } from '../../../libs/domain/ids';
import { readUpload } from '../../../libs/nest/file-upload';
import { readLedgerOffThread } from '../../../libs/observation/ledger/ledger-thread';
import { LedgerImports } from '../../../libs/observation/ledger-imports';
import { ImportJobRepository } from '../../../libs/persistence/observation/import-job.repository';
import { ImportJobDto, importJobOf } from './observation.responses';

/** Which row results an import's status shows. */
export type ImportResults = 'rejected' | 'all' | 'none';

/**
 * `POST /persons/import`: the file is read off the API's main thread (422 if unreadable, 413 if too
 * big), its rows are stored with the job, and the job's workflow (workflows/observation/
 * ledger-import.workflow.ts) enrols them in the worker. So the answer, 202, comes once nothing can be
 * lost, and an API that dies afterwards costs the import nothing.
 */
@Injectable()
export class ImportService {
  private readonly logger = new Logger('import');

  constructor(
    private readonly imports: LedgerImports,
    private readonly jobs: ImportJobRepository,
  ) {}

  async start(file: Buffer, fileName: string, actor: Principal): Promise<ImportJobDto> {
    const rows = await readUpload(readLedgerOffThread(file, fileName));
    const fileKey = createHash('sha256').update(file).digest('hex').slice(0, 16);
    const id = await this.jobs.create({ fileName, fileKey, actor }, rows);
    // With Temporal down the job is still accepted: the reconciler starts its workflow once it is back.
    await this.imports.start(id).catch((error) => this.logger.warn(`import ${id}: workflow not started yet (${(error as Error).message}); the reconciler will start it`));
    return this.status(id);
  }

  /** The job's state and counts, with the results of its rows that `results` asks for, in file order. */
  async status(id: string, results: ImportResults = 'rejected'): Promise<ImportJobDto> {
    const uuid = parseUuid(id);
    const job = uuid && (await this.jobs.byId(uuid));
    if (!job) throw notFound('import', id);
    return importJobOf(job, results === 'none' ? undefined : await this.jobs.results(job.id, results === 'all' ? 'all' : 'not-accepted'));
  }
}
