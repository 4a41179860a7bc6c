import * as path from 'node:path';
import { describeRecordedHistories } from '../support/replay';

describeRecordedHistories('transfer run and trip', path.join(__dirname, 'histories'));
