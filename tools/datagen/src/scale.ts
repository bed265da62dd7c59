/** The default run: 45,000 order lines, the size the demo was designed around. */
export const DEFAULT_LINES = 45_000;
export const DEFAULT_SEED = 42;
/** Small enough that every quirk still has room to appear at least a few times. */
export const MIN_LINES = 100;
/** The largest size that is measured and supported (bounded memory, well under a minute). */
export const MAX_LINES = 10_000_000;

/** How many rows each table gets and how many rows carry each quirk. */
export interface Scale {
  lines: number;
  products: number;
  /** Products that are in the catalogue but never get a stock entry. */
  unstockedProducts: number;
  customers: number;
  /** Customers that never place an order. */
  silentCustomers: number;
  orders: number;
  /** Orders that have no order lines at all. */
  emptyOrders: number;
  /** Share of order lines that reuse an earlier transaction_id. */
  repeatedTransactionShare: number;
}

/**
 * Everything is derived from the line count so one knob sizes the whole company:
 * ~11 lines per order and ~45 lines per customer, while the catalogue only grows with the
 * square root of the scale (50, 100, ... 750 products at 10M lines) because a retailer's
 * range grows much slower than its sales.
 */
export function scaleFor(lines: number): Scale {
  if (!Number.isInteger(lines) || lines < MIN_LINES || lines > MAX_LINES) {
    throw new RangeError(
      `lines must be an integer from ${MIN_LINES} to ${MAX_LINES}, got ${String(lines)}`,
    );
  }
  const factor = lines / DEFAULT_LINES;
  const products = 50 * Math.ceil(Math.sqrt(factor));
  const customers = Math.max(20, Math.round(lines / 45));
  const orders = Math.max(10, Math.round(lines / 11));
  return {
    lines,
    products,
    unstockedProducts: Math.max(2, Math.round(products * 0.04)),
    customers,
    silentCustomers: Math.round(customers * 0.1),
    orders,
    emptyOrders: Math.max(3, Math.round(orders * 0.002)),
    repeatedTransactionShare: 0.01,
  };
}
