export { publish, publishedDir, PUBLISHED_DIR, CONTRACT_FILE, type PublishGate, type PublishResult } from './publish';
export { loadUpstreams, declaredUpstreams, type LoadUpstreamsOptions, type UpstreamSource } from './discover-upstreams';
export { nodesFromContract } from './contract-nodes';
export {
  buildPublishedManifest,
  contractPathOf,
  meshFactsOf,
  meshFactsSchema,
  parsePublishedManifest,
  publicationFacts,
  publishedManifestSchema,
  type MeshFacts,
  type PublicationFacts,
  type PublicationInput,
  type PublicationVersion,
  type PublishedFiles,
  type PublishedAccess,
  type PublishedManifest,
  type PublishedNode,
} from './published-manifest';
export { consumerView, publicationOf, type ConsumerView, type Publication } from './consumer-view';
export { planPublication, shareFile, shareFilesRoot, DATA_DIR, SHARES_DIR, type PublicationPlan } from './publication-plan';
export { pinPublication, type PinnedPublication, type PinOptions } from './read-publication';
export { listVersions, MANIFEST_FILE, VERSIONS_DIR } from './publication-store';
export { liveLeases, LEASES_DIR } from './publication-lease';
