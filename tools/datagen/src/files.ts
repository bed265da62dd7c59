/**
 * The raw source files and their columns, in file order. The domains' source definitions
 * read these files, so names and column order are part of this package's contract.
 */
export const SOURCE_FILES = {
  source_catalog: {
    file: 'source_catalog.csv',
    columns: ['product_id', 'product_name', 'product_category', 'price_cents'],
  },
  source_stock: {
    file: 'source_stock.csv',
    columns: ['entry_id', 'product_id', 'product_quantity', 'purchase_price_cents', 'entry_date'],
  },
  source_customers: {
    file: 'source_customers.csv',
    columns: ['customer_id', 'customer_name', 'customer_surname', 'customer_email'],
  },
  source_orders: {
    file: 'source_orders.csv',
    columns: ['order_id', 'customer_id', 'order_status', 'order_date'],
  },
  source_order_products: {
    file: 'source_order_products.csv',
    columns: ['transaction_id', 'order_id', 'product_id', 'product_quantity'],
  },
} as const satisfies Record<string, { file: string; columns: readonly string[] }>;

export type SourceName = keyof typeof SOURCE_FILES;
