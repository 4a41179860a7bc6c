import { jsonLine } from '../../libs/temporal/runtime';

describe('worker log lines', () => {
  it('writes each SDK entry as one JSON line carrying the workflow id from its metadata', () => {
    const out: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation(((chunk: string) => out.push(`${stream === process.stderr ? 'err' : 'out'} ${chunk}`) > 0) as typeof stream.write),
    );
    try {
      const at = BigInt(Date.parse('2026-11-25T08:00:00Z')) * 1_000_000n;
      jsonLine({ level: 'INFO', message: 'observation escalation', timestampNanos: at, meta: { workflowId: 'observation-XYL-A-000001', runId: 'r1', kind: 'escalation' } });
      jsonLine({ level: 'WARN', message: 'Activity failed', timestampNanos: at, meta: { workflowId: 'shift-s1', attempt: 2n, error: new Error('connect ECONNREFUSED') } });
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    expect(out[0].startsWith('out ')).toBe(true);
    expect(JSON.parse(out[0].slice(4))).toEqual({ time: '2026-11-25T08:00:00.000Z', level: 'info', msg: 'observation escalation', workflowId: 'observation-XYL-A-000001', runId: 'r1', kind: 'escalation' });
    expect(out[1].startsWith('err ')).toBe(true);
    expect(JSON.parse(out[1].slice(4))).toMatchObject({ level: 'warn', workflowId: 'shift-s1', attempt: '2', error: { name: 'Error', message: 'connect ECONNREFUSED' } });
  });
});
