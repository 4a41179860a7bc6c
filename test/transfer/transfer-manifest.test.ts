/** Pure pieces of a run: reading a manifest row by row, dispatcher moves on a shown plan, trip numbering while under way, live counts. */
import type { RunResources } from '../../libs/persistence/transfer/transfer-run.repository';
import { readManifest } from '../../libs/transfer/manifest';
import { DAY_START, transferDay } from '../../bench/transfer-plan-bench';
import { movePeople, PlanAdjustmentError, planTransferRun } from '../../workflows/transfer/transfer-planning';
import { countsOf, initialRunState } from '../../workflows/transfer/transfer-run.workflow';
import { freshResidentId } from '../support/observation-fixtures';

const resources: RunResources = {
  sortingPoint: { id: 'SP', name: 'Shunyi', address: 'Yuxiang Road 88' },
  vehicles: [{ id: 'V1', plate: '京B·1', seats: 4, driverName: 'Sun', driverContact: '139' }],
  escorts: [{ id: 'E1', name: 'Zhou', contact: '137' }],
  destinations: [
    { id: 'C1', kind: 'community', name: 'Xueyuan Road', travelMinutes: 30, capacity: null, receiver: 'duty', worker: '李娜' },
    { id: 'H1', kind: 'hotel', name: 'Jinjiang', travelMinutes: 40, capacity: 10, receiver: 'desk', worker: null },
  ],
};
const now = Date.UTC(2026, 10, 25, 2);
const options = { kind: 'standard' as const, utcOffsetMinutes: () => 480, now };
const arrival = new Date(now - 30 * 60_000).toISOString();
const homeRow = (extra = {}) => ({
  name: '张伟',
  documentNumber: freshResidentId(),
  mobile: '13800138000',
  arrivalTime: arrival,
  destinationId: 'C1',
  disposition: 'home_observation',
  address: { subdistrict: 'XYL', community: '学院路社区', building: '3', unit: '2' },
  ...extra,
});
const hotelRow = (extra = {}) => ({ name: 'John Smith', documentType: 'passport', documentNumber: 'E12345678', arrivalTime: arrival, destinationId: 'H1', disposition: 'centralized_quarantine', ...extra });

describe('reading a manifest', () => {
  it('accepts clean rows, giving each traveller an id, the community worker and no identity in the planner fields', () => {
    const { travellers, problems } = readManifest([homeRow(), hotelRow()], resources, options);
    expect(problems).toEqual([]);
    expect(travellers!.map((t) => [t.travellerId, t.planned.name, t.responsibleWorker])).toEqual([
      ['T001', 'T001', '李娜'],
      ['T002', 'T002', null],
    ]);
  });

  it('refuses a key-person flag that is neither true nor false (a spreadsheet cell read as text), naming its row', () => {
    const { travellers, problems } = readManifest([hotelRow({ keyPerson: true }), hotelRow({ documentNumber: 'E7654321', keyPerson: 'maybe' })], resources, options);
    expect(travellers).toBeUndefined();
    expect(problems).toEqual([{ field: 'travellers[1].keyPerson', reason: 'must be true or false' }]);
  });

  it('reports each bad row by field: enrolment fields for home-bound people, identity for everyone, the planner’s checks', () => {
    const id = freshResidentId();
    const { travellers, problems } = readManifest(
      [
        homeRow({ mobile: '123', address: { subdistrict: 'XYL' } }),
        hotelRow({ documentNumber: '' }),
        hotelRow({ disposition: 'home_observation', address: { subdistrict: 'XYL', community: 'x', building: '1', unit: '1' }, documentType: 'resident_id', documentNumber: id, mobile: '13800138000' }),
        hotelRow({ documentType: 'resident_id', documentNumber: id }),
        hotelRow({ arrivalTime: 'tomorrow' }),
      ],
      resources,
      options,
    );
    expect(travellers).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'travellers[0].mobile', reason: expect.stringContaining('mobile') },
        { field: 'travellers[0].address.community', reason: 'is required' },
        { field: 'travellers[1].documentNumber', reason: 'is required' },
        { field: 'travellers[2].disposition', reason: 'home_observation cannot go to hotel H1' },
        { field: 'travellers[3].documentNumber', reason: 'the same person as row 3' },
        { field: 'travellers[4].arrivalTime', reason: 'must be an ISO date-time' },
      ]),
    );
  });

  it('puts a key-person run’s people in one family that meets at the meeting time', () => {
    const at = now + 3_600_000;
    const { travellers } = readManifest([hotelRow({ arrivalTime: undefined }), hotelRow({ documentNumber: 'E87654321', arrivalTime: undefined })], resources, {
      ...options,
      kind: 'key_person',
      meeting: { point: 'checkpoint', at },
    });
    expect(travellers!.map((t) => t.planned)).toEqual([expect.objectContaining({ keyPerson: true, familyGroup: 'key-person', arrivalTime: at }), expect.objectContaining({ keyPerson: true, familyGroup: 'key-person', arrivalTime: at })]);
  });
});

describe('a run’s plan while under way', () => {
  const day = transferDay({ travellers: 245, vehicles: 8 });
  const plan = planTransferRun(day);

  it('moves a person between trips of a shown plan, keeping trip ids and times, refusing what breaks a rule', () => {
    const byId = new Map(day.travellers.map((t) => [t.travellerId, t]));
    const plain = (id: string) => !byId.get(id)!.keyPerson && !byId.get(id)!.familyGroup;
    const seats = new Map(day.vehicles.map((v) => [v.vehicleId, v.seats]));
    const [from, to] = plan.trips
      .flatMap((a) => plan.trips.map((b) => [a, b] as const))
      .find(([a, b]) => a !== b && a.destinationId === b.destinationId && b.departAt > a.departAt && b.travellerIds.length < seats.get(b.vehicleId)! && b.travellerIds.every(plain) && a.travellerIds.some(plain))!;
    const mover = from.travellerIds.find(plain)!;
    const moved = movePeople(plan, [{ travellerId: mover, toTripId: to.tripId }], day);
    expect(moved.trips.find((t) => t.tripId === to.tripId)).toMatchObject({ departAt: to.departAt, travellerIds: [...to.travellerIds, mover] });
    // The plan shown is untouched.
    expect(plan.trips.find((t) => t.tripId === from.tripId)!.travellerIds).toContain(mover);
    const elsewhere = plan.trips.find((t) => t.destinationId !== from.destinationId)!;
    expect(() => movePeople(plan, [{ travellerId: mover, toTripId: elsewhere.tripId }], day)).toThrow(PlanAdjustmentError);
  });

  it('numbers the trips of a re-plan after every trip the run ever had', () => {
    const later = planTransferRun({ ...day, travellers: day.travellers.slice(0, 3), startAt: DAY_START, firstTripNumber: 40 });
    expect(later.trips[0].tripId).toBe('trip-40');
  });

  it('counts every person in exactly one state', () => {
    const state = initialRunState({
      runId: 'r',
      kind: 'standard',
      dispatcher: 'd',
      supervisor: 's',
      ...day,
      rules: {},
      plan,
      dispatchNow: true,
      utcOffsetMinutes: 480,
    });
    state.travellers[plan.trips[0].travellerIds[0]].status = 'handed_over';
    state.travellers[plan.trips[0].travellerIds[1]].status = 'no_show';
    expect(countsOf(state)).toEqual({ travellers: 245, waiting: 243, onBoard: 0, arrived: 0, handedOver: 1, exceptions: 1, closed: 0, openExceptions: 0 });
  });
});
