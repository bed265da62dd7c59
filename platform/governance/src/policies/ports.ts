import type { GraphNode, ModelNode, RefCall } from '@mesh/engine';
import { resolveVersion } from '@mesh/model-versions';
import type { InputPort } from '../data-product';
import type { Policy, Raised } from './policy';

/** The descriptor says what crosses the domain's border; the code must not cross it anywhere else. */

const describeRef = (call: RefCall): string =>
  `ref(${[call.project, call.name].filter(Boolean).map((a) => `'${a}'`).join(', ')}${call.version ? `, v=${call.version}` : ''})`;

/** An input port stands for the upstream its domain names, or its product when the product is named after its domain. */
const upstreamOf = (port: InputPort): string => port.domain ?? port.product!;

function refsOf(node: GraphNode): RefCall[] {
  return node.resource_type === 'source' ? [] : node.refs;
}

export const inputPortDeclared: Policy<'input-port-declared'> = {
  name: 'input-port-declared',
  check(context) {
    const descriptor = context.descriptor;
    if (!descriptor) return [];
    const { parsed } = context.project;
    const out: Raised[] = [];
    for (const node of parsed.nodes) {
      for (const call of refsOf(node)) {
        if (!call.project || call.project === parsed.name) continue;
        const portIndex = descriptor.input_ports.findIndex((p) => upstreamOf(p) === call.project);
        const place = context.locate.ref(node, call);
        if (portIndex < 0) {
          const version = context.project.upstreams.find((u) => u.name === call.project)?.version;
          out.push({
            ...place,
            node: node.unique_id,
            message: `${describeRef(call)} reads from domain '${call.project}', which is not an input port of this product`,
            hint: `Declare it in ${context.descriptorFile}: input_ports: [{domain: ${call.project}, version: '^${version ?? '1.0.0'}', models: [${call.name}]}].`,
          });
          continue;
        }
        const port = descriptor.input_ports[portIndex]!;
        if (port.models.includes(call.name)) continue;
        const portLine = descriptor.source.lineOf(['input_ports', portIndex, 'models']);
        out.push({
          ...place,
          node: node.unique_id,
          message: `${describeRef(call)} reads model '${call.name}', which the '${call.project}' input port does not list`,
          hint: `Add ${call.name} to models: of the '${call.project}' input port in ${context.descriptorFile}${portLine ? ` (line ${portLine})` : ''}.`,
        });
      }
    }
    return out;
  },
};

function publicList(models: ModelNode[]): string {
  const names = [...new Set(models.filter((m) => m.config.access === 'public').map((m) => m.name))];
  return names.length ? `Public models are: ${names.join(', ')}.` : 'The project has no public model yet.';
}

export const outputPortPublic: Policy<'output-port-public'> = {
  name: 'output-port-public',
  check(context) {
    const descriptor = context.descriptor;
    if (!descriptor) return [];
    const out: Raised[] = [];
    const at = (i: number, key: string) => ({ file: context.descriptorFile, line: descriptor.source.lineOf(['output_ports', i, key]) ?? 1 });
    descriptor.output_ports.forEach((port, i) => {
      const candidates = context.models.filter((m) => m.name === port.model);
      if (!candidates.length) {
        out.push({
          ...at(i, 'model'),
          message: `output port '${port.name}' serves model '${port.model}', which does not exist in this project`,
          hint: `Name an existing public model. ${publicList(context.models)}`,
        });
        return;
      }
      const model = resolveVersion(candidates, port.version, (c) => ({ version: c.version, latestVersion: c.latest_version }));
      if (!model) {
        const versions = candidates.map((c) => c.version).filter(Boolean);
        out.push({
          ...at(i, 'version'),
          message: `output port '${port.name}' serves version ${port.version} of '${port.model}', which has no such version`,
          hint: versions.length ? `Versions of '${port.model}': ${versions.join(', ')}.` : `'${port.model}' is not versioned; drop version:.`,
        });
        return;
      }
      if (model.config.access !== 'public') {
        out.push({
          ...at(i, 'model'),
          node: model.unique_id,
          message: `output port '${port.name}' serves model '${port.model}', which is ${model.config.access}; only public models can be served`,
          hint: `Make '${port.model}' public (config: {access: public, contract: {enforced: true}}), or serve a public model. ${publicList(context.models)}`,
        });
      }
    });
    return out;
  },
};
