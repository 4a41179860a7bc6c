import { Inject, Injectable } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ObservationPolicyService } from '../../libs/observation/observation-policy.service';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { unlessGone } from '../../libs/temporal/workflow-calls';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { changePolicyUpdate, observationWorkflowId } from '../../workflows/observation/observation.messages';
import type { PolicyRolloutInput } from '../../workflows/observation/policy-rollout.workflow';

@Injectable()
export class PolicyRolloutActivities {
  constructor(
    private readonly observations: ObservationRepository,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly policies: ObservationPolicyService,
  ) {}

  /** The open observations of the policy's category in the selected jurisdiction, not yet on it. */
  async selectObservationsForPolicy(input: PolicyRolloutInput): Promise<string[]> {
    const policy = await this.policies.get(input.policyId);
    return (await this.observations.openNotOnPolicy(policy.category, policy.id, input)).map((o) => o.number);
  }

  /**
   * One observation's move (the workflow's validated update); a refusal is a result, not an error.
   * The update's id is the rollout's and the observation's, so this activity retried after its move
   * was taken gets that move's answer, not a refusal ("already on" the policy) counted as not moved.
   */
  async moveObservationToPolicy(input: { number: string; policyId: string; by: string }): Promise<{ moved: true } | { moved: false; reason: string }> {
    const policy = await this.policies.get(input.policyId);
    const rollout = Context.current().info.workflowExecution;
    const updateId = rollout && `${rollout.workflowId}:${input.number}`;
    try {
      const moved = this.client.workflow.getHandle(observationWorkflowId(input.number)).executeUpdate(changePolicyUpdate, { args: [{ policy, by: input.by }], updateId });
      return await unlessGone(
        moved.then(() => ({ moved: true }) as const),
        () => ({ moved: false, reason: 'observation has ended' }) as const,
      );
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) return { moved: false, reason: (error.cause as Error)?.message ?? error.message };
      throw error;
    }
  }
}
