import type { RefCall, SourceCall } from '../types';
import { parseLiteralTemplate } from './literal-calls';

const CALLS = new Set(['ref', 'source']);
const THIS = new Set(['this']);

/**
 * A ref() or source() call written as text in YAML (`to: ref('customers')`, `relation: source('raw',
 * 'orders')`, a unit test's `input:`), read without rendering; `this` too where `allowThis` says so.
 */
export function parseRelationCall(text: string, allowThis = false): { ref: RefCall } | { source: SourceCall } | { this: true } | undefined {
  const trimmed = text.trim();
  if (allowThis && trimmed === 'this') return { this: true };
  const pieces = parseLiteralTemplate(`{{ ${trimmed} }}`, CALLS, allowThis ? THIS : new Set());
  if (pieces?.length !== 1) return undefined;
  const call = pieces[0]!;
  if (typeof call !== 'object' || !('fn' in call)) return undefined;
  const args = call.args;
  if (!args.every((a) => typeof a === 'string')) return undefined;
  if (call.fn === 'source' && args.length === 2) return { source: { source: args[0] as string, table: args[1] as string } };
  if (call.fn === 'ref' && (args.length === 1 || args.length === 2)) {
    const v = call.kwargs.v ?? call.kwargs.version;
    const ref: RefCall = args.length === 1 ? { name: args[0] as string } : { project: args[0] as string, name: args[1] as string };
    if (v !== undefined && v !== null) ref.version = String(v);
    return { ref };
  }
  return undefined;
}
