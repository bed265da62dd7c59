/**
 * Trino's file-based access control for a mesh: one Trino user per domain, and Trino itself refuses
 * whatever a grant does not cover. The rules depend only on who exists, not on what is granted: a
 * domain's user owns its catalog, every other user may read that catalog's share schemas named for it
 * (`<producer>_share_<grantee>` with a publication's `_v<version>`), and nothing else of it. A producer
 * grants a port by publishing a share for the grantee; revoking drops the schema. The rules file
 * changes only when a domain or a consumer role is added.
 */

export interface MeshAccess {
  /** Each domain's Trino user and the Iceberg catalog it owns. */
  domains: Array<{ user: string; catalog: string }>;
  /** Consumers that are not domains (roles such as `analysts`): they read shares and own nothing. */
  readers?: string[];
  /** A user with every right, for the platform team (and tests that look behind the shares). */
  admin?: string;
}

const ALL = ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'OWNERSHIP', 'GRANT_SELECT'];

/** A name as a regular expression matching it alone (Trino matches rules against the whole name). */
const exactly = (name: string) => name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** The schema name a grantee's shares carry, as the loom spells it (`-` and other signs become `_`). */
export const shareSuffix = (grantee: string) => grantee.toLowerCase().replace(/[^a-z0-9_]/g, '_');

export function accessRules(mesh: MeshAccess): Record<string, unknown> {
  const catalogs = mesh.domains.map((d) => d.catalog);
  const grantees = [...new Set([...mesh.domains.map((d) => d.user), ...(mesh.readers ?? [])])];
  const admin = mesh.admin ? [mesh.admin] : [];
  const shares = (suffix: string) => `.*_share_${exactly(suffix)}(_v[0-9]+)?`;
  return {
    catalogs: [
      ...admin.map((user) => ({ user: exactly(user), allow: 'all' })),
      ...mesh.domains.map((d) => ({ user: exactly(d.user), catalog: exactly(d.catalog), allow: 'all' })),
      // Every user may look into every domain's catalog; the table rules below leave it only the shares.
      ...(catalogs.length ? [{ catalog: `(${catalogs.map(exactly).join('|')})`, allow: 'read-only' }] : []),
    ],
    schemas: [
      ...admin.map((user) => ({ user: exactly(user), owner: true })),
      ...mesh.domains.map((d) => ({ user: exactly(d.user), catalog: exactly(d.catalog), owner: true })),
    ],
    tables: [
      ...admin.map((user) => ({ user: exactly(user), privileges: ALL })),
      // GRANT_SELECT: a share's views read the owner's tables with the owner's rights.
      ...mesh.domains.map((d) => ({ user: exactly(d.user), catalog: exactly(d.catalog), privileges: ALL })),
      ...grantees.map((g) => ({ user: exactly(g), schema: shares(shareSuffix(g)), privileges: ['SELECT'] })),
      { schema: shares('all'), privileges: ['SELECT'] },
    ],
  };
}
