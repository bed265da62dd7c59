export { MeshError, isMeshError, type MeshErrorOptions, type SourceLocation } from './mesh-error';
export { formatError } from './format';
export { thrownMeshError } from './thrown';
export { errnoOf, fileSystemError, fileSystemErrorFor, isFileSystemErrno } from './file-system';
