import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeAdapterConformance } from '@mesh/conformance';
import { DuckDBAdapter } from './duckdb-adapter';

// The catalog is the file's name: `conf.duckdb` is attached as "conf".
describeAdapterConformance({
  name: 'duckdb',
  style: 'catalog',
  database: 'conf',
  open: () => DuckDBAdapter.open({ path: join(mkdtempSync(join(tmpdir(), 'mesh-conformance-duckdb-')), 'conf.duckdb') }),
});
