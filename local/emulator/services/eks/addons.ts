/**
 * EKS add-ons: CreateAddon's checks (catalog versions, configuration values against the add-on's
 * schema, addon-configuration.ts), DeleteAddon (with `preserve`, the add-on's Kubernetes resources
 * stay on the cluster, no longer managed by EKS), and their health: an add-on whose pods need
 * capacity (coredns) is DEGRADED until it has somewhere to run.
 */
import { randomUUID } from 'node:crypto';
import type { CreateAddonRequest } from '@aws-sdk/client-eks';
import { checkConfigurationValues } from './addon-configuration';
import { COREDNS_POD_LABELS, NEEDS_CAPACITY, addonEntry, defaultAddonVersion } from './catalog';
import { EksPart } from './context';
import type { Addon, Cluster } from './model';
import { inUse, invalidParameter, notFound } from './validation';

export class Addons extends EksPart {
  addon(clusterName: string, name: string): Addon {
    const cluster = this.cluster(clusterName);
    const addon = cluster.addons.get(name);
    if (!addon) throw notFound(`No addon: ${name} found in cluster: ${clusterName}`);
    // Self-managed nodes join with no EKS event to say so: health is looked at again as it is read.
    this.refreshAddons(cluster);
    return addon;
  }

  createAddon(clusterName: string, input: CreateAddonRequest): Addon {
    const cluster = this.usableCluster(clusterName);
    const name = input.addonName ?? '';
    const entry = addonEntry(name);
    if (!entry) throw invalidParameter(`Addon ${name} specified is not supported in ${cluster.version} Kubernetes version`);
    if (cluster.addons.has(name)) throw inUse('Addon already exists.');
    const version = input.addonVersion ?? defaultAddonVersion(name, cluster.version);
    if (!version || !entry.versions.some((v) => v.version === version && v.clusters.includes(cluster.version))) {
      throw invalidParameter(`Addon version specified is not supported: ${name} ${input.addonVersion ?? '(default)'} on Kubernetes ${cluster.version}`);
    }
    if (input.resolveConflicts && !['NONE', 'OVERWRITE', 'PRESERVE'].includes(input.resolveConflicts)) throw invalidParameter('resolveConflicts must be NONE, OVERWRITE or PRESERVE');
    if (input.configurationValues !== undefined) checkConfigurationValues(name, input.configurationValues);
    const now = this.now();
    const addon: Addon = {
      name,
      clusterName,
      status: 'CREATING',
      version,
      arn: this.arn(`addon/${clusterName}/${name}/${randomUUID()}`),
      createdAt: now,
      modifiedAt: now,
      ...(input.serviceAccountRoleArn ? { serviceAccountRoleArn: input.serviceAccountRoleArn } : {}),
      ...(input.configurationValues !== undefined ? { configurationValues: input.configurationValues } : {}),
      tags: { ...(input.tags ?? {}) },
      healthIssues: [],
    };
    cluster.addons.set(name, addon);
    // EKS takes over what a preserving delete left behind (resolveConflicts decides whose fields win).
    cluster.preservedAddons?.delete(name);
    this.after('addonCreate', `addon/${clusterName}/${name}`, { kind: 'addonCreated', clusterName, clusterId: cluster.id, name, arn: addon.arn });
    return addon;
  }

  deleteAddon(clusterName: string, name: string, preserve = false): Addon {
    const cluster = this.cluster(clusterName);
    const addon = this.addon(clusterName, name);
    if (addon.status === 'DELETING') return addon;
    addon.status = 'DELETING';
    if (preserve) addon.preserveOnDelete = true;
    addon.modifiedAt = this.now();
    this.after('addonDelete', `addon/${clusterName}/${name}`, { kind: 'addonDeleted', clusterName, clusterId: cluster.id, name, arn: addon.arn });
    return addon;
  }

  /** Where coredns can run: a nodegroup with untainted nodes, a Fargate profile selecting its pods, Auto Mode, or a Ready self-managed node. */
  hasCapacityForCoreDns(cluster: Cluster): boolean {
    const nodes = [...cluster.nodegroups.values()].some(
      (n) => (n.status === 'ACTIVE' || n.status === 'UPDATING') && n.scalingConfig.desiredSize > 0 && !n.taints.some((t) => t.effect !== 'PREFER_NO_SCHEDULE' && t.key !== 'CriticalAddonsOnly'),
    );
    const fargate = [...cluster.fargateProfiles.values()].some(
      (p) => p.status === 'ACTIVE' && p.selectors.some((s) => s.namespace === 'kube-system' && Object.entries(s.labels ?? {}).every(([k, v]) => COREDNS_POD_LABELS[k] === v)),
    );
    // Auto Mode's built-in node pools run the add-ons' pods (system's tolerate-only taint is CriticalAddonsOnly).
    const autoMode = cluster.autoMode?.enabled === true && cluster.autoMode.nodePools.length > 0;
    // Nodes EKS does not manage (a self-managed nodegroup's) count once they are Ready in Kubernetes.
    return nodes || fargate || autoMode || this.world.kubeNodes.hasSchedulableNode?.(cluster.name) === true;
  }

  /** Add-ons whose pods need capacity are DEGRADED without it and ACTIVE with it. */
  refreshAddons(cluster: Cluster): void {
    const capacity = this.hasCapacityForCoreDns(cluster);
    for (const addon of cluster.addons.values()) {
      if (addon.status !== 'ACTIVE' && addon.status !== 'DEGRADED') continue;
      const next = NEEDS_CAPACITY.has(addon.name) && !capacity ? 'DEGRADED' : 'ACTIVE';
      if (next === addon.status) continue;
      addon.status = next;
      addon.modifiedAt = this.now();
      addon.healthIssues =
        next === 'DEGRADED'
          ? [{ code: 'InsufficientNumberOfReplicas', message: "The add-on is unhealthy because it doesn't have the desired number of replicas.", resourceIds: [] }]
          : [];
    }
  }
}
