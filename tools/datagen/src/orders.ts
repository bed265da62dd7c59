import { DAYS } from './calendar';
import type { Random } from './prng';
import type { Scale } from './scale';

/**
 * Teddy Retailers' own words for an order's state, as its shop exports them: `open` (placed, not yet
 * paid), `paid`, `delivered`.
 */
export const ORDER_STATUSES = ['open', 'paid', 'delivered'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The shape of every order, held in typed arrays indexed by order (order_id - 1): at 10M
 * lines there are ~900k orders, and objects per order would cost far more memory.
 */
export interface OrderPlan {
  /** Index into DAYS; ascending, since order ids are handed out in date order. */
  day: Uint8Array;
  customerId: Int32Array;
  /** Index into ORDER_STATUSES. */
  status: Uint8Array;
  /** Order lines per order; 0 for the deliberately empty orders. */
  lineCount: Uint32Array;
  /** Customers that never order: none of the entries in customerId. */
  silentCustomers: number;
}

const VALENTINES = { from: '2026-02-07', to: '2026-02-14' };
const EASTER = { from: '2026-03-29', to: '2026-04-05' };

/**
 * Sales grow over the half-year, peak at weekends, and a teddy bear shop sells most in the
 * week before Valentine's Day and before Easter: visible bumps for the sales domain's charts.
 */
function dayWeight(index: number): number {
  const day = DAYS[index];
  if (!day) return 0;
  let weight = 1 + (0.35 * index) / (DAYS.length - 1);
  if (day.weekday === 0 || day.weekday === 6) weight *= 1.35;
  if (day.iso >= VALENTINES.from && day.iso <= VALENTINES.to) weight *= 2;
  if (day.iso >= EASTER.from && day.iso <= EASTER.to) weight *= 1.4;
  return weight;
}

function ordersPerDay(random: Random, orders: number): Uint32Array {
  const cumulative = new Float64Array(DAYS.length);
  let total = 0;
  for (let d = 0; d < DAYS.length; d++) cumulative[d] = total += dayWeight(d);
  const perDay = new Uint32Array(DAYS.length);
  for (let i = 0; i < orders; i++) {
    const target = random.next() * total;
    let lo = 0;
    let hi = DAYS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) <= target) lo = mid + 1;
      else hi = mid;
    }
    perDay[lo] = (perDay[lo] ?? 0) + 1;
  }
  return perDay;
}

/**
 * Every active customer orders at least once (so exactly `silentCustomers` have no order),
 * and the remaining orders lean towards a loyal minority, as repeat buyers do.
 */
function assignCustomers(random: Random, scale: Scale): Int32Array {
  const ids = new Int32Array(scale.customers);
  for (let i = 0; i < ids.length; i++) ids[i] = i + 1;
  random.shuffle(ids);
  const active = ids.subarray(scale.silentCustomers);
  const customerId = new Int32Array(scale.orders);
  for (let i = 0; i < customerId.length; i++) {
    customerId[i] =
      i < active.length
        ? (active[i] as number)
        : (active[Math.floor(active.length * random.next() ** 2)] as number);
  }
  random.shuffle(customerId);
  return customerId;
}

/**
 * Old orders are mostly delivered; the last days still have orders open or paid and on their way, and a
 * few old ones were never paid. One draw per order, whatever the outcome: the streams after it, and so
 * every other figure of the data, do not depend on how statuses are worded.
 */
function statusFor(random: Random, dayIndex: number): number {
  const age = DAYS.length - 1 - dayIndex;
  const r = random.next();
  let status: OrderStatus;
  if (r < 0.03) status = 'open';
  else if (age <= 2) status = r < 0.8 ? 'open' : 'paid';
  else if (age <= 10) status = r < 0.1 ? 'open' : r < 0.6 ? 'paid' : 'delivered';
  else status = 'delivered';
  return ORDER_STATUSES.indexOf(status);
}

/**
 * Each non-empty order gets one line, then the rest of the requested lines land on random
 * non-empty orders: the total is exactly `scale.lines`, ~11 per order on average.
 */
function distributeLines(random: Random, scale: Scale): Uint32Array {
  const lineCount = new Uint32Array(scale.orders).fill(1);
  const empty = new Set<number>();
  while (empty.size < scale.emptyOrders) empty.add(random.int(scale.orders));
  for (const index of empty) lineCount[index] = 0;
  const filled = new Int32Array(scale.orders - empty.size);
  for (let i = 0, k = 0; i < scale.orders; i++) if (lineCount[i] === 1) filled[k++] = i;
  if (scale.lines < filled.length) {
    throw new RangeError(`${scale.lines} lines cannot fill ${filled.length} orders`);
  }
  for (let extra = scale.lines - filled.length; extra > 0; extra--) {
    const index = filled[random.int(filled.length)] as number;
    lineCount[index] = (lineCount[index] ?? 0) + 1;
  }
  return lineCount;
}

export function planOrders(random: Random, scale: Scale): OrderPlan {
  const perDay = ordersPerDay(random, scale.orders);
  const day = new Uint8Array(scale.orders);
  const status = new Uint8Array(scale.orders);
  let next = 0;
  perDay.forEach((count, dayIndex) => {
    for (let k = 0; k < count; k++, next++) {
      day[next] = dayIndex;
      status[next] = statusFor(random, dayIndex);
    }
  });
  return {
    day,
    customerId: assignCustomers(random, scale),
    status,
    lineCount: distributeLines(random, scale),
    silentCustomers: scale.silentCustomers,
  };
}
