import type { Contract, ContractModel } from './schema';
import { namedTargets, type NamedTarget } from './names';
import { columnSource } from './row-schema';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function docComment(text: string | undefined, indent: string): string[] {
  if (!text?.trim()) return [];
  const lines = text.trim().replace(/\*\//g, '*\\/').split('\n');
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
}

function objectSource(model: ContractModel): string {
  if (model.properties.length === 0) return 'z.object({})';
  const fields = model.properties.flatMap((p) => [
    ...docComment(p.description, '  '),
    `  ${IDENTIFIER.test(p.name) ? p.name : JSON.stringify(p.name)}: ${columnSource(p)},`,
  ]);
  return `z.object({\n${fields.join('\n')}\n})`;
}

function targetSource(target: NamedTarget, latest: NamedTarget | undefined): string[] {
  const { valueName, typeName, model } = target;
  // An unpinned versioned target is the latest version itself, not a copy of it.
  if (target.version === null && latest) {
    return [
      `/** ${target.name}: the latest version, ${latest.version}. */`,
      `export const ${valueName} = ${latest.valueName};`,
      `export type ${typeName} = ${latest.typeName};`,
    ];
  }
  return [
    ...docComment(model.description, ''),
    `export const ${valueName} = ${objectSource(model)};`,
    `export type ${typeName} = z.infer<typeof ${valueName}>;`,
  ];
}

/**
 * The source of a TypeScript module with a zod schema and a row type per consumer target: `products`,
 * `productsV1`, `productsV2`, and the unpinned name aliasing the latest version. Validating with it checks
 * exactly what rowSchema checks.
 */
export function generateTypeScript(contract: Contract): string {
  const targets = namedTargets(contract);
  const names = [...new Set(targets.map((t) => t.name))];
  const blocks = names.flatMap((name) => {
    const own = targets.filter((t) => t.name === name);
    const unpinned = own.find((t) => t.version === null);
    const pinned = own.filter((t) => t.version !== null);
    const latest = unpinned && unpinned.model.version !== null ? pinned.find((t) => t.version === unpinned.model.version) : undefined;
    // Versions first: the unpinned alias refers to one of them.
    return [...pinned, ...(unpinned ? [unpinned] : [])].map((t) => targetSource(t, t === unpinned ? latest : undefined).join('\n'));
  });
  const summary = `/** The contract this module was generated from. */\nexport const contract = {\n  name: ${JSON.stringify(contract.name)},\n  version: ${JSON.stringify(contract.version)},\n  models: [${names.map((n) => JSON.stringify(n)).join(', ')}],\n} as const;`;
  return [
    `// Generated from the ${contract.name} data contract, version ${contract.version}. Regenerate it instead of editing it.`,
    `import { z } from 'zod';`,
    ...blocks,
    summary,
  ].join('\n\n') + '\n';
}
