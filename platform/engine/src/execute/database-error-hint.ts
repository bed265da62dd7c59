import type { DatabaseErrorClass } from '../engines/engine-plugin';

/**
 * What to do about an error the database raised while running a node's SQL. The engine's dialect says
 * what the message means (classifyError); these say where the fix usually is in a mesh project.
 */
export function databaseErrorHint(error: DatabaseErrorClass | undefined): string {
  switch (error?.kind) {
    case 'missing-file':
      return `A source reads ${error.path}, which does not exist. Check the source's external_location and the vars or environment variables it uses, or create the file.`;
    case 'missing-relation':
      return "Read other models through ref() and raw data through source(). A source table must exist before the build: the tables a domain's ingest.yml declares are loaded by `mesh ingest`. Another domain's tables are reachable only as its public models, with ref('domain', 'model').";
    case 'missing-column':
      return `Column ${error.column} is not produced by the relation it is read from; check the upstream model's columns (mesh ls, or target/manifest.json).`;
    case 'conversion':
      return 'A value does not convert to the type asked for; cast or filter it explicitly (try_cast returns null instead of failing).';
    case 'constraint':
      return "The rows break a constraint declared in the model's contract (not_null, unique, primary_key, check); fix the data or the constraint.";
    case 'syntax':
      return 'The compiled SQL does not parse; compare the model with its compiled form in target/compiled/.';
    default:
      return 'The database rejected the compiled SQL; see target/compiled/ for the statement as it was run.';
  }
}
