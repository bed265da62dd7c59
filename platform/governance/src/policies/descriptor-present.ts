import type { Policy } from './policy';

/** Every domain describes itself as a data product; a descriptor written for another domain does not count. */
export const descriptorPresent: Policy<'descriptor-present'> = {
  name: 'descriptor-present',
  check(context) {
    const { parsed } = context.project;
    const descriptor = context.descriptor;
    if (!descriptor) {
      return [{
        file: context.locate.repoPath(parsed.files.projectFilePath),
        line: parsed.files.projectLineOf(['name']) ?? 1,
        message: `domain '${parsed.name}' has no data product descriptor`,
        hint: `Create ${context.descriptorFile} with name, domain, owner, description, status, classification and output_ports (see platform/governance/README.md).`,
      }];
    }
    if (descriptor.domain !== parsed.name) {
      return [{
        file: context.descriptorFile,
        line: descriptor.source.lineOf(['domain']) ?? 1,
        message: `the data product is declared for domain '${descriptor.domain}', but this project is '${parsed.name}'`,
        hint: `Set domain: ${parsed.name}, the name in ${parsed.files.projectFilePath}.`,
      }];
    }
    return [];
  },
};
