/**
 * What to do about an error the database raised while running a node's SQL. DuckDB's messages say what
 * went wrong; these say where the fix usually is in a mesh project.
 */
const HINTS: Array<[RegExp, string]> = [
  [/No files found that match the pattern "([^"]+)"/, 'A source reads $1, which does not exist. Check the source\'s external_location and the vars or environment variables it uses, or create the file.'],
  [/Catalog Error: Table with name (\w+) does not exist/, 'Read other models through ref() and raw data through source(). A source table must exist before the build: the tables a domain\'s ingest.yml declares are loaded by `mesh ingest`. Another domain\'s tables are reachable only as its public models, with ref(\'domain\', \'model\').'],
  [/Binder Error: (?:Referenced column|Values list) "?(\w+)"? (?:not found|does not have)/, 'Column $1 is not produced by the relation it is read from; check the upstream model\'s columns (mesh ls, or target/manifest.json).'],
  [/Conversion Error/, 'A value does not convert to the type asked for; cast or filter it explicitly (try_cast returns null instead of failing).'],
  [/Constraint Error/, 'The rows break a constraint declared in the model\'s contract (not_null, unique, primary_key, check); fix the data or the constraint.'],
  [/Parser Error/, 'The compiled SQL does not parse; compare the model with its compiled form in target/compiled/.'],
];

export function databaseErrorHint(message: string): string {
  for (const [pattern, hint] of HINTS) {
    const m = pattern.exec(message);
    if (m) return hint.replace('$1', m[1] ?? '');
  }
  return 'The database rejected the compiled SQL; see target/compiled/ for the statement as it was run.';
}
