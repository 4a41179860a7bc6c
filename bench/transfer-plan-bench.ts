/**
 * Transfer-run planning benchmark on synthetic days shaped like the record day (245 people,
 * 8 vehicles, 21 trips in 24 h). Run: npx ts-node --transpile-only bench/transfer-plan-bench.ts
 * The day generator is exported for the tests, so both look at the same kind of day.
 */
import { Destination, Escort, planTransferRun, TransferPlanInput, Traveller, Vehicle } from '../workflows/transfer/transfer-planning';
import { HOUR, MINUTE } from '../libs/domain/local-time';

export interface TransferDaySize {
  travellers: number;
  vehicles: number;
}

export interface TransferPlanBenchRow extends TransferDaySize {
  trips: number;
  seatsUsed: number;
  seatsOffered: number;
  maxWaitMinutes: number;
  /** Median over the runs. */
  planMs: number;
}

/** 2022-04-03 00:00 at UTC+8. */
export const DAY_START = Date.UTC(2022, 3, 2, 16);
/** Minibuses and a coach, as a district transfer fleet is usually made up. */
const FLEET_SEATS = [14, 19, 14, 33, 14, 19, 14, 19];
/** Trains and flights land in waves; people reach the sorting point within ~40 min of their wave. */
const WAVES = 12;

/** mulberry32: a seeded generator so every run plans the same day. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks index k with weight 1/(k+1): a few destinations take most people, as on real days. */
function skewedPick(random: () => number, count: number): number {
  const total = Array.from({ length: count }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let k = 0; k < count; k++) {
    r -= 1 / (k + 1);
    if (r <= 0) return k;
  }
  return count - 1;
}

function destinationsFor(travellers: number, random: () => number): Destination[] {
  const count = Math.max(10, Math.round(travellers / 25));
  const hotels = Math.ceil(count * 0.3);
  return Array.from({ length: count }, (_, i) => {
    const kind = i < hotels ? 'hotel' : 'community';
    return {
      destinationId: `${kind}-${String(i + 1).padStart(3, '0')}`,
      kind,
      name: `${kind === 'hotel' ? 'Quarantine hotel' : 'Community'} ${i + 1}`,
      travelMinutes: 15 + Math.floor(random() * 46),
      // Rooms to spare: the record day was limited by vehicles, not rooms.
      capacity: kind === 'hotel' ? travellers : undefined,
    };
  });
}

/** Centralized quarantine (overseas arrivals) for ~60%, home observation for the rest; families share wave and destination. */
function travellersFor(count: number, destinations: Destination[], random: () => number): Traveller[] {
  const hotels = destinations.filter((d) => d.kind === 'hotel');
  const communities = destinations.filter((d) => d.kind === 'community');
  const waveTimes = Array.from({ length: WAVES }, (_, w) => DAY_START + w * (24 / WAVES) * HOUR + Math.floor(random() * 60) * MINUTE);
  const travellers: Traveller[] = [];
  while (travellers.length < count) {
    const toHotel = random() < 0.6;
    const pool = toHotel ? hotels : communities;
    const destination = pool[skewedPick(random, pool.length)];
    const wave = waveTimes[Math.floor(random() * WAVES)];
    const familySize = random() < 0.12 ? 2 + Math.floor(random() * 3) : 1;
    const familyGroup = familySize > 1 ? `family-${travellers.length + 1}` : undefined;
    for (let m = 0; m < familySize && travellers.length < count; m++) {
      const n = travellers.length + 1;
      travellers.push({
        travellerId: `T${String(n).padStart(5, '0')}`,
        name: `Traveller ${n}`,
        arrivalTime: wave + Math.floor(random() * 40) * MINUTE,
        destinationId: destination.destinationId,
        disposition: toHotel ? 'centralized_quarantine' : 'home_observation',
        keyPerson: familySize === 1 && random() < 0.02,
        familyGroup,
      });
    }
  }
  return travellers;
}

/** A deterministic synthetic day of the given size. */
export function transferDay(size: TransferDaySize, seed = 20220403): TransferPlanInput {
  const random = seededRandom(seed);
  const destinations = destinationsFor(size.travellers, random);
  const vehicles: Vehicle[] = Array.from({ length: size.vehicles }, (_, i) => ({
    vehicleId: `V${String(i + 1).padStart(3, '0')}`,
    plate: `沪A·${String(10000 + i)}`,
    seats: FLEET_SEATS[i % FLEET_SEATS.length],
    availableFrom: DAY_START,
    available: true,
  }));
  // Two escorts per vehicle: one rides, one rests or takes a key person.
  const escorts: Escort[] = Array.from({ length: size.vehicles * 2 }, (_, i) => ({ escortId: `E${String(i + 1).padStart(3, '0')}`, name: `Escort ${i + 1}`, availableFrom: DAY_START }));
  return { travellers: travellersFor(size.travellers, destinations, random), vehicles, escorts, destinations };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function runTransferPlanBench(
  sizes: TransferDaySize[] = [
    { travellers: 245, vehicles: 8 },
    { travellers: 5000, vehicles: 100 },
  ],
  runs = 9,
): TransferPlanBenchRow[] {
  return sizes.map((size) => {
    const input = transferDay(size);
    planTransferRun(input); // warm-up: the first run pays for JIT compilation
    const times: number[] = [];
    let plan = planTransferRun(input);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      plan = planTransferRun(input);
      times.push(performance.now() - started);
    }
    const { trips, seatsUsed, seatsOffered, maxWaitMinutes } = plan.stats;
    return { ...size, trips, seatsUsed, seatsOffered, maxWaitMinutes, planMs: median(times) };
  });
}

if (require.main === module) {
  console.table(
    runTransferPlanBench().map((row) => ({
      travellers: row.travellers,
      vehicles: row.vehicles,
      trips: row.trips,
      'seats used / offered': `${row.seatsUsed} / ${row.seatsOffered}`,
      'max wait min': Math.round(row.maxWaitMinutes),
      'plan ms (median)': Number(row.planMs.toFixed(2)),
    })),
  );
}
