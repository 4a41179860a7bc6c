/**
 * Observations run for 14 days, so a deploy meets histories written by the code before it. Each
 * file in histories/ was recorded by earlier workflow code (capture-observation-history.ts); today's
 * code must replay it to the same commands, or running observations would fail on the next task.
 * They were recorded before payloads were encrypted: they replay on a worker that refuses plaintext
 * messages from clients, as every worker does.
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../libs/config/config';
import { workerDataConverter } from '../../libs/temporal/connection';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../libs/temporal/worker-launch';

const HISTORIES = path.join(__dirname, 'histories');

describe('observation workflow: histories from earlier code replay', () => {
  const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (file) => {
    // protobufjs's own object form: the SDK's historyFromJSON trips over its two protobufjs copies here.
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
    const refusing = loadConfig({ ...process.env, EPI_REFUSE_PLAINTEXT_PAYLOADS: 'true' }).temporal;
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../workflows'), interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }, dataConverter: workerDataConverter(refusing) },
      history,
      path.basename(file, '.json'),
    );
  });
});
