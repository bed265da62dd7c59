import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi, type ApiServer } from '@mesh/api';
import { copyDomains, mesh, meshTeddy } from '@mesh/testing';

/**
 * Tokens and cursors as a running `mesh serve` meets them: a token added or removed while it runs, a
 * consumer that does not exist, and cursors edited by hand. A real server on loopback.
 */

const ORDERS = 'v1/products/teddy-sales/ports/order_summary/rows';

let root: string;
let server: ApiServer;

const get = (path: string, token: string) => fetch(new URL(path, server.url), { headers: { Authorization: `Bearer ${token}` } });
const tokenOf = (stdout: string) => /Token \(shown once, hand it to its holder\): (\S+)/.exec(stdout)![1]!;

beforeAll(async () => {
  root = copyDomains(['inventory', 'sales', 'finance'], 'tokens');
  for (const d of ['inventory', 'sales']) expect(meshTeddy(join(root, d), 'build').code).toBe(0);
  server = await serveApi({ workspaceRoot: root, port: 0 });
});
afterAll(async () => server?.close());

describe('tokens while mesh serve runs', () => {
  it('a token added while the server runs works at once, and a removed one stops working', async () => {
    const added = mesh(root, 'token', 'add', '--workspace', root, '--name', 'finance-etl', '--consumer', 'finance');
    expect(added.code, added.output).toBe(0);
    const token = tokenOf(added.stdout);
    expect((await get(ORDERS, token)).status).toBe(200);

    const removed = mesh(root, 'token', 'remove', '--workspace', root, '--name', 'finance-etl');
    expect(removed.code, removed.output).toBe(0);
    expect(removed.stdout).toContain("Removed token 'finance-etl' (consumer 'finance') from governance/api.yml");
    expect(mesh(root, 'token', 'list', '--workspace', root).stdout).not.toContain('finance-etl');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get(ORDERS, token)).status).toBe(401);

    const missing = mesh(root, 'token', 'remove', '--workspace', root, '--name', 'finance-etl');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error[E_API_TOKEN] no token named 'finance-etl' in governance/api.yml");
  });

  it('--consumer must name a domain of the workspace or a role a product grants to', () => {
    const typo = mesh(root, 'token', 'add', '--workspace', root, '--name', 'x', '--consumer', 'finanse');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("error[E_API_CONSUMER] 'finanse' is neither a domain of this workspace nor a role any data product grants to");
    expect(typo.stderr).toContain("Did you mean 'finance'?");
    expect(typo.stderr).toContain('roles: analysts');
    expect(mesh(root, 'token', 'add', '--workspace', root, '--name', 'nobody', '--consumer', 'marketing').code).toBe(2);
    // A role exists once a product grants it something.
    expect(mesh(root, 'token', 'add', '--workspace', root, '--name', 'bi', '--consumer', 'analysts').code).toBe(0);
  });
});

describe('cursors edited by hand', () => {
  it('are refused in the API\'s words, never the database\'s', async () => {
    const token = tokenOf(mesh(root, 'token', 'add', '--workspace', root, '--name', 'finance-cursor', '--consumer', 'finance').stdout);
    const first = (await (await get(`${ORDERS}?limit=1&order=order_id`, token)).json()) as { next_cursor: string; published_at: string };
    const body = JSON.parse(Buffer.from(first.next_cursor, 'base64url').toString('utf8')) as { k: string[]; o: string; p: string };
    const forged = (k: unknown[]) => Buffer.from(JSON.stringify({ ...body, k })).toString('base64url');
    for (const k of [['not a number'], ['99999999999999999999'], ['1e5']]) {
      const r = await get(`${ORDERS}?limit=1&order=order_id&cursor=${forged(k)}`, token);
      const text = await r.text();
      expect(r.status, text).toBe(400);
      expect(JSON.parse(text)).toEqual({ error: { code: 'bad_parameter', parameter: 'cursor', message: 'cursor: not a cursor this API issued; use next_cursor from the previous page as it is' } });
      expect(text).not.toMatch(/Conversion|INT32|DuckDB|Error:/);
    }
    // Ordered by a date: a value of the right shape that is no date still gets the API's answer.
    const byDate = (await (await get(`${ORDERS}?limit=1&order=order_date`, token)).json()) as { next_cursor: string };
    const dated = JSON.parse(Buffer.from(byDate.next_cursor, 'base64url').toString('utf8')) as { k: string[] };
    const bad = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(byDate.next_cursor, 'base64url').toString('utf8')), k: ['2026-13-45', ...dated.k.slice(1)] })).toString('base64url');
    const r = await get(`${ORDERS}?limit=1&order=order_date&cursor=${bad}`, token);
    const text = await r.text();
    expect(r.status, text).toBe(400);
    expect(text).toContain('not a cursor this API issued');
    expect(text).not.toMatch(/Conversion|DuckDB|out of range/);
  });
});
