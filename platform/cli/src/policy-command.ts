import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileProject, type ParsedProject } from '@mesh/engine';
import { checkPolicies, formatFindings, POLICY_CONFIG_FILE } from '@mesh/governance';
import { loadUpstreams } from '@mesh/loom';
import { type CommonFlags, type Output, projectOptions } from './commands';

/** The repository whose governance/policies.yml applies: the nearest one above the project. */
function policyRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, POLICY_CONFIG_FILE))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** `mesh policy check`: the platform's global policies and the domain's own, with file:line findings. */
export async function policyCheckCommand(flags: CommonFlags & { json?: boolean }, io: Output): Promise<number> {
  const project = await compileProject({
    ...projectOptions(flags),
    upstreams: (parsed: ParsedProject) => loadUpstreams(parsed, { fallbackToContracts: true }),
    writeCompiledFiles: false,
  });
  const findings = checkPolicies(project, { repoRoot: policyRoot(project.parsed.root) });
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (flags.json) {
    io.out(JSON.stringify({ ok: errors === 0, findings }, null, 2));
    return errors ? 1 : 0;
  }
  if (findings.length) io.out(formatFindings(findings));
  const warnings = findings.length - errors;
  io.out(`${project.parsed.name}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
  return errors ? 1 : 0;
}
