export { publish, publishedDir, PUBLISHED_DIR, type PublishGate, type PublishResult } from './publish';
export { loadUpstreams, declaredUpstreams, type LoadUpstreamsOptions, type UpstreamSource } from './discover-upstreams';
export { nodesFromContract } from './contract-nodes';
export {
  buildPublishedManifest,
  meshFactsOf,
  meshFactsSchema,
  publicationFacts,
  publishedManifestSchema,
  type MeshFacts,
  type PublicationFacts,
  type PublicationInput,
  type PublishedFiles,
  type PublishedAccess,
  type PublishedManifest,
  type PublishedNode,
} from './published-manifest';
export { consumerView, publicationOf, type ConsumerView, type Publication } from './consumer-view';
export { planPublication, shareFile, SHARES_DIR, type PublicationPlan } from './publication-plan';
