import { MeshError } from '@mesh/errors';
import type { RenderHooks } from '../jinja/context';
import { Relation } from './relation';

/** Hooks for templates that belong to no node (a profile's values, the naming macros): no ref, no source. */
export function plainHooks(vars: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>, log?: (message: string) => void): RenderHooks {
  return {
    ref: (call) => {
      throw new MeshError('E_JINJA_CALL', `ref('${call.name}') cannot be used here: this template belongs to no model`, { hint: 'Call ref() in a model or a macro a model calls.' });
    },
    source: (call) => {
      throw new MeshError('E_JINJA_CALL', `source('${call.source}', '${call.table}') cannot be used here: this template belongs to no model`, { hint: 'Call source() in a model or a macro a model calls.' });
    },
    config: () => undefined,
    thisRelation: new Relation('', '', ''),
    isIncremental: false,
    vars,
    env,
    log,
  };
}
