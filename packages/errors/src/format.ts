import { MeshError } from './mesh-error';

function where(error: MeshError): string {
  const loc = error.location;
  if (!loc) return '';
  let text = loc.file;
  if (loc.line !== undefined) text += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) text += `:${loc.column}`;
  return text;
}

/** Renders an error the way the CLI prints it: code, place, node, message, details, hint; then any related ones. */
export function formatError(error: unknown): string {
  if (error instanceof MeshError && error.related.length) {
    const all = [error, ...error.related];
    return [...all.map((e) => formatOne(e)), `${all.length} errors`].join('\n');
  }
  return formatOne(error);
}

function formatOne(error: unknown): string {
  if (!(error instanceof MeshError)) {
    const message = error instanceof Error ? error.message : String(error);
    return `error: ${message}`;
  }
  const place = where(error);
  const head = [`error[${error.code}]`, place && `${place}:`, error.node && `(${error.node})`]
    .filter(Boolean)
    .join(' ');
  const lines = [`${head} ${error.message}`];
  if (error.details) lines.push(error.details.replace(/^/gm, '  '));
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  return lines.join('\n');
}
