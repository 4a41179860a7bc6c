import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { ObservationPolicyService } from '../../libs/observation/observation-policy.service';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { changePolicyUpdate, observationWorkflowId } from '../../workflows/observation/observation.messages';
import type { PolicyRolloutInput } from '../../workflows/observation/policy-rollout.workflow';

@Injectable()
export class PolicyRolloutActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly policies: ObservationPolicyService,
  ) {}

  /** The open observations of the policy's category in the selected jurisdiction, not yet on it. */
  async selectObservationsForPolicy(input: PolicyRolloutInput): Promise<string[]> {
    const policy = await this.policies.get(input.policyId);
    const rows = await this.dataSource.query(
      `SELECT number FROM observation WHERE category = $1 AND status IN ('active', 'escalated') AND policy_id <> $2
         AND ($3::text IS NULL OR subdistrict = $3) AND ($4::text IS NULL OR community = $4) ORDER BY number`,
      [policy.category, policy.id, input.subdistrict ?? null, input.community ?? null],
    );
    return rows.map((r: { number: string }) => r.number);
  }

  /** One observation's move (the workflow's validated update); a refusal is a result, not an error. */
  async moveObservationToPolicy(input: { number: string; policyId: string; by: string }): Promise<{ moved: true } | { moved: false; reason: string }> {
    const policy = await this.policies.get(input.policyId);
    try {
      await this.client.workflow.getHandle(observationWorkflowId(input.number)).executeUpdate(changePolicyUpdate, { args: [{ policy, by: input.by }] });
      return { moved: true };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { moved: false, reason: 'observation has ended' };
      if (error instanceof WorkflowUpdateFailedError) return { moved: false, reason: (error.cause as Error)?.message ?? error.message };
      throw error;
    }
  }
}
