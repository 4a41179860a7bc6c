import { Inject, Injectable } from '@nestjs/common';
import type { Jurisdiction } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { notFound } from '../../../libs/domain/errors';
import { parseUuid } from '../../../libs/domain/ids';
import { Page, pageOf, PageQuery } from '../../../libs/nest/paging';
import { homeObservationEnrolment } from '../../../libs/observation/arrival-enrolment';
import { EnrolmentService } from '../../../libs/observation/enrolment.service';
import { HandOverState, IncomingHandOverRepository } from '../../../libs/persistence/observation/incoming-hand-over.repository';
import { IncomingHandOverDto, incomingHandOverOf } from './observation.responses';

/**
 * Travellers a transfer run of another jurisdiction took home here (transfer.activities.ts,
 * admitAfterHandOver): listed for the home jurisdiction, and enrolled by it when it accepts one,
 * with its own responsible worker.
 */
@Injectable()
export class IncomingHandOverService {
  constructor(
    private readonly handOvers: IncomingHandOverRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly enrolment: EnrolmentService,
  ) {}

  /** A page of the hand-overs of a jurisdiction (already narrowed to the caller's), newest first. */
  async list(place: Partial<Jurisdiction>, state: HandOverState, query: PageQuery): Promise<Page<IncomingHandOverDto>> {
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await this.handOvers.page(place, state, { offset, pageSize });
    return { items: items.map(incomingHandOverOf), page, pageSize, total };
  }

  /** Takes the traveller over: enrols them here (once, whatever the retries) and records who accepted. */
  async accept(id: string, responsibleWorker: string, actor: Principal): Promise<IncomingHandOverDto> {
    const uuid = parseUuid(id);
    const handOver = uuid && (await this.handOvers.byId(uuid));
    if (!handOver) throw notFound('incoming hand-over', id);
    const enrolled = await this.enrolment.enrol(homeObservationEnrolment(handOver, this.config.timeZone, responsibleWorker), actor);
    await this.handOvers.accept(handOver.id, enrolled.observationNumber, actor.username);
    return incomingHandOverOf((await this.handOvers.byId(handOver.id))!);
  }
}
