import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseCache, contentHash } from './parse-cache';
import { writeCompiledFiles } from '../artifacts/compiled-files';

describe('ParseCache', () => {
  it('serves an entry only for the exact text it was made from, and drops unused entries on save', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-cache-'));
    let parses = 0;
    const parse = (text: string) => () => {
      parses++;
      return { text };
    };
    const first = ParseCache.open(dir);
    first.yaml('a: 1', parse('a: 1'));
    first.yaml('b: 2', parse('b: 2'));
    first.save();
    expect(parses).toBe(2);

    const second = ParseCache.open(dir);
    expect(second.yaml('a: 1', parse('a: 1'))).toEqual({ text: 'a: 1' });
    expect(parses).toBe(2);
    expect(second.yaml('a: 10', parse('a: 10'))).toEqual({ text: 'a: 10' });
    expect(parses).toBe(3);
    second.save();
    const stored = JSON.parse(readFileSync(join(dir, 'partial_parse.json'), 'utf8'));
    expect(Object.keys(stored.yaml)).toHaveLength(2);
  });

  it('ignores a cache written by another version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-cache-'));
    writeFileSync(join(dir, 'partial_parse.json'), JSON.stringify({ version: 'old', yaml: {}, jinja: {} }));
    let compiled = 0;
    ParseCache.open(dir).jinja('{{ x }}', () => `code${++compiled}`);
    expect(compiled).toBe(1);
  });
});

describe('writeCompiledFiles', () => {
  it('writes new and changed files only, and rewrites a file deleted by hand', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'mesh-compiled-')), 'compiled');
    const a = 'p/models/a.sql';
    const b = 'p/models/sub/b.sql';
    expect(await writeCompiledFiles(root, new Map([[a, 'select 1'], [b, 'select 2']]))).toEqual({ written: 2, unchanged: 0 });
    const before = statSync(join(root, a)).mtimeMs;
    expect(await writeCompiledFiles(root, new Map([[a, 'select 1'], [b, 'select 3']]))).toEqual({ written: 1, unchanged: 1 });
    expect(statSync(join(root, a)).mtimeMs).toBe(before);
    expect(readFileSync(join(root, b), 'utf8')).toBe('select 3\n');
    rmSync(join(root, a));
    expect(await writeCompiledFiles(root, new Map([[a, 'select 1'], [b, 'select 3']]))).toEqual({ written: 1, unchanged: 1 });
    expect(readFileSync(join(root, a), 'utf8')).toBe('select 1\n');
  });

  it('knows unchanged files in another order, and from an index of the earlier { path: hash } form', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'mesh-compiled-')), 'compiled');
    const files: Array<[string, string]> = [['p/a.sql', 'select 1'], ['p/b.sql', 'select 2']];
    await writeCompiledFiles(root, new Map(files));
    expect(await writeCompiledFiles(root, new Map([...files].reverse()))).toEqual({ written: 0, unchanged: 2 });
    writeFileSync(join(root, '.index.json'), JSON.stringify({ 'p/a.sql': contentHash('select 1'), 'p/b.sql': contentHash('select 0') }));
    expect(await writeCompiledFiles(root, new Map(files))).toEqual({ written: 1, unchanged: 1 });
  });
});
