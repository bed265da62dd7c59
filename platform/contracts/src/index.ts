export { contractFromProject, publicModels, type ContractOptions, type ProductInfo } from './from-project';
export { CONTRACTS_DIR, latestRelease, listReleases, readRelease, releasePath, releaseSatisfying, writeRelease, type Release, type ReleaseOutcome } from '@mesh/contract';
export { bumpBetween, covers, findWorkspaceRoot, maxBump, packageJson, pendingRelease, type Bump, type PendingRelease } from './changesets';
export { checkUsage, resolveInContract, type OpenScratchDatabase, type ScratchDatabase, type UsageProblem } from './usage';
export { checkProducer, type CheckError, type ProducerCheckOptions, type ProducerReport } from './check-producer';
export { checkConsumer, type ConsumerCheckOptions, type UpstreamCheck } from './check-consumer';
export { gateRelease, type ReleaseGate } from './enforce';
export { workspaceProjects } from './workspace';
