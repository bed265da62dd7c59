import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { buildDag, topoSort, walk } from './dag';
import type { GraphNode } from '../types';

const node = (id: string, parents: string[] = []): GraphNode => ({
  unique_id: `model.p.${id}`, resource_type: 'model', name: id, package_name: 'p', original_file_path: `models/${id}.sql`,
  fqn: ['p', id], description: '', tags: [], meta: {}, columns: [], raw_code: '', refs: [], sources: [],
  depends_on: { nodes: parents.map((p) => `model.p.${p}`), macros: [] }, database: 'p', schema: 'main', alias: id, checksum: '',
  config: { materialized: 'view', schema: 'main', tags: [], enabled: true, access: 'protected', contract: { enforced: false }, meta: {} },
});

describe('dag', () => {
  it('orders parents before children, stably', () => {
    const dag = buildDag([node('c', ['a', 'b']), node('b', ['a']), node('a'), node('d')]);
    expect(topoSort(dag)).toEqual(['model.p.a', 'model.p.d', 'model.p.b', 'model.p.c']);
    expect([...walk(dag, 'model.p.a', 'down')]).toEqual(['model.p.c', 'model.p.b']);
    expect([...walk(dag, 'model.p.c', 'up', 1)].sort()).toEqual(['model.p.a', 'model.p.b']);
  });

  it('prints the cycle', () => {
    let error: unknown;
    try {
      buildDag([node('a', ['c']), node('b', ['a']), node('c', ['b']), node('d', ['a'])]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MeshError);
    expect((error as MeshError).message).toBe('found a cycle: model.p.a -> model.p.b -> model.p.c -> model.p.a');
    expect((error as MeshError).location).toEqual({ file: 'models/a.sql' });
  });

  it('handles a 20,000-node chain without recursion limits', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => node(`m${i}`, i ? [`m${i - 1}`] : []));
    const dag = buildDag(nodes);
    const order = topoSort(dag);
    expect(order[0]).toBe('model.p.m0');
    expect(order[19_999]).toBe('model.p.m19999');
  });
});
