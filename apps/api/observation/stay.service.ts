import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { assertCovers, Jurisdiction } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { conflict, invalidAll, notFound } from '../../../libs/domain/errors';
import { parseUuid } from '../../../libs/domain/ids';
import { validateMove } from '../../../libs/domain/person/enrolment';
import { Page, pageOf, PageQuery } from '../../../libs/nest/paging';
import { StayRecord, StayRepository, StayStatus } from '../../../libs/persistence/observation/stay.repository';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { unlessGone } from '../../../libs/temporal/workflow-calls';
import { handBackUpdate, HAND_BACK_UPDATE_ID, stayWorkflowId } from '../../../workflows/observation/quarantine-stay.messages';
import { HandBackDto, StayDto, stayOf } from './stay.dto';

/** Quarantine stays at hotels (workflows/observation/quarantine-stay.workflow.ts): read from PostgreSQL, handed back through their workflow. */
@Injectable()
export class StayService {
  constructor(
    private readonly stays: StayRepository,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
  ) {}

  /** A page of the stays of a place (already narrowed to the caller's), of one hotel or status if asked, latest first. */
  async list(filter: Partial<Jurisdiction> & { hotelId?: string; status?: StayStatus }, query: PageQuery): Promise<Page<StayDto>> {
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await this.stays.page(filter, { offset, pageSize });
    return { items: items.map(stayOf), page, pageSize, total };
  }

  async detail(id: string): Promise<StayDto> {
    return stayOf(await this.stay(id));
  }

  /**
   * Sends the person home for the days left: the stay's workflow ends its health checks, checks out
   * of the room and enrols the home observation with the stay's anchor date, once (a repeat, or a
   * retry of a hand-back that went through, answers the stay as it was handed back).
   */
  async handBack(id: string, body: HandBackDto, actor: Principal): Promise<StayDto> {
    const stay = await this.stay(id);
    if (stay.status === 'handed_back') return stayOf(stay);
    if (stay.status !== 'in_room') throw conflict(`the stay has ended: ${stay.status.replace('_', ' ')}`, {}, [{ field: 'id', reason: `the stay is ${stay.status.replace('_', ' ')}` }]);
    // The address is judged as a move's is: the person's record moves home with them.
    const { move, problems } = validateMove({ documentType: stay.documentType, documentNumber: stay.documentNumber, address: body.address });
    if (!move) throw invalidAll(problems);
    assertCovers(actor, move.address, 'the home address');
    const command = { address: move.address, responsibleWorker: body.responsibleWorker, by: body.by, note: body.note, scope: { subdistrict: actor.subdistrict, community: actor.community } };
    await unlessGone(this.client.workflow.getHandle(stayWorkflowId(stay.id)).executeUpdate(handBackUpdate, { args: [command], updateId: HAND_BACK_UPDATE_ID }), () => undefined);
    const after = await this.stay(stay.id);
    if (after.status !== 'handed_back') throw conflict(`the stay has ended: ${after.status.replace('_', ' ')}`, {}, [{ field: 'id', reason: `the stay is ${after.status.replace('_', ' ')}` }]);
    return stayOf(after);
  }

  private async stay(id: string): Promise<StayRecord> {
    const uuid = parseUuid(id);
    const stay = uuid && (await this.stays.get(uuid));
    if (!stay) throw notFound('stay', id);
    return stay;
  }
}
