import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireOracle } from '@mesh/oracle';
import { dbtPackagesHash, installPackages } from './deps';
import { makeMirror, restoreMirrors, writeProject } from './test-mirror';

// dbt's own code decides whether a package-lock.yml is up to date; importing dbt takes seconds.
describe('installPackages and package-lock.yml', () => {
  const root = mkdtempSync(join(tmpdir(), 'corpus-mirrors-'));
  const hub = { 'acme/acme_utils': 'acme/dbt-acme-utils' };
  let saved: string | undefined;

  beforeAll(() => {
    requireOracle();
    saved = process.env.MESH_CORPUS_MIRRORS;
    process.env.MESH_CORPUS_MIRRORS = root;
    const utils = (version: string) => ({ 'dbt_project.yml': `name: acme_utils\nversion: '${version}'\n`, 'macros/x.sql': `{% macro v() %}'${version}'{% endmacro %}` });
    makeMirror(root, 'acme/dbt-acme-utils', [{ files: utils('1.0.0'), tag: '1.0.0' }, { files: utils('1.1.0'), tag: '1.1.0' }]);
  });
  afterAll(() => restoreMirrors(root, saved));

  it('installs an up-to-date package-lock.yml as it is, and resolves anew when packages.yml changed since', () => {
    const files = {
      'dbt_project.yml': 'name: app\n',
      'packages.yml': 'packages:\n  - package: acme/acme_utils\n    version: [">=1.0.0", "<2.0.0"]\n',
    };
    const dir = writeProject(files);
    const first = installPackages(dir, hub);
    expect(first.from).toBe('resolved');
    // As dbt deps: the lock names what it installed, and carries dbt's own hash of packages.yml.
    const lock = parse(readFileSync(join(dir, 'package-lock.yml'), 'utf8')) as { packages: unknown[]; sha1_hash: string };
    expect(lock.packages).toEqual([{ name: 'acme_utils', package: 'acme/acme_utils', version: '1.1.0' }]);
    expect(lock.sha1_hash).toMatch(/^[0-9a-f]{40}$/);
    // A lock pinning an older release, for the same packages.yml, is installed as it is.
    writeFileSync(join(dir, 'package-lock.yml'), `packages:\n  - package: acme/acme_utils\n    version: 1.0.0\nsha1_hash: ${lock.sha1_hash}\n`);
    const locked = installPackages(dir, hub);
    expect(locked.from).toBe('lock');
    expect(readFileSync(join(dir, 'dbt_packages/acme_utils/macros/x.sql'), 'utf8')).toContain("'1.0.0'");
    writeFileSync(join(dir, 'packages.yml'), 'packages:\n  - package: acme/acme_utils\n    version: 1.1.0\n');
    expect(installPackages(dir, hub).from).toBe('resolved');
    expect(dbtPackagesHash(dir)).not.toBe(lock.sha1_hash);
  }, 240_000);
});
