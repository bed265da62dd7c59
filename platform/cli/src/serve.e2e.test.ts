import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyDomains, mesh, meshTeddy, REPO_ROOT } from '@mesh/testing';

/** `mesh token add` and `mesh serve` as a user runs them: a token printed once, a server that answers with it and stops on SIGTERM. */


describe('mesh serve and mesh token', () => {
  it('adds a token, serves with it, and stops cleanly', async () => {
    const root = copyDomains(['inventory'], 'serve');
    expect(meshTeddy(join(root, 'inventory'), 'build').code).toBe(0);
    const added = mesh(root, 'token', 'add', '--workspace', root, '--name', 'sales-service', '--consumer', 'sales');
    expect(added.code, added.output).toBe(0);
    expect(added.stdout).toContain("Added token 'sales-service' for consumer 'sales' to governance/api.yml (stored as its sha256).");
    const token = /Token \(shown once, hand it to its holder\): (\S+)/.exec(added.stdout)![1]!;
    expect(readFileSync(join(root, 'governance', 'api.yml'), 'utf8')).not.toContain(token);
    expect(mesh(root, 'token', 'list', '--workspace', root).stdout).toMatch(/^sales-service\s+sales\s+sha256:[0-9a-f]{12}…$/m);
    const again = mesh(root, 'token', 'add', '--workspace', root, '--name', 'sales-service', '--consumer', 'sales');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("error[E_API_TOKEN] a token named 'sales-service' already exists in governance/api.yml");

    const child = spawn(process.execPath, [join(REPO_ROOT, 'platform/cli/bin/mesh.js'), 'serve', '--workspace', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /API at (http:\/\/\S+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const rows = await fetch(`${url}v1/products/inventory/ports/products/rows?select=product_id&order=product_id`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await rows.json()).toMatchObject({ data: [{ product_id: 1 }, { product_id: 2 }, { product_id: 3 }], next_cursor: null });
    expect((await fetch(`${url}v1/products/inventory/ports/stock_product/rows`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(403);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('prints only the token with --quiet, and revokes a token by its holder', () => {
    const root = copyDomains(['inventory'], 'token');
    const quiet = mesh(root, 'token', 'add', '--workspace', root, '--name', 'script', '--consumer', 'sales', '--quiet');
    expect(quiet.code, quiet.output).toBe(0);
    expect(quiet.stdout).toMatch(/^mesh_[\w-]{32}\n$/);
    const removed = mesh(root, 'token', 'remove', '--workspace', root, '--name', 'script');
    expect(removed.stdout).toContain("Removed token 'script' (consumer 'sales') from governance/api.yml; a running mesh serve refuses it from now on.");
    expect(mesh(root, 'token', 'list', '--workspace', root).stdout).toBe('No API tokens.\n');
    const again = mesh(root, 'token', 'remove', '--workspace', root, '--name', 'script');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("error[E_API_TOKEN] no token named 'script' in governance/api.yml");
  });

  it('refuses a bad port number', () => {
    const r = mesh(REPO_ROOT, 'serve', '--port', 'eighty');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_CLI_PORT] --port must be a port number from 0 to 65535, got 'eighty'");
  });
});
