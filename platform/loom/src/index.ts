export { publish, publishedDir, PUBLISHED_DIR, type PublishResult } from './publish';
export { loadUpstreams, declaredUpstreams, type UpstreamSource } from './discover-upstreams';
export { publishedManifestSchema, PUBLISHED_SCHEMA_VERSION, type PublishedManifest, type PublishedNode } from './published-manifest';
