import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProject, type GraphNode, type ModelNode } from '@mesh/engine';
import { generateProject } from '@mesh/testing';

const root = mkdtempSync(join(tmpdir(), 'mesh-bench-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('generateProject', () => {
  it('writes a realistic 50-model project that the engine compiles, with fan-in', async () => {
    const dir = join(root, 'realistic');
    const info = generateProject(dir, { models: 50 });
    // No target/compiled files: the test is about the graph, and skipping them keeps it fast.
    const project = await compileProject({ projectDir: dir, writeCompiledFiles: false });

    const models = [...project.dag.nodes.values()].filter((n: GraphNode): n is ModelNode => n.resource_type === 'model');
    expect(models).toHaveLength(50);
    expect(new Set(models.map((m) => m.original_file_path.split('/')[1]))).toEqual(new Set(['bronze', 'silver', 'gold']));
    expect(project.warnings).toEqual([]);

    // Fan-in: some model has two or more model parents.
    const modelIds = new Set(models.map((m) => m.unique_id));
    const fanIn = models.filter((m) => project.dag.parents.get(m.unique_id)!.filter((p) => modelIds.has(p)).length >= 2);
    expect(fanIn.length).toBeGreaterThan(0);
    expect(fanIn.length).toBe(info.fanInModels);

    // The Jinja share renders through nunjucks: blocks, the macro and var() leave no template syntax behind.
    expect(info.jinjaModels).toBeGreaterThan(0);
    for (const [id, c] of project.compiled) {
      expect(c.sql, id).not.toMatch(/\{\{|\{%|\u0001/);
    }
    const jinja = models.filter((m) => m.raw_code.includes('{% for'));
    expect(jinja.length).toBe(info.jinjaModels);
    expect(project.compiled.get(jinja[0]!.unique_id)!.sql).toContain('round(src.amount_cents / 100.0, 2)');

    const tests = [...project.dag.nodes.values()].filter((n) => n.resource_type === 'test');
    expect(tests.length).toBe(info.tests);
    expect(project.parsed.nodes.filter((n) => n.resource_type === 'seed')).toHaveLength(3);
  });

  it('is deterministic for a seed', () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    generateProject(a, { models: 50 });
    generateProject(b, { models: 50 });
    const files = listFiles(a);
    expect(listFiles(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
  });

  it('writes trivial table models in chains', async () => {
    const dir = join(root, 'trivial');
    generateProject(dir, { models: 25, trivial: true });
    const project = await compileProject({ projectDir: dir, writeCompiledFiles: false });
    const models = [...project.dag.nodes.values()].filter((n: GraphNode): n is ModelNode => n.resource_type === 'model');
    expect(models).toHaveLength(25);
    expect(models.every((m) => m.config.materialized === 'table')).toBe(true);
    expect(project.dag.parents.get('model.bench_trivial.m_00000')).toEqual([]);
    expect(project.dag.parents.get('model.bench_trivial.m_00011')).toEqual(['model.bench_trivial.m_00010']);
  });
});
