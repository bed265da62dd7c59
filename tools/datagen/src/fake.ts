import { Faker, en } from '@faker-js/faker';

/**
 * A private, seeded Faker per table: the shared `faker` singleton would let any other code
 * in the process move its seed, and one instance per table keeps customers independent of
 * how many products were drawn before them. Output stays stable only as long as the faker
 * version is pinned exactly in package.json.
 */
export function seededFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  return faker;
}
