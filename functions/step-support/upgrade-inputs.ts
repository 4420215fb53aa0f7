/**
 * What an upgrade's preflight reads from EKS, in one place: the Preflight step (after an insights
 * refresh) and `POST /clusters/{name}/upgrade?dryRun=true` (with the insights as they are) plan
 * from the same answers, so a dry run shows what the workflow would decide. Self-managed
 * nodegroups, of which EKS knows nothing, come from the spec, with the version the service last
 * read on their nodes (the registry's nodeVersions, which both have at hand).
 */
import type { ClusterVersionInformation } from '@aws-sdk/client-eks';
import { planUpgrade, versionSnapshot, type UpgradePlan, type VersionSnapshot } from '../domain/upgrade/plan';
import { selfManagedInputs, selfManagedVersion, type PreflightInput } from '../domain/upgrade/preflight';
import { upgradePasses, upgradeRefusal } from '../domain/upgrade/versions';
import type { Spec } from '../domain/spec';
import type { EksPort, Insight, InsightSummary } from '../ports/eks';
import type { NodeVersions } from '../ports/registry';
import { readAddons, readNodegroups } from './live-versions';
import type { Settings } from '../shared/deps';
import { ChangeRefusedError } from '../shared/errors';

export interface UpgradeReading {
  input: PreflightInput;
  /** The versions of the cluster's parts as read. */
  before: VersionSnapshot;
}

/** The category of insights that speak of an upgrade (MISCONFIGURATION ones do not stop one). */
const UPGRADE_READINESS = 'UPGRADE_READINESS';

/**
 * Reads everything preflight judges. Insights are listed for the passes the control plane makes
 * (an insight's kubernetesVersion is the version it checks readiness for); an ERROR is described
 * too, for its recommendation, since that is what the person reading a refusal needs.
 */
export async function readUpgradeInputs(deps: { eks: EksPort; settings: Pick<Settings, 'guardrails'> }, name: string, spec: Spec, targetVersion: string, nodeVersions: NodeVersions = {}): Promise<UpgradeReading> {
  const cluster = await deps.eks.describeCluster(name);
  if (!cluster?.version) throw new ChangeRefusedError('EKS does not know this cluster (DescribeCluster found none)', { resource: `cluster ${name}` });
  const currentVersion = cluster.version;
  const passes = upgradeRefusal(currentVersion, targetVersion) ? [] : upgradePasses(currentVersion, targetVersion);
  const [offered, insights, addons, nodegroups] = await Promise.all([
    deps.eks.clusterVersions().then((versions) => versions.map((v): ClusterVersionInformation => ({ clusterVersion: v.version, ...(v.status ? { versionStatus: v.status } : {}) }))),
    passes.length > 0 ? readInsights(deps, name, passes) : Promise.resolve([]),
    readAddons(deps, name),
    readNodegroups(deps, name),
  ]);
  const addonVersions = (await Promise.all(addons.map((a) => deps.eks.addonVersions(a.addonName!)))).filter((info) => info !== undefined);
  const selfManaged = selfManagedInputs(spec, nodeVersions);
  const input: PreflightInput = {
    clusterName: name,
    ...(cluster.status ? { clusterStatus: cluster.status } : {}),
    currentVersion,
    targetVersion,
    offeredVersions: offered,
    guardrails: { kubernetesVersions: deps.settings.guardrails().kubernetesVersions },
    insights,
    addons,
    addonVersions,
    pinnedAddons: spec.addons.map((a) => ({ name: a.name, ...(a.version ? { version: a.version } : {}) })),
    nodegroups,
    selfManagedNodegroups: selfManaged,
  };
  // A nodegroup never read is taken to run the control plane's version, as the plan takes it.
  return { input, before: versionSnapshot(currentVersion, addons, nodegroups, selfManaged.map((ng) => ({ ...ng, version: selfManagedVersion(ng, currentVersion) }))) };
}

/** The plan from a reading: what the dry run answers and the Preflight step judges. */
export function planFrom(reading: UpgradeReading, force: boolean): UpgradePlan {
  return planUpgrade({ ...reading.input, force });
}

async function readInsights(deps: { eks: EksPort }, name: string, passes: string[]): Promise<Array<InsightSummary | Insight>> {
  const summaries = await deps.eks.listInsights(name, { categories: [UPGRADE_READINESS], kubernetesVersions: passes });
  return Promise.all(summaries.map(async (summary) => (summary.insightStatus?.status === 'ERROR' && summary.id ? ((await deps.eks.describeInsight(name, summary.id)) ?? summary) : summary)));
}
