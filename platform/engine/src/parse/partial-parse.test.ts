import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../engine';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-partial-'));
  mkdirSync(join(dir, 'models'));
  mkdirSync(join(dir, 'macros'));
  writeFileSync(join(dir, 'mesh_project.yml'), 'name: p\nvars:\n  limit_rows: 10\n');
  writeFileSync(join(dir, 'macros', 'm.sql'), "{% macro label() %}'v1'{% endmacro %}");
  writeFileSync(join(dir, 'models', 'a.sql'), "{{ config(materialized='table') }}select '{{ env_var('REGION', 'eu') }}' as region, {{ label() }} as label limit {{ var('limit_rows') }}");
  return dir;
}

async function sqlOf(dir: string, env: Record<string, string>, vars?: Record<string, unknown>): Promise<string> {
  const compiled = await compileProject({ projectDir: dir, env, vars, writeCompiledFiles: false });
  const node = compiled.dag.nodes.get('model.p.a')!;
  expect(node.resource_type === 'model' && node.config.materialized).toBe('table');
  return compiled.compiled.get('model.p.a')!.sql;
}

describe('partial parsing', () => {
  it('reuses a render only while the file, vars, macros and the env vars it read are unchanged', async () => {
    const dir = project();
    expect(await sqlOf(dir, { REGION: 'us' })).toBe("select 'us' as region, 'v1' as label limit 10");
    // Cached, and config() replayed from the cache.
    expect(await sqlOf(dir, { REGION: 'us' })).toBe("select 'us' as region, 'v1' as label limit 10");
    expect(await sqlOf(dir, { REGION: 'de' })).toBe("select 'de' as region, 'v1' as label limit 10");
    expect(await sqlOf(dir, {})).toBe("select 'eu' as region, 'v1' as label limit 10");
    expect(await sqlOf(dir, {}, { limit_rows: 5 })).toBe("select 'eu' as region, 'v1' as label limit 5");
    writeFileSync(join(dir, 'macros', 'm.sql'), "{% macro label() %}'v2'{% endmacro %}");
    expect(await sqlOf(dir, {})).toBe("select 'eu' as region, 'v2' as label limit 10");
  });
});
