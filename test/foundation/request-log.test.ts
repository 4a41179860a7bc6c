/**
 * Every line written while the API serves a request carries the request's id: the request line,
 * and what a handler or the error filter logs meanwhile, across awaits, with requests overlapping.
 * A small Nest app of the API's own pieces (its request log, logger and error filter); no servers.
 */
import { Controller, Get, INestApplication, Logger, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { requestLog } from '../../libs/nest/request-log.middleware';
import { HttpErrorsFilter } from '../../libs/nest/http-errors.filter';
import { jsonLogger } from '../../libs/nest/json-logger';

@Controller('work')
class WorkController {
  private readonly logger = new Logger('work');

  @Get('fault')
  fault(): never {
    throw new Error('a fault in the handler');
  }

  @Get(':ms')
  async work(@Param('ms') ms: string): Promise<{ done: boolean }> {
    this.logger.warn(`starting ${ms}`);
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    this.logger.warn(`done after ${ms} ms`);
    return { done: true };
  }
}

@Module({ controllers: [WorkController] })
class WorkModule {}

describe('the request id on every line of a request', () => {
  let app: INestApplication;
  const lines: Array<Record<string, unknown>> = [];
  let spies: jest.SpyInstance[];

  beforeAll(async () => {
    process.env.EPI_HTTP_LOG = '1';
    app = await NestFactory.create(WorkModule, { logger: jsonLogger() });
    app.use(requestLog());
    app.useGlobalFilters(new HttpErrorsFilter());
    await app.init();
    const original = new Map([process.stdout, process.stderr].map((stream) => [stream, stream.write.bind(stream)]));
    spies = [process.stdout, process.stderr].map((stream) =>
      // Only the app's lines, which are JSON; anything else (Jest's own output) passes through.
      jest.spyOn(stream, 'write').mockImplementation(((chunk: string, ...rest: unknown[]) =>
        String(chunk).startsWith('{"time"') ? lines.push(JSON.parse(String(chunk))) > 0 : (original.get(stream) as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof stream.write),
    );
  });

  afterAll(async () => {
    spies.forEach((spy) => spy.mockRestore());
    delete process.env.EPI_HTTP_LOG;
    await app.close();
  });

  const of = (requestId: string) => lines.filter((line) => line.requestId === requestId).map((line) => line.msg);

  it('carries it on what a handler logs before and after an await, while another request runs', async () => {
    const http = request(app.getHttpServer());
    await Promise.all([http.get('/work/60').set('x-request-id', 'slow-1').expect(200), http.get('/work/0').set('x-request-id', 'quick-1').expect(200)]);
    expect(of('slow-1')).toEqual(['starting 60', 'done after 60 ms', 'http']);
    expect(of('quick-1')).toEqual(['starting 0', 'done after 0 ms', 'http']);
    expect(lines.find((line) => line.requestId === 'slow-1' && line.msg === 'http')).toMatchObject({ level: 'info', method: 'GET', path: '/work/60', status: 200 });
  });

  it('carries it on the error the filter logs for a fault, and on the request line', async () => {
    await request(app.getHttpServer()).get('/work/fault').set('x-request-id', 'fault-1').expect(500);
    const logged = lines.filter((line) => line.requestId === 'fault-1');
    expect(logged.map((line) => [line.level, line.context])).toEqual([
      ['error', 'http'],
      ['error', undefined],
    ]);
    expect(logged[0].msg).toContain('a fault in the handler');
    expect(logged[1]).toMatchObject({ msg: 'http', status: 500 });
  });

  it('logs a report link’s path without its token (the token is the person’s login)', async () => {
    const http = request(app.getHttpServer());
    const token = 'Q2hhbmdlIG1lIQ-abcdefghijklmnopqrstuvwxyz_012';
    for (const [path, id] of [[`/r/${token}`, 'link-1'], [`/self-report/${token}/reports?x=1`, 'link-2'], ['/self-report/assets/self-report.js', 'link-3']]) {
      await http.get(path).set('x-request-id', id);
    }
    const paths = ['link-1', 'link-2', 'link-3'].map((id) => lines.find((line) => line.requestId === id && line.msg === 'http')?.path);
    expect(paths).toEqual(['/r/<token>', '/self-report/<token>/reports', '/self-report/assets/self-report.js']);
  });

  it('gives a request without an id one of its own, on its lines and in the answer', async () => {
    const answer = await request(app.getHttpServer()).get('/work/1').expect(200);
    const id = answer.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(of(id)).toEqual(['starting 1', 'done after 1 ms', 'http']);
  });

  it('leaves lines logged outside any request without one', () => {
    const before = lines.length;
    new Logger('work').warn('between requests');
    expect(lines.slice(before)).toEqual([{ time: expect.any(String), level: 'warn', msg: 'between requests', context: 'work' }]);
  });
});
