import type { PolicyName } from '../policy-config';
import { descriptorPresent } from './descriptor-present';
import { layerNaming } from './layer-naming';
import { piiNotExposed } from './pii-not-exposed';
import { inputPortDeclared, outputPortPublic } from './ports';
import type { Policy } from './policy';
import { publicModelContract, publicModelDescription, publicModelOwner } from './public-models';

/** Every policy the platform knows, by name. */
export const POLICIES: { [K in PolicyName]: Policy<K> } = {
  'descriptor-present': descriptorPresent,
  'public-model-description': publicModelDescription,
  'public-model-owner': publicModelOwner,
  'public-model-contract': publicModelContract,
  'pii-not-exposed': piiNotExposed,
  'layer-naming': layerNaming,
  'input-port-declared': inputPortDeclared,
  'output-port-public': outputPortPublic,
};

export type { Policy, PolicyContext, Raised } from './policy';
