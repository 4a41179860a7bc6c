import { ApplicationFailure } from '@temporalio/workflow';
import type { FieldProblem } from '../../libs/domain/errors';

export type RejectionKind = 'invalid' | 'conflict' | 'not_found';

/**
 * How an update validator refuses a command: the kind becomes the failure type and the problems its
 * details, which the API's error filter turns into 422/409/404 naming each field.
 */
export function commandRejected(kind: RejectionKind, problems: FieldProblem[]): ApplicationFailure {
  return ApplicationFailure.create({ type: kind, message: problems.map((p) => `${p.field}: ${p.reason}`).join('; '), details: [problems], nonRetryable: true });
}
