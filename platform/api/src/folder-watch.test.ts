import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderWatch } from './folder-watch';

/** Real folders and real file system reports. */

const watches: FolderWatch[] = [];
afterEach(() => {
  for (const w of watches.splice(0)) w.close();
});

function folder(): { target: string; published: string } {
  const target = mkdtempSync(join(tmpdir(), 'mesh-api-watch-'));
  const published = join(target, 'published');
  mkdirSync(published);
  writeFileSync(join(published, 'manifest.json'), '{}');
  return { target, published };
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('folder watch', () => {
  it('reports a manifest renamed in, and nothing while nothing changes', async () => {
    const { target, published } = folder();
    const watch = new FolderWatch([published, target], 60_000);
    watches.push(watch);
    expect(watch.changed()).toBe(true);
    watch.looking();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watch.changed()).toBe(false);
    writeFileSync(join(published, 'manifest.json.tmp'), '{"new": true}');
    renameSync(join(published, 'manifest.json.tmp'), join(published, 'manifest.json'));
    await eventually(() => watch.changed());
    // Watched anew at the next look.
    watch.looking();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watch.changed()).toBe(false);
    rmSync(target, { recursive: true, force: true });
  });

  it('reports a whole publication folder renamed over the old one, and keeps watching the new one', async () => {
    const { target, published } = folder();
    const watch = new FolderWatch([published, target], 60_000);
    watches.push(watch);
    watch.looking();
    mkdirSync(join(target, 'next'));
    writeFileSync(join(target, 'next', 'manifest.json'), '{}');
    rmSync(published, { recursive: true });
    renameSync(join(target, 'next'), published);
    await eventually(() => watch.changed());
    watch.looking();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watch.changed()).toBe(false);
    writeFileSync(join(published, 'manifest.json'), '{"again": true}');
    await eventually(() => watch.changed());
    rmSync(target, { recursive: true, force: true });
  });

  it('counts as changed after its longest trust, and at every look when a folder cannot be watched', () => {
    const { target, published } = folder();
    const watch = new FolderWatch([published, target], 1000);
    watches.push(watch);
    watch.looking(5000);
    expect(watch.changed(5999)).toBe(false);
    expect(watch.changed(6000)).toBe(true);
    const missing = new FolderWatch([join(target, 'never-published'), target]);
    watches.push(missing);
    missing.looking();
    expect(missing.changed()).toBe(true);
    rmSync(target, { recursive: true, force: true });
  });
});
