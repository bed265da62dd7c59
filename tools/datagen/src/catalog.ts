import type { Faker } from '@faker-js/faker';

export interface Product {
  product_id: number;
  product_name: string;
  product_category: string;
  price_cents: number;
}

interface Category {
  name: string;
  nouns: readonly string[];
  /** Shelf price range in whole currency units. */
  minPrice: number;
  maxPrice: number;
}

/** Teddy Retailers sells toys, mostly bears; the range drives names and prices. */
const CATEGORIES: readonly Category[] = [
  {
    name: 'Teddy Bears',
    nouns: ['Teddy Bear', 'Bear Cub', 'Polar Bear', 'Panda Bear', 'Giant Teddy', 'Mini Teddy'],
    minPrice: 12,
    maxPrice: 90,
  },
  {
    name: 'Plush Animals',
    nouns: ['Bunny', 'Elephant', 'Lion', 'Unicorn', 'Puppy', 'Kitten', 'Dinosaur', 'Owl'],
    minPrice: 9,
    maxPrice: 60,
  },
  {
    name: 'Dolls',
    nouns: ['Rag Doll', 'Doll House', 'Baby Doll', 'Puppet'],
    minPrice: 15,
    maxPrice: 120,
  },
  {
    name: 'Games & Puzzles',
    nouns: ['Jigsaw Puzzle', 'Board Game', 'Card Game', 'Memory Game'],
    minPrice: 8,
    maxPrice: 45,
  },
  {
    name: 'Wooden Toys',
    nouns: ['Train Set', 'Building Blocks', 'Stacking Rings', 'Pull-Along Duck'],
    minPrice: 14,
    maxPrice: 80,
  },
  {
    name: 'Accessories',
    nouns: ['Bear Outfit', 'Gift Box', 'Bear Backpack', 'Bow Tie', 'Adoption Certificate'],
    minPrice: 3,
    maxPrice: 25,
  },
];

/** Faker's own adjectives include words like "which"; a toy shop's are chosen by hand. */
const ADJECTIVES: readonly string[] = [
  'Cuddly', 'Fluffy', 'Sleepy', 'Happy', 'Tiny', 'Giant', 'Classic', 'Vintage', 'Snuggly',
  'Brave', 'Jolly', 'Curious', 'Cosy', 'Velvet', 'Woolly', 'Little', 'Royal', 'Grumpy',
  'Dreamy', 'Cheeky', 'Gentle', 'Sparkly', 'Huggable', 'Lucky',
];

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Retail prices end in .99, like the shop's price tags. */
function shelfPrice(faker: Faker, category: Category): number {
  return faker.number.int({ min: category.minPrice, max: category.maxPrice }) * 100 - 1;
}

/**
 * Product names mix an adjective, a faker colour and a toy noun ("Fluffy Lavender Panda
 * Bear"). Names are unique, as in a real catalogue, so a report grouped by name matches
 * one grouped by id; after a few collisions an edition number settles it, so the loop ends.
 */
export function generateCatalog(faker: Faker, count: number): Product[] {
  const seen = new Set<string>();
  const products: Product[] = [];
  for (let i = 0; i < count; i++) {
    // Teddy bears first in the cycle: the shop's core range is never missing.
    const category = CATEGORIES[i % CATEGORIES.length] as Category;
    let name = '';
    for (let attempt = 0; attempt < 20 && (name === '' || seen.has(name)); attempt++) {
      name = [
        faker.helpers.arrayElement(ADJECTIVES),
        capitalise(faker.color.human()),
        faker.helpers.arrayElement(category.nouns),
      ].join(' ');
    }
    const base = name;
    for (let edition = 2; seen.has(name); edition++) name = `${base} No. ${edition}`;
    seen.add(name);
    products.push({
      product_id: i + 1,
      product_name: name,
      product_category: category.name,
      price_cents: shelfPrice(faker, category),
    });
  }
  return products;
}
