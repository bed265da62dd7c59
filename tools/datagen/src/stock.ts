import { MONTH_COUNT, daysOfMonth, isoDate } from './calendar';
import type { Product } from './catalog';
import type { Random } from './prng';

export interface StockEntry {
  entry_id: number;
  product_id: number;
  product_quantity: number;
  purchase_price_cents: number;
  entry_date: string;
}

/** Deliveries come in cartons of six. */
export const CARTON = 6;

/** Supplier prices wander between 40% and 65% of the shelf price from one delivery to the next. */
export function purchasePrice(random: Random, priceCents: number): number {
  const cents = Math.round(priceCents * (0.4 + 0.25 * random.next()));
  return Math.min(Math.max(cents, 1), priceCents - 1);
}

/**
 * Two to four deliveries per product per month, on distinct days, so the inventory domain
 * has to aggregate several entries per product and month. Products in `unstocked` never get
 * an entry: they are listed and can be sold, but the warehouse never recorded a delivery.
 */
export function generateStock(
  random: Random,
  products: readonly Product[],
  unstocked: ReadonlySet<number>,
): StockEntry[] {
  const drafts: { day: number; product: Product }[] = [];
  for (let month = 0; month < MONTH_COUNT; month++) {
    const days = daysOfMonth(month);
    for (const product of products) {
      if (unstocked.has(product.product_id)) continue;
      random.shuffle(days);
      const deliveries = random.between(2, 4);
      for (let k = 0; k < deliveries; k++) drafts.push({ day: days[k] as number, product });
    }
  }
  // The source system numbers entries in the order they were booked: by date.
  drafts.sort((a, b) => a.day - b.day || a.product.product_id - b.product.product_id);
  return drafts.map(({ day, product }, index) => ({
    entry_id: index + 1,
    product_id: product.product_id,
    product_quantity: CARTON * random.between(2, 30),
    purchase_price_cents: purchasePrice(random, product.price_cents),
    entry_date: isoDate(day),
  }));
}

/** Which products never get stock: a few, spread over the range by the PRNG. */
export function pickUnstocked(random: Random, products: readonly Product[], count: number): Set<number> {
  const ids = products.map((product) => product.product_id);
  random.shuffle(ids);
  return new Set(ids.slice(0, count));
}
