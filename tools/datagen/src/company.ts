import { generateCatalog, type Product } from './catalog';
import { generateCustomers, type Customer } from './customers';
import { seededFaker } from './fake';
import { planOrders, type OrderPlan } from './orders';
import { deriveSeed, streamFor } from './prng';
import { DEFAULT_LINES, DEFAULT_SEED, scaleFor, type Scale } from './scale';
import { generateStock, pickUnstocked, type StockEntry } from './stock';

export interface CompanyOptions {
  /** Integer from 0 to 2^32 - 1. Default 42. */
  seed?: number;
  /** Order lines to generate, 100 to 10,000,000; every other table is sized from it. Default 45,000. */
  lines?: number;
}

/** Everything of the half-year history but the order lines, which are streamed as they are written. */
export interface Company {
  seed: number;
  scale: Scale;
  products: Product[];
  unstocked: Set<number>;
  stock: StockEntry[];
  /** A fresh pass over the customers each call: they are generated as they are written. */
  customers(): Iterable<Customer>;
  plan: OrderPlan;
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${String(seed)}`);
  }
  return seed;
}

/**
 * Teddy Retailers' history for a seed and a size. Every table draws from its own stream derived
 * from the seed, so the same seed and options give the same company however its files are laid out.
 */
export function planCompany(options: CompanyOptions): Company {
  const seed = checkSeed(options.seed ?? DEFAULT_SEED);
  const scale = scaleFor(options.lines ?? DEFAULT_LINES);
  const products = generateCatalog(seededFaker(deriveSeed(seed, 'catalog')), scale.products);
  const unstocked = pickUnstocked(streamFor(seed, 'unstocked'), products, scale.unstockedProducts);
  const stock = generateStock(streamFor(seed, 'stock'), products, unstocked);
  return {
    seed,
    scale,
    products,
    unstocked,
    stock,
    customers: () => generateCustomers(seededFaker(deriveSeed(seed, 'customers')), streamFor(seed, 'tricky-names'), scale.customers),
    plan: planOrders(streamFor(seed, 'orders'), scale),
  };
}
