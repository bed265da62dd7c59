import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrownMeshError } from '@mesh/errors';
import { dbtLoomUpstreams } from './dbt-loom-config';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-dbt-loom-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('dbtLoomUpstreams', () => {
  it('reads file and http manifests, with environment variables, and the projects of dependencies.yml', () => {
    const dir = project({
      'dependencies.yml': 'projects:\n  - name: core\n  - name: marketing\npackages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n',
      'dbt_loom.config.yml': [
        'manifests:',
        '  - name: core',
        '    type: file',
        '    config:',
        '      path: ../core/target/published/manifest.json',
        '  - name: finance',
        '    type: http',
        '    optional: true',
        '    config:',
        '      url: ${DATA_HOST}/finance/manifest.json',
      ].join('\n'),
    });
    expect(dbtLoomUpstreams(dir, { DATA_HOST: 'https://data.example.com' })).toEqual([
      { name: 'core', from: join(dir, '..', 'core', 'target', 'published', 'manifest.json'), optional: false, file: 'dbt_loom.config.yml', manifestNamed: true },
      { name: 'marketing', optional: false, file: 'dependencies.yml' },
      { name: 'finance', from: 'https://data.example.com/finance/manifest.json', optional: true, file: 'dbt_loom.config.yml', manifestNamed: true },
    ]);
  });

  it('refuses manifest stores it cannot read, naming the line', () => {
    const dir = project({ 'dbt_loom.config.yml': 'manifests:\n  - name: core\n    type: s3\n    config:\n      bucket_name: b\n      object_name: manifest.json\n' });
    const e = thrownMeshError(() => dbtLoomUpstreams(dir, {}));
    expect(`${e.code} ${e.location?.file}:${e.location?.line} ${e.message}`).toBe('E_DBT_UNSUPPORTED dbt_loom.config.yml:2 dbt-loom manifest \'core\' of type s3 is not supported: only file and http manifests are read');
  });

  it('says which environment variable is missing', () => {
    const dir = project({ 'dbt_loom.config.yml': 'manifests:\n  - name: core\n    config:\n      path: $CORE_DIR/manifest.json\n' });
    expect(thrownMeshError(() => dbtLoomUpstreams(dir, {})).message).toBe("dbt_loom.config.yml uses the environment variable 'CORE_DIR', which is not set");
  });

  it('nothing when the project has neither file', () => {
    expect(dbtLoomUpstreams(project({}), {})).toEqual([]);
  });
});
