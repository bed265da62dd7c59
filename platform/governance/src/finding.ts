import type { PolicyName, Severity } from './policy-config';

/** What a policy found: one place in one file, in words the domain team can act on. */
export interface Finding {
  /** The policy that found it; `policy-override` when a domain tried to weaken a global policy. */
  policy: PolicyName | 'policy-override';
  severity: Severity;
  message: string;
  /** Relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based line of the offending entry (the YAML entry, or the SQL line of a ref). */
  line: number;
  /** The node it is about, as a unique id. */
  node?: string;
  hint: string;
}

/** Findings in file and line order, so a team reads a file top to bottom. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.policy.localeCompare(b.policy) || a.message.localeCompare(b.message));
}

/** `file:line  severity  policy  message`, with the hint indented below each. */
export function formatFindings(findings: readonly Finding[]): string {
  return sortFindings(findings)
    .map((f) => `${f.file}:${f.line}  ${f.severity}  ${f.policy}  ${f.message}\n  hint: ${f.hint}`)
    .join('\n');
}
