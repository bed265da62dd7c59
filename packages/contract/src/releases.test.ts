import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContract } from './parse';
import { latestRelease, listReleases, releasePath, releaseSatisfying, writeRelease } from './releases';

const BASE = readContract(new URL('./__fixtures__/inventory.odcs.yaml', import.meta.url).pathname);

function domain(versions: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'mesh-releases-'));
  mkdirSync(join(root, 'contracts'));
  for (const v of versions) writeRelease(root, { ...BASE, version: v });
  return root;
}

describe('released contracts', () => {
  it('are listed in semver order and found by range', () => {
    const root = domain(['1.9.0', '1.10.0', '2.0.0', '1.0.0']);
    writeFileSync(join(root, 'contracts', 'notes.md'), 'not a release');
    expect(listReleases(root).map((r) => r.version)).toEqual(['1.0.0', '1.9.0', '1.10.0', '2.0.0']);
    expect(latestRelease(root)?.version).toBe('2.0.0');
    expect(latestRelease(root, '1.99.0')?.version).toBe('1.10.0');
    expect(releaseSatisfying(root, '^1.0.0')?.version).toBe('1.10.0');
    expect(releaseSatisfying(root, '^3.0.0')).toBeUndefined();
  });

  it('write the types of the newest release only, and never change a released version', () => {
    const root = domain(['2.0.0']);
    expect(readFileSync(join(root, 'contracts', 'index.ts'), 'utf8')).toContain('version: "2.0.0"');
    writeRelease(root, { ...BASE, version: '1.5.0' });
    expect(readFileSync(join(root, 'contracts', 'index.ts'), 'utf8')).toContain('version: "2.0.0"');
    expect(writeRelease(root, { ...BASE, version: '2.0.0' })).toEqual({ written: false, path: releasePath(root, '2.0.0') });
    expect(() => writeRelease(root, { ...BASE, version: '2.0.0', status: 'deprecated' })).toThrow(/already released and differs/);
  });
});
