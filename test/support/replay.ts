/**
 * Workflows run for days, so a deploy meets histories written by the code before it. Each file in a
 * family's histories/ folder was recorded by earlier workflow code (scripts/record-histories.ts);
 * today's code must replay it to the same commands, or running workflows would fail on their next task.
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../libs/config/config';
import { workerDataConverter } from '../../libs/temporal/connection';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../libs/temporal/worker-launch';

export function describeRecordedHistories(family: string, folder: string): void {
  describe(`${family} workflows: histories recorded by earlier code replay`, () => {
    const files = readdirSync(folder)
      .filter((file) => file.endsWith('.json'))
      .sort();
    const results = new Map<string, Error | undefined>();

    beforeAll(async () => {
      const histories = files.map((file) => ({
        workflowId: path.basename(file, '.json'),
        // protobufjs's own object form: the SDK's historyFromJSON trips over its two protobufjs copies here.
        history: temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(folder, file), 'utf8'))),
      }));
      // One replay worker (one workflow bundle) for the whole folder, as every worker runs: refusing
      // plaintext messages from clients (histories recorded before encryption still replay).
      const refusing = loadConfig({ ...process.env, EPI_REFUSE_PLAINTEXT_PAYLOADS: 'true' }).temporal;
      const options = { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }, dataConverter: workerDataConverter(refusing) };
      for await (const result of Worker.runReplayHistories(options, histories)) results.set(result.workflowId, result.error);
    });

    it('has recorded histories to replay', () => {
      expect(files.length).toBeGreaterThan(0);
    });

    it.each(files)('%s', (file) => {
      const name = path.basename(file, '.json');
      expect(results.has(name)).toBe(true);
      const error = results.get(name);
      if (error) throw error;
    });
  });
}
