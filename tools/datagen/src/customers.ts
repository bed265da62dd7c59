import type { Faker } from '@faker-js/faker';
import type { Random } from './prng';

export interface Customer {
  customer_id: number;
  customer_name: string;
  customer_surname: string;
  customer_email: string;
}

/**
 * Names that break naive pipelines: accents (encoding), apostrophes (SQL string literals),
 * and a comma and double quotes (CSV quoting). Faker's en locale has a few O'Something
 * surnames but no accents, so these are mixed in on purpose.
 */
export const TRICKY_FIRST_NAMES: readonly string[] = [
  'Zoë',
  'Chloé',
  'José',
  'Renée',
  'Björn',
  'Siobhán',
  'François',
  'Robert "Bob"',
];
export const TRICKY_SURNAMES: readonly string[] = [
  "O'Brien",
  "D'Angelo",
  'Müller',
  'Núñez',
  'Brontë',
  "N'Diaye",
  'Smith, Jr.',
  'Ó Súilleabháin',
];

/** Share of customers that get a tricky first name, and separately a tricky surname. */
const TRICKY_SHARE = 0.03;

/**
 * Positions are drawn from the fast PRNG, not from faker, so adding a tricky name to the
 * lists above changes only the names and leaves every other customer as it was.
 */
function trickyPositions(random: Random, customers: number, names: readonly string[]): Map<number, string> {
  const count = Math.max(names.length, Math.round(customers * TRICKY_SHARE));
  const positions = new Map<number, string>();
  for (let k = 0; k < count; k++) {
    positions.set(random.int(customers), names[k % names.length] as string);
  }
  return positions;
}

/**
 * A generator, not an array: at 10M lines there are 222k customers, and nothing downstream
 * needs them once written, so they go straight to the file.
 */
export function* generateCustomers(faker: Faker, random: Random, count: number): Generator<Customer> {
  const firstNames = trickyPositions(random, count, TRICKY_FIRST_NAMES);
  const surnames = trickyPositions(random, count, TRICKY_SURNAMES);
  for (let i = 0; i < count; i++) {
    // Drawn even when replaced below, so that placing a tricky name does not shift the
    // faker names of every customer after it.
    const fakeFirst = faker.person.firstName();
    const fakeLast = faker.person.lastName();
    const firstName = firstNames.get(i) ?? fakeFirst;
    const lastName = surnames.get(i) ?? fakeLast;
    yield {
      customer_id: i + 1,
      customer_name: firstName,
      customer_surname: lastName,
      // faker transliterates and strips punctuation, so Zoë O'Brien gets a plain address.
      customer_email: faker.internet.email({ firstName, lastName }),
    };
  }
}
