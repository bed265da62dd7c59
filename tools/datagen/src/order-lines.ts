import type { CsvWriter } from './csv-writer';
import type { OrderPlan } from './orders';
import type { Random } from './prng';

/** How far back a repeated transaction_id reaches: the source system reused recent ids. */
const REUSE_WINDOW = 5_000;

/**
 * A popularity ranking: a product's chance of being picked falls with its rank (u^1.5 over
 * the ranking), so the best seller takes ~7% of lines at 50 products, as in real sales.
 */
export function popularity(random: Random, productIds: readonly number[]): Int32Array {
  const ranked = Int32Array.from(productIds);
  random.shuffle(ranked);
  return ranked;
}

export function quantity(random: Random): number {
  const r = random.next();
  if (r < 0.72) return 1;
  if (r < 0.92) return 2;
  return random.between(3, 6);
}

/**
 * Streams order lines straight into the writer of each order (one file, or a file per month),
 * order by order. This is the only table that reaches millions of rows, so it uses the fast
 * PRNG and pre-formatted rows, and it waits on the writer whenever a chunk is full so memory
 * stays flat at any size.
 */
export async function writeOrderLines(
  random: Random,
  plan: OrderPlan,
  productIds: readonly number[],
  repeatedShare: number,
  writerFor: (order: number) => CsvWriter,
): Promise<void> {
  const ranked = popularity(random, productIds);
  const products = ranked.length;
  let nextTransaction = 1;
  for (let order = 0; order < plan.lineCount.length; order++) {
    const lines = plan.lineCount[order] as number;
    const orderId = order + 1;
    const writer = writerFor(order);
    for (let k = 0; k < lines; k++) {
      let transactionId: number;
      if (nextTransaction > 1 && random.next() < repeatedShare) {
        transactionId = random.between(Math.max(1, nextTransaction - REUSE_WINDOW), nextTransaction - 1);
      } else {
        transactionId = nextTransaction++;
      }
      const u = random.next();
      const productId = ranked[Math.floor(products * u * Math.sqrt(u))] as number;
      writer.rawRow(`${transactionId},${orderId},${productId},${quantity(random)}\n`);
    }
    if (writer.full) await writer.flush();
  }
}
