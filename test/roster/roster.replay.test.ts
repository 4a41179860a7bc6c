import * as path from 'node:path';
import { describeRecordedHistories } from '../support/replay';

describeRecordedHistories('shift and roster roll-forward', path.join(__dirname, 'histories'));
