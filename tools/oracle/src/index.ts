export { ORACLE_DIR, VENV, oracleBin, hasOracle, requireOracle, oracleEnv, runOracle, type ToolResult } from './venv';
export { dbt, readDbtProject, writeDuckdbProfile, type DbtOptions } from './dbt';
export { datacontract } from './datacontract';
export { checkDbtArtifacts, dbtDocsPage, dbtJsonSchemas, formatVerdicts, type ArtifactKind, type ArtifactVerdict } from './dbt-artifacts';
export { compareDatabases, formatComparison, type CompareOptions, type DatabaseComparison, type RelationDiff, type RelationId } from './compare';
export { differential, copyProject, type Differential, type DifferentialOptions, type SideResult } from './differential';
