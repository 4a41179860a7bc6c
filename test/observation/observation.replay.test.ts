import * as path from 'node:path';
import { describeRecordedHistories } from '../support/replay';

describeRecordedHistories('observation and policy rollout', path.join(__dirname, 'histories'));
