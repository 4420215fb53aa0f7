/**
 * EKS updates: UpdateClusterConfig (endpoint access, logging, authentication mode; the settings
 * deletion protection, upgrade policy and zonal shift come from settings.ts),
 * UpdateClusterVersion and the nodegroup updates nodegroups.ts starts; one in progress at a time,
 * deduplicated by clientRequestToken, finished (or failed by a fault) when their transition is due.
 */
import { randomUUID } from 'node:crypto';
import type { UpdateClusterConfigRequest, UpdateClusterVersionRequest } from '@aws-sdk/client-eks';
import type { DurationKind } from '../../durations';
import { scaleNodegroupCapacity } from '../ec2/nodegroup-capacity';
import { KUBERNETES_VERSIONS, LOG_TYPES, PLATFORM_VERSION, minor } from './catalog';
import { checkCidrs, nextLogTypes } from './clusters';
import { EksPart } from './context';
import { SETTING_MEMBERS } from './settings';
import { asksAutoMode } from './auto-mode';
import { AUTHENTICATION_LADDER, type AuthenticationMode, type Cluster, type Update, type UpdateChange } from './model';
import { asBoolean, inUse, invalidParameter, invalidRequest, notFound } from './validation';

/** How many minor versions a kubelet may lag the control plane (Kubernetes' skew policy since 1.28). */
const MAX_KUBELET_SKEW = 3;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

export class Updates extends EksPart {
  inProgressUpdate(cluster: Cluster, nodegroupName?: string): Update | undefined {
    return [...cluster.updates.values()].find((u) => u.status === 'InProgress' && u.nodegroupName === nodegroupName && !u.addonName);
  }

  /** Same clientRequestToken, same update: a retried call does not start a second one. */
  byToken(cluster: Cluster, token: string | undefined, scope: string): Update | undefined {
    const id = token ? cluster.updateTokens.get(`${scope}/${token}`) : undefined;
    return id ? cluster.updates.get(id) : undefined;
  }

  startUpdate(
    cluster: Cluster,
    fields: Pick<Update, 'type' | 'params'> & { nodegroupName?: string; addonName?: string },
    token: string | undefined,
    kind: DurationKind,
    change: UpdateChange,
  ): Update {
    const update: Update = { id: randomUUID(), status: 'InProgress', createdAt: this.now(), errors: [], ...fields };
    cluster.updates.set(update.id, update);
    if (token) cluster.updateTokens.set(`${fields.nodegroupName ?? (fields.addonName ? `addon/${fields.addonName}` : '')}/${token}`, update.id);
    const nodegroup = fields.nodegroupName ? cluster.nodegroups.get(fields.nodegroupName) : undefined;
    const addon = fields.addonName ? cluster.addons.get(fields.addonName) : undefined;
    if (nodegroup) nodegroup.status = 'UPDATING';
    else if (addon) addon.status = 'UPDATING';
    else cluster.status = 'UPDATING';
    const resource = fields.nodegroupName ? `nodegroup/${cluster.name}/${fields.nodegroupName}` : fields.addonName ? `addon/${cluster.name}/${fields.addonName}` : `cluster/${cluster.name}`;
    this.after(kind, `${resource}:${fields.type}`, { kind: 'updateFinished', clusterName: cluster.name, clusterId: cluster.id, updateId: update.id, change });
    return update;
  }

  finishUpdate(cluster: Cluster, updateId: string, change: UpdateChange): void {
    const update = cluster.updates.get(updateId);
    if (!update || update.status !== 'InProgress') return;
    const nodegroup = update.nodegroupName ? cluster.nodegroups.get(update.nodegroupName) : undefined;
    const addon = update.addonName ? cluster.addons.get(update.addonName) : undefined;
    const failure = this.world.faults.updateFailure(update.type);
    if (failure) {
      update.status = 'Failed';
      update.errors = [{ errorCode: 'Unknown', errorMessage: failure, resourceIds: [update.nodegroupName ?? update.addonName ?? cluster.name] }];
    } else {
      this.applyChange(cluster, change);
      update.status = 'Successful';
    }
    if (nodegroup) {
      if (nodegroup.status === 'UPDATING') nodegroup.status = 'ACTIVE';
      nodegroup.modifiedAt = this.now();
      this.parts.addons.refreshAddons(cluster);
    } else if (addon) {
      // ACTIVE again, then DEGRADED if its pods still have nowhere to run.
      if (addon.status === 'UPDATING') addon.status = 'ACTIVE';
      addon.modifiedAt = this.now();
      this.parts.addons.refreshAddons(cluster);
    } else if (update.addonName) {
      // The add-on was deleted meanwhile; the cluster was never UPDATING for it.
    } else if (cluster.status === 'UPDATING') {
      cluster.status = 'ACTIVE';
    }
  }

  private applyChange(cluster: Cluster, change: UpdateChange): void {
    switch (change.kind) {
      case 'deletionProtection':
      case 'upgradePolicy':
      case 'zonalShift':
      case 'encryption':
        this.parts.settings.apply(cluster, change);
        return;
      case 'endpointAccess':
        Object.assign(cluster.vpc, change.vpc);
        return;
      case 'logging':
        cluster.enabledLogTypes = change.enabledLogTypes;
        return;
      case 'authenticationMode':
        cluster.authenticationMode = change.to;
        if (change.from === 'CONFIG_MAP') this.parts.accessEntries.enableAccessEntries(cluster);
        return;
      case 'version':
        cluster.version = change.version;
        return;
      case 'autoMode':
        this.parts.autoMode.apply(cluster, change.config);
        return;
      case 'addon': {
        const addon = cluster.addons.get(change.addon);
        if (!addon) return;
        addon.version = change.version;
        if (change.configurationValues !== undefined) addon.configurationValues = change.configurationValues;
        if (change.serviceAccountRoleArn !== undefined) addon.serviceAccountRoleArn = change.serviceAccountRoleArn;
        return;
      }
      case 'nodegroupConfig': {
        const nodegroup = cluster.nodegroups.get(change.nodegroup);
        if (!nodegroup) return;
        Object.assign(nodegroup, { scalingConfig: change.scalingConfig, labels: change.labels, taints: change.taints, updateConfig: change.updateConfig });
        scaleNodegroupCapacity(this.world, cluster, nodegroup);
        return;
      }
      default: {
        const unknown: never = change;
        throw new Error(`unknown update change ${JSON.stringify(unknown)}`);
      }
    }
  }

  updateClusterConfig(name: string, input: UpdateClusterConfigRequest): Update {
    const cluster = this.cluster(name);
    const repeated = this.byToken(cluster, input.clientRequestToken, '');
    if (repeated) return repeated;

    // Auto Mode's three members are one kind of update (auto-mode.ts); any other use of them the local emulator does not make.
    const autoMode = asksAutoMode(input);
    const network = input.kubernetesNetworkConfig;
    const otherNetwork = network !== undefined && (!autoMode || Object.keys(network).some((key) => key !== 'elasticLoadBalancing' && (network as Record<string, unknown>)[key] !== undefined));
    const unsupported = [...(otherNetwork ? ['kubernetesNetworkConfig'] : []), ...(['remoteNetworkConfig', 'controlPlaneScalingConfig'] as const).filter((k) => (input as unknown as Record<string, unknown>)[k] !== undefined)];
    if (unsupported.length) throw invalidParameter(`The local emulator does not update ${unsupported.join(', ')}`);
    const kinds = [...(autoMode ? ['computeConfig'] : []), ...(['resourcesVpcConfig', 'logging', 'accessConfig', ...SETTING_MEMBERS] as const).filter((k) => input[k] !== undefined)];
    if (kinds.length === 0) throw invalidParameter(`UpdateClusterConfig needs one of resourcesVpcConfig, logging, accessConfig, computeConfig, ${SETTING_MEMBERS.join(', ')}`);
    if (kinds.length > 1) throw invalidParameter('Only one type of update can be allowed.');

    if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') throw inUse(`Cluster ${name} is in ${cluster.status} state`);
    const running = this.inProgressUpdate(cluster);
    if (running) throw inUse(`Cluster has update ${running.id} in progress`);

    if (autoMode) {
      const update = this.parts.autoMode.update(cluster, input);
      return this.startUpdate(cluster, { type: update.type, params: update.params }, input.clientRequestToken, 'clusterSettingUpdate', update.change);
    }

    if ((SETTING_MEMBERS as readonly string[]).includes(kinds[0]!)) {
      const setting = this.parts.settings.settingUpdate(cluster, input);
      return this.startUpdate(cluster, { type: setting.type, params: setting.params }, input.clientRequestToken, setting.duration, setting.change);
    }

    if (input.resourcesVpcConfig) {
      const requested = input.resourcesVpcConfig;
      if (requested.subnetIds !== undefined || requested.securityGroupIds !== undefined) throw invalidParameter('The local emulator does not update subnetIds or securityGroupIds');
      const current = cluster.vpc;
      const next = {
        endpointPublicAccess: asBoolean(requested.endpointPublicAccess, current.endpointPublicAccess),
        endpointPrivateAccess: asBoolean(requested.endpointPrivateAccess, current.endpointPrivateAccess),
        publicAccessCidrs: checkCidrs(requested.publicAccessCidrs) ?? current.publicAccessCidrs,
      };
      if (!next.endpointPublicAccess && !next.endpointPrivateAccess) throw invalidParameter('Invalid endpoint access configuration: endpointPublicAccess and endpointPrivateAccess cannot both be false');
      const unchanged =
        next.endpointPublicAccess === current.endpointPublicAccess &&
        next.endpointPrivateAccess === current.endpointPrivateAccess &&
        (!next.endpointPublicAccess || sameSet(next.publicAccessCidrs, current.publicAccessCidrs));
      if (unchanged) {
        throw invalidParameter(
          `Cluster is already at the desired configuration with endpointPrivateAccess: ${current.endpointPrivateAccess} , endpointPublicAccess: ${current.endpointPublicAccess}, and Public Endpoint Restrictions: [${current.publicAccessCidrs.join(', ')}]`,
        );
      }
      return this.startUpdate(
        cluster,
        {
          type: 'EndpointAccessUpdate',
          params: [
            { type: 'EndpointPublicAccess', value: String(next.endpointPublicAccess) },
            { type: 'EndpointPrivateAccess', value: String(next.endpointPrivateAccess) },
            { type: 'PublicAccessCidrs', value: JSON.stringify(next.publicAccessCidrs) },
          ],
        },
        input.clientRequestToken,
        'endpointAccessUpdate',
        { kind: 'endpointAccess', vpc: next },
      );
    }

    if (input.logging) {
      const next = nextLogTypes(cluster.enabledLogTypes, input.logging.clusterLogging);
      if (sameSet(next, cluster.enabledLogTypes)) throw invalidParameter('No changes needed for the logging config provided');
      const clusterLogging = [
        { types: next, enabled: true },
        { types: LOG_TYPES.filter((t) => !next.includes(t)), enabled: false },
      ].filter((s) => s.types.length > 0);
      return this.startUpdate(cluster, { type: 'LoggingUpdate', params: [{ type: 'ClusterLogging', value: JSON.stringify({ clusterLogging }) }] }, input.clientRequestToken, 'loggingUpdate', { kind: 'logging', enabledLogTypes: next });
    }

    const requested = input.accessConfig!;
    if (requested.authenticationMode === undefined) throw invalidParameter('accessConfig.authenticationMode is required; bootstrapClusterCreatorAdminPermissions can only be set when the cluster is created');
    const from = cluster.authenticationMode;
    const to = requested.authenticationMode as AuthenticationMode;
    if (!AUTHENTICATION_LADDER.includes(to)) throw invalidParameter(`authenticationMode must be one of ${AUTHENTICATION_LADDER.join(', ')}`);
    if (to === from) throw invalidParameter(`Cluster is already at the desired authentication mode ${from}`);
    if (AUTHENTICATION_LADDER.indexOf(to) !== AUTHENTICATION_LADDER.indexOf(from) + 1) {
      throw invalidParameter(`Unsupported authentication mode update from ${from} to ${to}: the mode only moves forward, one step at a time (${AUTHENTICATION_LADDER.join(' → ')})`);
    }
    // The auth-mode switch takes about as long as a logging change (seconds to a minute).
    return this.startUpdate(cluster, { type: 'AccessConfigUpdate', params: [{ type: 'AuthenticationMode', value: to }] }, input.clientRequestToken, 'loggingUpdate', { kind: 'authenticationMode', from, to });
  }

  updateClusterVersion(name: string, input: UpdateClusterVersionRequest): Update {
    const cluster = this.cluster(name);
    const repeated = this.byToken(cluster, input.clientRequestToken, '');
    if (repeated) return repeated;
    if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') throw inUse(`Cluster ${name} is in ${cluster.status} state`);
    const running = this.inProgressUpdate(cluster);
    if (running) throw inUse(`Cluster has update ${running.id} in progress`);
    const version = input.version ?? '';
    if (version === cluster.version) throw invalidParameter(`Cluster is already at the desired version ${version}`);
    if (!KUBERNETES_VERSIONS.includes(version) || minor(version) !== minor(cluster.version) + 1) {
      throw invalidParameter(`Unsupported Kubernetes minor version update from ${cluster.version} to ${version}`);
    }
    // Kubelets may be up to three minors older than the control plane (1.28+): a nodegroup that
    // would fall further behind has to be updated first.
    const behind = [...cluster.nodegroups.values()].filter((n) => minor(version) - minor(n.version) > MAX_KUBELET_SKEW);
    if (behind.length) {
      throw invalidParameter(
        `Nodegroup(s) [${behind.map((n) => n.name).join(', ')}] at Kubernetes version ${behind[0]!.version} would be more than ${MAX_KUBELET_SKEW} minor versions behind cluster version ${version}; update them before updating the cluster version`,
      );
    }
    // Upgrade insights in ERROR block the upgrade unless it is forced (EKS's readiness checks).
    const force = asBoolean(input.force, false);
    const blocking = force ? [] : this.parts.insights.blockingInsights(cluster, version);
    if (blocking.length) {
      throw invalidRequest(
        `Upgrade to Kubernetes version ${version} is blocked by upgrade insights in ERROR status: ${blocking.join(', ')}. Resolve them (ListInsights, DescribeInsight, then StartInsightsRefresh) or set force to override the readiness checks`,
      );
    }
    return this.startUpdate(
      cluster,
      { type: 'VersionUpdate', params: [{ type: 'Version', value: version }, { type: 'PlatformVersion', value: PLATFORM_VERSION }, ...(force ? [{ type: 'Force', value: 'true' }] : [])] },
      input.clientRequestToken,
      'versionUpdate',
      { kind: 'version', version },
    );
  }

  describeUpdate(name: string, updateId: string, target: { nodegroupName?: string; addonName?: string }): Update {
    const update = this.cluster(name).updates.get(updateId);
    if (!update || update.nodegroupName !== target.nodegroupName || update.addonName !== target.addonName) throw notFound(`No update found for ID: ${updateId}`);
    return update;
  }

  listUpdates(name: string, target: { nodegroupName?: string; addonName?: string }): string[] {
    const cluster = this.cluster(name);
    if (target.nodegroupName && !cluster.nodegroups.has(target.nodegroupName)) throw notFound(`No node group found for name: ${target.nodegroupName}.`);
    return [...cluster.updates.values()].filter((u) => u.nodegroupName === target.nodegroupName && u.addonName === target.addonName).map((u) => u.id);
  }
}
