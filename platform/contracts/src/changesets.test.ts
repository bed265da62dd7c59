import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bumpBetween, covers, findWorkspaceRoot, maxBump, pendingRelease } from './changesets';

describe('changesets', () => {
  it('reads the largest pending bump per package from the .changeset folder, as changeset version applies it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mesh-changesets-'));
    mkdirSync(join(root, '.changeset'));
    writeFileSync(join(root, '.changeset', 'config.json'), '{}');
    writeFileSync(join(root, '.changeset', 'brave-cats.md'), '---\n"@teddy/inventory": minor\n"@teddy/sales": patch\n---\n\nAdd a column.\n');
    writeFileSync(join(root, '.changeset', 'quiet-owls.md'), '---\n"@teddy/inventory": major\n---\n\nDrop a column.\n');
    expect(await pendingRelease(root, '@teddy/inventory')).toEqual({ bump: 'major', files: ['.changeset/brave-cats.md', '.changeset/quiet-owls.md'] });
    expect(await pendingRelease(root, '@teddy/sales')).toEqual({ bump: 'patch', files: ['.changeset/brave-cats.md'] });
    expect(await pendingRelease(root, '@teddy/finance')).toEqual({ bump: 'none', files: [] });
    mkdirSync(join(root, 'domains', 'sales'), { recursive: true });
    expect(findWorkspaceRoot(join(root, 'domains', 'sales'))).toBe(root);
  });

  it('knows which bump lies between two versions, counting 0.x minor bumps as major', () => {
    expect(bumpBetween('1.0.0', '2.0.0')).toBe('major');
    expect(bumpBetween('1.0.0', '1.1.0')).toBe('minor');
    expect(bumpBetween('1.0.0', '1.0.1')).toBe('patch');
    expect(bumpBetween('0.3.0', '0.4.0')).toBe('major');
    expect(bumpBetween('1.0.0', '1.0.0')).toBe('none');
    expect(bumpBetween('2.0.0', '1.0.0')).toBe('none');
  });

  it('orders bumps', () => {
    expect(maxBump('patch', 'major', 'minor')).toBe('major');
    expect(maxBump()).toBe('none');
    expect(covers('major', 'minor')).toBe(true);
    expect(covers('minor', 'major')).toBe(false);
    expect(covers('none', 'patch')).toBe(false);
    expect(covers('none', 'none')).toBe(true);
  });
});
