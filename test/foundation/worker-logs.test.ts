import { Logger } from '@nestjs/common';
import { jsonLogger } from '../../libs/nest/json-logger';
import { sdkLogLine } from '../../libs/temporal/runtime';

/** What `write` puts on stdout and stderr meanwhile, each line as `out …` or `err …`. */
function captured(write: () => void): string[] {
  const out: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation(((chunk: string) => out.push(`${stream === process.stderr ? 'err' : 'out'} ${chunk}`) > 0) as typeof stream.write),
  );
  try {
    write();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return out;
}

describe('log lines of the worker and the API', () => {
  it('writes each SDK entry as one JSON line carrying the workflow id from its metadata', () => {
    const at = BigInt(Date.parse('2026-11-25T08:00:00Z')) * 1_000_000n;
    const out = captured(() => {
      sdkLogLine({ level: 'INFO', message: 'observation escalation', timestampNanos: at, meta: { workflowId: 'observation-XYL-A-000001', runId: 'r1', kind: 'escalation' } });
      sdkLogLine({ level: 'WARN', message: 'Activity failed', timestampNanos: at, meta: { workflowId: 'shift-s1', attempt: 2n, error: new Error('connect ECONNREFUSED') } });
    });
    expect(out[0].startsWith('out ')).toBe(true);
    expect(JSON.parse(out[0].slice(4))).toEqual({ time: '2026-11-25T08:00:00.000Z', level: 'info', msg: 'observation escalation', workflowId: 'observation-XYL-A-000001', runId: 'r1', kind: 'escalation' });
    expect(out[1].startsWith('err ')).toBe(true);
    expect(JSON.parse(out[1].slice(4))).toEqual({ time: '2026-11-25T08:00:00.000Z', level: 'warn', msg: 'Activity failed', workflowId: 'shift-s1', attempt: '2', error: { name: 'Error', message: 'connect ECONNREFUSED' } });
  });

  it("writes Nest's own lines (the services' Loggers, Nest's errors) in the same shape, with their context and stack", () => {
    const logger = jsonLogger();
    const failure = new Error('relation "observation" does not exist');
    const out = captured(() => {
      Logger.overrideLogger(logger);
      new Logger('import').warn('import 7: workflow not started yet');
      new Logger('http').error('a fault of the API', failure.stack);
      new Logger('users').log('left out: Nest logs errors and warnings only');
    });
    Logger.overrideLogger(false);
    expect(out).toHaveLength(2);
    const [warn, error] = out.map((line) => ({ stream: line.slice(0, 3), line: JSON.parse(line.slice(4)) }));
    expect(warn).toEqual({ stream: 'err', line: { time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), level: 'warn', msg: 'import 7: workflow not started yet', context: 'import' } });
    expect(error).toEqual({ stream: 'err', line: { time: expect.any(String), level: 'error', msg: 'a fault of the API', context: 'http', stack: failure.stack } });
  });
});
