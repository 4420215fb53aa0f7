/**
 * UpdateAddon: an add-on moves to another version (one that runs on the cluster's Kubernetes
 * version, per the catalog's compatibilities), other configuration values or another service
 * account role, as an AddonUpdate the cluster's updates list (DescribeUpdate with addonName). The
 * add-on is UPDATING until the update's transition is due, then ACTIVE (or DEGRADED when its pods
 * still have nowhere to run). An update that changes nothing is accepted, as EKS accepts it.
 */
import type { UpdateAddonRequest } from '@aws-sdk/client-eks';
import { addonEntry } from './catalog';
import { checkConfigurationValues } from './addon-configuration';
import { EksPart } from './context';
import type { Update } from './model';
import { inUse, invalidParameter } from './validation';

const RESOLVE_CONFLICTS = ['NONE', 'OVERWRITE', 'PRESERVE'];

export class AddonUpdates extends EksPart {
  updateAddon(clusterName: string, name: string, input: UpdateAddonRequest): Update {
    const cluster = this.cluster(clusterName);
    const addon = this.parts.addons.addon(clusterName, name);
    const repeated = this.parts.updates.byToken(cluster, input.clientRequestToken, `addon/${name}`);
    if (repeated) return repeated;
    const running = [...cluster.updates.values()].find((u) => u.status === 'InProgress' && u.addonName === name);
    if (running) throw inUse(`Addon ${name} has update ${running.id} in progress`);
    if (addon.status !== 'ACTIVE' && addon.status !== 'DEGRADED') throw inUse(`Addon ${name} is in ${addon.status} status and cannot be updated`);

    const version = input.addonVersion || addon.version;
    const entry = addonEntry(name);
    if (!entry?.versions.some((v) => v.version === version && v.clusters.includes(cluster.version))) {
      throw invalidParameter(`Addon version specified is not supported: ${name} ${version} on Kubernetes ${cluster.version}`);
    }
    if (input.resolveConflicts !== undefined && !RESOLVE_CONFLICTS.includes(input.resolveConflicts)) throw invalidParameter(`resolveConflicts must be ${RESOLVE_CONFLICTS.join(', ')}`);
    if (input.configurationValues !== undefined) checkConfigurationValues(name, input.configurationValues);
    if (input.serviceAccountRoleArn) this.requireRole(input.serviceAccountRoleArn, 'serviceAccountRoleArn');

    // Unlike UpdateNodegroupVersion, EKS accepts an UpdateAddon that changes nothing (aws/aws-sdk-go-v2#2554:
    // without addonVersion the call "runs but does nothing"): it is an update that succeeds.
    return this.parts.updates.startUpdate(
      cluster,
      {
        type: 'AddonUpdate',
        params: [
          { type: 'AddonVersion', value: version },
          ...(input.configurationValues !== undefined ? [{ type: 'ConfigurationValues', value: input.configurationValues }] : []),
          ...(input.resolveConflicts !== undefined ? [{ type: 'ResolveConflicts', value: input.resolveConflicts }] : []),
          ...(input.serviceAccountRoleArn !== undefined ? [{ type: 'ServiceAccountRoleArn', value: input.serviceAccountRoleArn }] : []),
        ],
        addonName: name,
      },
      input.clientRequestToken,
      'addonUpdate',
      {
        kind: 'addon',
        addon: name,
        version,
        ...(input.configurationValues !== undefined ? { configurationValues: input.configurationValues } : {}),
        ...(input.serviceAccountRoleArn !== undefined ? { serviceAccountRoleArn: input.serviceAccountRoleArn } : {}),
      },
    );
  }
}
