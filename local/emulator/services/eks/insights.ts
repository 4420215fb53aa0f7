/**
 * Upgrade insights: EKS's UPGRADE_READINESS checks for the cluster's next minor version
 * (ListInsights, DescribeInsight) and their refresh (StartInsightsRefresh, DescribeInsightsRefresh).
 *
 * The checks run when insights are first asked for, when a refresh completes (a short while after
 * StartInsightsRefresh, IN_PROGRESS → COMPLETED), and again once a day or after the cluster's
 * version changed, as EKS refreshes them on its own. Between runs the results stay as they were,
 * as in AWS: after fixing something, refresh to see it.
 *
 * Real checks: "Kubelet version skew" (nodes more than three minors behind the next version are an
 * ERROR, nodes behind the control plane a WARNING), "EKS add-on version compatibility" (installed
 * add-ons whose version does not run on the next version), "Amazon Linux 2 compatibility" (no AL2
 * AMIs from 1.33), "Deprecated APIs removed in Kubernetes v1.xx" (for versions that remove APIs; no
 * client of the emulator uses them). "Cluster health issues" passes, as the emulated control plane
 * has none. The `insight` fault adds an insight (or sets a built-in one's status).
 */
import { createHash } from 'node:crypto';
import { nodegroupInstanceIds } from '../ec2/nodegroup-capacity';
import { addonEntry, KUBERNETES_VERSIONS, minor } from './catalog';
import { EksPart } from './context';
import type { Cluster, InsightRecord, InsightResource, InsightsSnapshot, InsightStatusValue } from './model';
import { invalidParameter, notFound } from './validation';
import { REMOVED_APIS } from './version-catalog';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_KUBELET_SKEW = 3;
const STATUSES: InsightStatusValue[] = ['PASSING', 'WARNING', 'ERROR', 'UNKNOWN'];
const CATEGORIES = ['UPGRADE_READINESS', 'MISCONFIGURATION'];
const seconds = (date: Date) => date.getTime() / 1000;

type Check = Pick<InsightRecord, 'name' | 'description' | 'recommendation' | 'additionalInfo' | 'resources'> & {
  status: InsightStatusValue;
  reason: string;
  deprecationDetails?: InsightRecord['categorySpecificSummary']['deprecationDetails'];
  addonCompatibilityDetails?: InsightRecord['categorySpecificSummary']['addonCompatibilityDetails'];
};

const UPGRADE_DOCS = { 'EKS update cluster': 'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html' };

export class Insights extends EksPart {
  /** The version the cluster would upgrade to, when the catalog has one. */
  private nextVersion(cluster: Cluster): string | undefined {
    return KUBERNETES_VERSIONS.find((v) => minor(v) === minor(cluster.version) + 1);
  }

  /** The insights as last computed, computed now when never done, a day old, or for another cluster version. */
  private snapshot(cluster: Cluster): InsightsSnapshot {
    const current = cluster.insights;
    const now = this.now();
    const stale = !current || current.clusterVersion !== cluster.version || (current.refresh.status !== 'IN_PROGRESS' && now.getTime() - (current.refresh.endedAt ?? current.refresh.startedAt).getTime() > DAY_MS);
    if (stale) cluster.insights = { clusterVersion: cluster.version, insights: this.compute(cluster), refresh: { status: 'COMPLETED', startedAt: now, endedAt: now } };
    return cluster.insights!;
  }

  /** The names of the UPGRADE_READINESS insights in ERROR for an upgrade to `version`, as last run. */
  blockingInsights(cluster: Cluster, version: string): string[] {
    return this.snapshot(cluster)
      .insights.filter((i) => i.category === 'UPGRADE_READINESS' && i.kubernetesVersion === version && i.insightStatus.status === 'ERROR')
      .map((i) => i.name);
  }

  startInsightsRefresh(clusterName: string): { message: string; status: string } {
    const cluster = this.cluster(clusterName);
    const snapshot = this.snapshot(cluster);
    if (snapshot.refresh.status !== 'IN_PROGRESS') {
      snapshot.refresh = { status: 'IN_PROGRESS', startedAt: this.now() };
      this.after('insightsRefresh', `cluster/${cluster.name}:insights`, { kind: 'insightsRefreshed', clusterName: cluster.name, clusterId: cluster.id });
    }
    return { message: 'Insights refresh is in progress', status: 'IN_PROGRESS' };
  }

  /** The refresh's transition: the checks run again. */
  finishRefresh(cluster: Cluster): void {
    const snapshot = cluster.insights;
    if (!snapshot || snapshot.refresh.status !== 'IN_PROGRESS') return;
    snapshot.insights = this.compute(cluster);
    snapshot.clusterVersion = cluster.version;
    snapshot.refresh = { ...snapshot.refresh, status: 'COMPLETED', endedAt: this.now() };
  }

  describeInsightsRefresh(clusterName: string) {
    const { refresh } = this.snapshot(this.cluster(clusterName));
    return {
      message: refresh.status === 'IN_PROGRESS' ? 'Insights refresh is in progress' : 'Insights refresh completed successfully',
      status: refresh.status,
      startedAt: seconds(refresh.startedAt),
      ...(refresh.endedAt ? { endedAt: seconds(refresh.endedAt) } : {}),
    };
  }

  listInsights(clusterName: string, filter: { categories?: string[]; kubernetesVersions?: string[]; statuses?: string[] } | undefined) {
    for (const category of filter?.categories ?? []) if (!CATEGORIES.includes(category)) throw invalidParameter(`Invalid category ${category}; valid categories are ${CATEGORIES.join(', ')}`);
    for (const status of filter?.statuses ?? []) if (!STATUSES.includes(status as InsightStatusValue)) throw invalidParameter(`Invalid status ${status}; valid statuses are ${STATUSES.join(', ')}`);
    return this.snapshot(this.cluster(clusterName))
      .insights.filter(
        (i) =>
          (!filter?.categories?.length || filter.categories.includes(i.category)) &&
          (!filter?.kubernetesVersions?.length || filter.kubernetesVersions.includes(i.kubernetesVersion)) &&
          (!filter?.statuses?.length || filter.statuses.includes(i.insightStatus.status)),
      )
      .map((i) => ({
        id: i.id,
        name: i.name,
        category: i.category,
        kubernetesVersion: i.kubernetesVersion,
        lastRefreshTime: seconds(i.lastRefreshTime),
        lastTransitionTime: seconds(i.lastTransitionTime),
        description: i.description,
        insightStatus: { ...i.insightStatus },
      }));
  }

  describeInsight(clusterName: string, id: string) {
    const insight = this.snapshot(this.cluster(clusterName)).insights.find((i) => i.id === id);
    if (!insight) throw notFound(`No insight found for id: ${id}`);
    return {
      ...insight,
      lastRefreshTime: seconds(insight.lastRefreshTime),
      lastTransitionTime: seconds(insight.lastTransitionTime),
      categorySpecificSummary: {
        ...insight.categorySpecificSummary,
        deprecationDetails: insight.categorySpecificSummary.deprecationDetails.map((d) => ({ ...d, clientStats: d.clientStats.map((c) => ({ ...c, lastRequestTime: seconds(c.lastRequestTime) })) })),
      },
    };
  }

  /** Runs the checks: the built-in ones for the next version, then the faults' insights. */
  private compute(cluster: Cluster): InsightRecord[] {
    const next = this.nextVersion(cluster);
    const checks: Array<Check & { version: string }> = next ? this.builtInChecks(cluster, next).map((c) => ({ ...c, version: next })) : [];
    // EKS reports readiness for the next version only: a fault naming another version waits until it is the next.
    for (const rule of next ? this.world.faults.insights(cluster.name, next) : []) {
      const builtIn = checks.find((c) => c.name === rule.name && c.version === rule.kubernetesVersion);
      const reason = rule.description ?? `${rule.name} reported ${rule.status}`;
      if (builtIn) Object.assign(builtIn, { status: rule.status, reason, ...(rule.recommendation ? { recommendation: rule.recommendation } : {}) });
      else checks.push({ name: rule.name, version: rule.kubernetesVersion, status: rule.status, reason, description: rule.description ?? rule.name, recommendation: rule.recommendation ?? '', additionalInfo: {}, resources: [] });
    }
    const now = this.now();
    const previous = new Map((cluster.insights?.insights ?? []).map((i) => [i.id, i]));
    return checks.map((check) => {
      const id = insightId(cluster, check.name, check.version);
      const before = previous.get(id);
      return {
        id,
        name: check.name,
        category: 'UPGRADE_READINESS',
        kubernetesVersion: check.version,
        lastRefreshTime: now,
        lastTransitionTime: before && before.insightStatus.status === check.status ? before.lastTransitionTime : now,
        description: check.description,
        insightStatus: { status: check.status, reason: check.reason },
        recommendation: check.recommendation,
        additionalInfo: check.additionalInfo,
        resources: check.resources,
        categorySpecificSummary: { deprecationDetails: check.deprecationDetails ?? [], addonCompatibilityDetails: check.addonCompatibilityDetails ?? [] },
      };
    });
  }

  private builtInChecks(cluster: Cluster, next: string): Check[] {
    const checks = [this.kubeletSkew(cluster, next), this.addonCompatibility(cluster, next), clusterHealth(), this.amazonLinux2(cluster, next)];
    const removed = REMOVED_APIS[next];
    if (removed) {
      checks.push({
        name: `Deprecated APIs removed in Kubernetes v${next}`,
        description: `Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v${next}. Upgrading your cluster before migrating to the updated APIs supported by v${next} could cause application impact.`,
        status: 'PASSING',
        reason: 'No deprecated API usage detected within the last 30 days.',
        recommendation: `Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v${next}.`,
        additionalInfo: { 'Kubernetes API deprecation guide': 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/' },
        resources: [],
        deprecationDetails: removed.map((d) => ({ ...d, clientStats: [] })),
      });
    }
    return checks;
  }

  private kubeletSkew(cluster: Cluster, next: string): Check {
    const resources: InsightResource[] = [];
    let status: InsightStatusValue = 'PASSING';
    for (const nodegroup of cluster.nodegroups.values()) {
      const lag = minor(next) - minor(nodegroup.version);
      const nodeStatus: InsightStatusValue = lag > MAX_KUBELET_SKEW ? 'ERROR' : minor(nodegroup.version) < minor(cluster.version) ? 'WARNING' : 'PASSING';
      if (nodeStatus === 'PASSING') continue;
      if (nodeStatus === 'ERROR' || status === 'PASSING') status = nodeStatus;
      const reason = nodeStatus === 'ERROR' ? `Kubelet version ${nodegroup.version} would be more than ${MAX_KUBELET_SKEW} minor versions older than ${next}.` : `Kubelet version ${nodegroup.version} is older than the control plane's ${cluster.version}.`;
      for (const id of nodegroupInstanceIds(this.world, nodegroup)) {
        const node = this.world.ec2.instances.get(id)?.privateDnsName;
        if (node) resources.push({ insightStatus: { status: nodeStatus, reason }, kubernetesResourceUri: `/api/v1/nodes/${node}`, arn: nodegroup.arn });
      }
    }
    return {
      name: 'Kubelet version skew',
      description: 'Checks for kubelet versions of worker nodes in the cluster to see if upgrade would cause non compliance with supported Kubernetes kubelet version skew policy.',
      status,
      reason: status === 'PASSING' ? 'Node kubelet versions match the cluster control plane version.' : status === 'ERROR' ? `Node(s) would be more than ${MAX_KUBELET_SKEW} minor versions behind the control plane after upgrading to ${next}.` : 'Node(s) kubelet version lag the control plane; they stay within the supported skew after the upgrade.',
      recommendation: 'Upgrade your worker nodes to match the Kubernetes version of your cluster control plane.',
      additionalInfo: { 'Kubelet version skew policy': 'https://kubernetes.io/releases/version-skew-policy/#kubelet', 'Updating a managed node group': 'https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html' },
      resources,
    };
  }

  private addonCompatibility(cluster: Cluster, next: string): Check {
    const details: Array<{ name: string; compatibleVersions: string[] }> = [];
    const resources: InsightResource[] = [];
    const incompatible: string[] = [];
    for (const addon of cluster.addons.values()) {
      const versions = addonEntry(addon.name)?.versions ?? [];
      const compatibleVersions = versions.filter((v) => v.clusters.includes(next)).map((v) => v.version);
      details.push({ name: addon.name, compatibleVersions });
      if (!compatibleVersions.includes(addon.version) && !withinKubeProxySkew(addon.name, addon.version, next)) {
        incompatible.push(`${addon.name} ${addon.version}`);
        resources.push({ insightStatus: { status: 'ERROR', reason: `Add-on ${addon.name} version ${addon.version} is not compatible with Kubernetes ${next}.` }, arn: addon.arn });
      }
    }
    const status: InsightStatusValue = resources.length ? 'ERROR' : 'PASSING';
    return {
      name: 'EKS add-on version compatibility',
      description: 'Checks version of installed EKS add-ons to ensure they are compatible with the next version of Kubernetes.',
      status,
      reason: status === 'PASSING' ? 'All installed EKS add-on versions are compatible with next Kubernetes version.' : `Add-on versions not compatible with Kubernetes ${next}: ${incompatible.join(', ')}.`,
      recommendation: 'Upgrade your EKS add-on to a version compatible with the next Kubernetes version.',
      additionalInfo: { 'Updating an add-on': 'https://docs.aws.amazon.com/eks/latest/userguide/updating-an-add-on.html' },
      resources,
      addonCompatibilityDetails: details,
    };
  }

  private amazonLinux2(cluster: Cluster, next: string): Check {
    // EKS publishes no Amazon Linux 2 AMIs from Kubernetes 1.33 on.
    const blocked = minor(next) >= 33 ? [...cluster.nodegroups.values()].filter((n) => n.amiType.startsWith('AL2_')) : [];
    const status: InsightStatusValue = blocked.length ? 'ERROR' : 'PASSING';
    return {
      name: 'Amazon Linux 2 compatibility',
      description: 'Checks if any nodes in the cluster are running Amazon Linux 2, which is not supported in Kubernetes 1.33 and later.',
      status,
      reason: status === 'PASSING' ? 'No Amazon Linux 2 nodes detected.' : `Node groups use Amazon Linux 2 AMIs: ${blocked.map((n) => n.name).join(', ')}.`,
      recommendation: 'Migrate your nodes to Amazon Linux 2023 or Bottlerocket before upgrading.',
      additionalInfo: { 'Amazon Linux 2023': 'https://docs.aws.amazon.com/eks/latest/userguide/al2023.html' },
      resources: blocked.map((n) => ({ insightStatus: { status: 'ERROR' as const, reason: `Node group ${n.name} uses ${n.amiType}.` }, arn: n.arn })),
    };
  }
}

/**
 * kube-proxy follows Kubernetes' skew policy, as the kubelet does: a version built for an older
 * minor keeps working up to three minors behind the control plane (EKS's kube-proxy guide), so it
 * is upgraded after the control plane rather than blocking it.
 */
function withinKubeProxySkew(addon: string, version: string, next: string): boolean {
  const built = /^v1\.(\d+)\./.exec(version)?.[1];
  if (addon !== 'kube-proxy' || built === undefined) return false;
  const lag = minor(next) - Number(built);
  return lag >= 0 && lag <= MAX_KUBELET_SKEW;
}

function clusterHealth(): Check {
  return {
    name: 'Cluster health issues',
    description: 'Checks for any cluster health issues that prevent successful upgrade to the next Kubernetes version on EKS.',
    status: 'PASSING',
    reason: 'No cluster health issues detected.',
    recommendation: 'Refer to the insight recommendation for the health issue(s) found.',
    additionalInfo: UPGRADE_DOCS,
    resources: [],
  };
}

/** A stable id per check, version and cluster, shaped like EKS's (a UUID). */
function insightId(cluster: Cluster, name: string, version: string): string {
  const hex = createHash('sha256').update(`${cluster.id}/${name}/${version}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
