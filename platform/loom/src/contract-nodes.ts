import type { Contract } from '@mesh/contract';
import type { ModelNode } from '@mesh/engine';

/**
 * An upstream's public models as its released contract describes them: enough to compile against
 * (relation, columns, versions) without its publication, for commands that read no data.
 */
export function nodesFromContract(contract: Contract): ModelNode[] {
  return contract.schema.map((m): ModelNode => {
    const [schema, alias] = m.physicalName.includes('.') ? m.physicalName.split('.', 2) as [string, string] : ['main', m.physicalName];
    const id = `model.${contract.name}.${m.name}${m.version ? `.v${m.version}` : ''}`;
    return {
      unique_id: id, resource_type: 'model', name: m.name, package_name: contract.name,
      original_file_path: '', fqn: [contract.name, m.name], description: m.description ?? '', tags: m.tags, meta: {},
      config: {
        materialized: m.physicalType === 'view' || m.physicalType === 'incremental' ? m.physicalType : 'table',
        schema, tags: m.tags, enabled: true, access: 'public', contract: { enforced: true }, meta: {},
      },
      columns: m.properties.map((p) => ({ name: p.name, description: p.description ?? '', data_type: p.physicalType, constraints: [], tags: p.tags, meta: {} })),
      raw_code: '', refs: [], sources: [], depends_on: { nodes: [], macros: [] },
      database: contract.name, schema, alias,
      version: m.version ?? undefined, latest_version: m.latestVersion ?? undefined, deprecation_date: m.deprecationDate ?? undefined,
      checksum: '', external: true,
    };
  });
}
