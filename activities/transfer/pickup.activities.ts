import { Injectable } from '@nestjs/common';
import { DomainError } from '../../libs/domain/errors';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { PersonRepository } from '../../libs/persistence/observation/person.repository';
import { TransferResourceRepository } from '../../libs/persistence/transfer/transfer-resource.repository';
import { TransferRunStarter } from '../../libs/transfer/run-starter';
import type { Pickup } from '../../workflows/observation/observation.messages';

export interface PickupRequest {
  number: string;
  reason: Pickup['reason'];
  /** Names the decision (`e<n>-<reason>` for an escalation, `ladder` for the measure): with the number, the run's id. */
  decisionKey: string;
  /** The supervisor who decided: the run's supervisor. */
  by: string;
  /** Epoch ms of the decision: the person is ready at the door from then. */
  at: number;
}

/** The run started (or found started by an earlier try), or why none could be. */
export type PickupStart = { runId: string } | { problem: string };

/** One run per observation and decision, however often the activity is retried. */
export function pickupRunId(number: string, decisionKey: string): string {
  return `pickup-${number}-${decisionKey}`;
}

/** The activity an observation's hospital or centralized-quarantine decision starts its pick-up run with. */
@Injectable()
export class PickupActivities {
  constructor(
    private readonly observations: ObservationRepository,
    private readonly persons: PersonRepository,
    private readonly resources: TransferResourceRepository,
    private readonly runs: TransferRunStarter,
  ) {}

  /**
   * A transfer run from the person's home to a hospital, or to a hotel (the centralized quarantine
   * site), in or near their subdistrict, dispatched at once; its trip tells the observation of the
   * hand-over. No destination, vehicle or escort, or a run the planner refuses: the problem, nothing recorded.
   */
  async startPickupRun(request: PickupRequest): Promise<PickupStart> {
    const observation = await this.observations.record(request.number);
    const person = observation && (await this.persons.byId(observation.personId));
    if (!observation || !person) return { problem: `observation ${request.number} is not recorded` };
    const kind = request.reason === 'hospital' ? 'hospital' : 'hotel';
    const found = await this.resources.forPickup(kind, observation.subdistrict);
    const missing = [
      !found.destinationId && `no ${kind} with room`,
      !found.vehicleId && 'no vehicle available',
      !found.escortId && 'no escort available',
      !found.sortingPointId && 'no sorting point to send the vehicle from',
    ].filter(Boolean);
    if (missing.length) return { problem: missing.join('; ') };
    const runId = pickupRunId(request.number, request.decisionKey);
    try {
      await this.runs.start(
        {
          requestId: runId,
          subdistrict: observation.subdistrict,
          sortingPointId: found.sortingPointId!,
          dispatcher: `dispatcher@${observation.subdistrict}`,
          supervisor: request.by,
          vehicleIds: [found.vehicleId!],
          escortIds: [found.escortId!],
          dispatch: true,
          travellers: [
            {
              name: person.name,
              documentType: person.documentType,
              documentNumber: person.documentNumber,
              mobile: person.mobile,
              arrivalTime: new Date(request.at).toISOString(),
              destinationId: found.destinationId,
              disposition: request.reason,
              pickup: true,
              address: { subdistrict: person.subdistrict, community: person.community, building: person.building, unit: person.unit, detail: person.addressDetail ?? '' },
            },
          ],
        },
        request.at,
        { runId, observationNumber: request.number },
      );
      return { runId };
    } catch (error) {
      if (error instanceof DomainError && error.kind !== 'unavailable') return { problem: [error.message, ...error.problems.map((p) => `${p.field}: ${p.reason}`)].join('; ') };
      throw error;
    }
  }
}
