import { ApiError } from './api-error';
import { checkValue } from './column-types';

/**
 * The next-page token: the last row's key values, the order they belong to, and the publication they
 * were read from. Opaque to clients; decoded strictly, since it comes back as user input.
 */
interface CursorBody {
  k: Array<string | null>;
  o: string;
  p: string;
}

export function encodeCursor(keys: Array<string | null>, order: string, publishedAt: string): string {
  return Buffer.from(JSON.stringify({ k: keys, o: order, p: publishedAt } satisfies CursorBody)).toString('base64url');
}

/** The answer to a cursor this API did not issue, whatever is wrong with it. */
export const invalid = () => new ApiError(400, 'bad_parameter', 'cursor: not a cursor this API issued; use next_cursor from the previous page as it is', 'cursor');

/**
 * The key values of a cursor, checked against the types of the order's keys: a value that does not fit
 * its column (a cursor edited by hand) is refused here as not one this API issued, rather than reaching
 * the database, whose error would say more about the server than the caller should hear.
 */
export function decodeCursor(text: string, order: string, publishedAt: string, types: string[] = []): Array<string | null> {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(text)) throw invalid();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const b = body as Partial<CursorBody>;
  if (!b || typeof b !== 'object' || !Array.isArray(b.k) || typeof b.o !== 'string' || typeof b.p !== 'string' || !b.k.every((v) => v === null || typeof v === 'string')) throw invalid();
  if (b.o !== order) throw new ApiError(400, 'bad_parameter', `cursor: it belongs to the order ${b.o}, not ${order}; keep order as it was, or start again without cursor`, 'cursor');
  if (b.p !== publishedAt) throw new ApiError(409, 'stale_cursor', 'cursor: the product was published anew since this cursor was issued; start again without cursor', 'cursor');
  if (b.k.length !== order.split(',').length) throw invalid();
  if (b.k.some((v, i) => v !== null && types[i] !== undefined && checkValue(types[i]!, v) !== undefined)) throw invalid();
  return b.k;
}
