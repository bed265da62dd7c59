export { TrinoAdapter, type TrinoAdapterOptions } from './trino-adapter';
export { TrinoClient, TrinoQueryError, TrinoHttpError, type TrinoServer, type TrinoResult } from './client';
export { fromTrinoType, toTrinoType } from './dialect';
export { accessRules, type MeshAccess } from './access-rules';
export { clusterFiles, catalogProperties, passwordLine, type ClusterSpec, type NodeSpec } from './cluster-config';
export { importShare, type ImportedRelation } from './import-share';
