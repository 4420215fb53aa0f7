/**
 * UpdateNodegroupVersion: a managed nodegroup moves to the cluster's Kubernetes version or to
 * a newer AMI release of its own (never back to an older one), by rolling its nodes as EKS does: batches of updateConfig's
 * maxUnavailable (or maxUnavailablePercentage; default one node), each a few minutes (launch the
 * replacement in the same zone, drain the old node, terminate it). The nodegroup reports the new
 * version and release once every node is replaced. A pod that a PodDisruptionBudget keeps from
 * eviction (the pod-eviction-failure fault) fails the update after EKS's 15 minutes of retries,
 * unless the update is forced; the nodegroup is then ACTIVE at its old version.
 */
import { randomUUID } from 'node:crypto';
import type { UpdateNodegroupVersionRequest } from '@aws-sdk/client-eks';
import { nodegroupInstanceIds, replaceNodegroupInstances, retargetNodegroupTemplate, upgradeImage, upgradeInstanceType } from '../ec2/nodegroup-capacity';
import { findLaunchTemplate } from '../ec2/state';
import { KUBERNETES_VERSIONS, minor } from './catalog';
import { EksPart } from './context';
import type { Cluster, Nodegroup, NodegroupUpgradePlan, Update } from './model';
import { asBoolean, inUse, invalidParameter } from './validation';
import { amiReleaseVersions, latestAmiReleaseVersion } from './versions';

/** A nodegroup's releaseVersion: the one asked for (it must be a release of `version`), else the newest. */
export function checkReleaseVersion(version: string, requested: string | undefined): string {
  if (requested === undefined || requested === '') return latestAmiReleaseVersion(version);
  if (!amiReleaseVersions(version).includes(requested)) throw invalidParameter(`Requested release version ${requested} is not valid for kubernetes version ${version}.`);
  return requested;
}

/** Nodes replaced at once: maxUnavailable, or maxUnavailablePercentage of the nodegroup (at least one). */
function batchSize(nodegroup: Nodegroup, nodes: number): number {
  const { maxUnavailable, maxUnavailablePercentage } = nodegroup.updateConfig;
  if (maxUnavailablePercentage !== undefined) return Math.max(1, Math.floor((nodes * maxUnavailablePercentage) / 100));
  return Math.max(1, maxUnavailable ?? 1);
}

export class NodegroupUpgrades extends EksPart {
  updateNodegroupVersion(clusterName: string, name: string, input: UpdateNodegroupVersionRequest): Update {
    const cluster = this.cluster(clusterName);
    const nodegroup = this.parts.nodegroups.nodegroup(clusterName, name);
    const repeated = this.parts.updates.byToken(cluster, input.clientRequestToken, name);
    if (repeated) return repeated;
    const running = this.parts.updates.inProgressUpdate(cluster, name);
    if (running) throw inUse(`Nodegroup ${name} has update ${running.id} in progress`);
    if (nodegroup.status !== 'ACTIVE' && nodegroup.status !== 'DEGRADED') throw inUse(`Nodegroup ${name} is in ${nodegroup.status} status and cannot be updated`);

    const version = input.version || cluster.version;
    if (!KUBERNETES_VERSIONS.includes(version)) throw invalidParameter(`unsupported Kubernetes version ${version}`);
    // A nodegroup moves to the control plane's version, or to another release of its own.
    if (minor(version) > minor(cluster.version) || (version !== cluster.version && version !== nodegroup.version)) {
      throw invalidParameter('Nodegroup Kubernetes version should be equal to Cluster kubernetes version');
    }
    // EKS publishes no Amazon Linux 2 AMIs from Kubernetes 1.33 on.
    if (nodegroup.amiType.startsWith('AL2_') && minor(version) >= 33) throw invalidParameter(`AMI Type ${nodegroup.amiType} is only supported for kubernetes versions 1.32 or earlier`);
    const releaseVersion = checkReleaseVersion(version, input.releaseVersion);
    // EKS rolls a nodegroup forward only: an older AMI release of the version it runs is refused.
    const releases = amiReleaseVersions(version);
    if (version === nodegroup.version && releases.indexOf(releaseVersion) < releases.indexOf(nodegroup.releaseVersion)) {
      throw invalidParameter(`Requested Nodegroup release version ${releaseVersion} is invalid. Allowed release version is ${releases.at(-1)}`);
    }
    const launchTemplateVersion = this.launchTemplateVersion(nodegroup, input.launchTemplate);
    if (version === nodegroup.version && releaseVersion === nodegroup.releaseVersion && launchTemplateVersion === undefined) {
      throw invalidParameter(`Nodegroup ${name} is already at Kubernetes version ${version} with release version ${releaseVersion}`);
    }

    const force = asBoolean(input.force, false);
    const remaining = nodegroupInstanceIds(this.world, nodegroup);
    // The fault is read when the update starts: the PDB is already there when EKS begins draining.
    const evictionBlocked = !force && remaining.length > 0 ? this.world.faults.takePodEvictionFailure(name) : undefined;
    const plan: NodegroupUpgradePlan = {
      nodegroup: name,
      nodegroupArn: nodegroup.arn,
      version,
      releaseVersion,
      ...(launchTemplateVersion !== undefined ? { launchTemplateVersion } : {}),
      force,
      batchSize: batchSize(nodegroup, remaining.length),
      remaining,
      ...(evictionBlocked ? { evictionBlocked } : {}),
    };
    const update: Update = {
      id: randomUUID(),
      status: 'InProgress',
      type: 'VersionUpdate',
      params: [
        { type: 'Version', value: version },
        { type: 'ReleaseVersion', value: releaseVersion },
        ...(launchTemplateVersion !== undefined ? [{ type: 'LaunchTemplateVersion', value: launchTemplateVersion }] : []),
        ...(force ? [{ type: 'Force', value: 'true' }] : []),
      ],
      createdAt: this.now(),
      errors: [],
      nodegroupName: name,
    };
    cluster.updates.set(update.id, update);
    if (input.clientRequestToken) cluster.updateTokens.set(`${name}/${input.clientRequestToken}`, update.id);
    nodegroup.status = 'UPDATING';
    nodegroup.modifiedAt = this.now();
    this.nextStep(cluster, update, plan);
    return update;
  }

  /**
   * The launch template version asked for: only of the nodegroup's own template (by id or by
   * name, not both), a version it has. The emulated account keeps a template's latest data only
   * (ec2/state.ts), so replacements take that version's.
   */
  private launchTemplateVersion(nodegroup: Nodegroup, requested: UpdateNodegroupVersionRequest['launchTemplate']): string | undefined {
    if (!requested) return undefined;
    if (!nodegroup.launchTemplate) throw invalidParameter('A launch template can only be given for a node group that was created with one');
    if (requested.id && requested.name) throw invalidParameter('Either provide launch template ID or launch template name in the request.');
    if (!requested.id && !requested.name) throw invalidParameter('Launch template ID or name is required.');
    const same = (requested.id !== undefined && requested.id === nodegroup.launchTemplate.id) || (requested.name !== undefined && requested.name === nodegroup.launchTemplate.name);
    if (!same) throw invalidParameter(`The launch template ${requested.id ?? requested.name} is not the node group's launch template ${nodegroup.launchTemplate.id ?? nodegroup.launchTemplate.name}`);
    const template = findLaunchTemplate(this.world, nodegroup.launchTemplate);
    if (requested.version !== undefined && (!/^[1-9][0-9]*$/.test(requested.version) || (template && !template.versions.some((v) => String(v.number) === requested.version)))) {
      throw invalidParameter(`Launch template version ${requested.version} does not exist for launch template ${requested.id ?? requested.name}.`);
    }
    const version = requested.version ?? (template ? String(template.version) : nodegroup.launchTemplate.version);
    return version === nodegroup.launchTemplate.version ? undefined : version;
  }

  /** Schedules the next batch (or the eviction retries that end in failure, or the finish). */
  private nextStep(cluster: Cluster, update: Update, plan: NodegroupUpgradePlan): void {
    const kind = plan.evictionBlocked ? 'podEvictionRetries' : 'nodegroupUpgradeBatch';
    this.after(kind, `nodegroup/${cluster.name}/${plan.nodegroup}:VersionUpdate`, { kind: 'nodegroupUpgradeStep', clusterName: cluster.name, clusterId: cluster.id, updateId: update.id, plan });
  }

  /** One step, when its time has come: a batch replaced, the update failed, or the update done. */
  step(cluster: Cluster, updateId: string, plan: NodegroupUpgradePlan): void {
    const update = cluster.updates.get(updateId);
    const nodegroup = cluster.nodegroups.get(plan.nodegroup);
    if (!update || update.status !== 'InProgress') return;
    if (!nodegroup || nodegroup.arn !== plan.nodegroupArn) {
      update.status = 'Failed';
      update.errors = [{ errorCode: 'NodeGroupNotFound', errorMessage: `No node group found for name: ${plan.nodegroup}.`, resourceIds: [plan.nodegroup] }];
      return;
    }
    // The nodes go to the launch template version the update names (or stay on the nodegroup's).
    const templateVersion = plan.launchTemplateVersion ?? nodegroup.launchTemplate?.version;
    const image = upgradeImage(this.world, nodegroup, plan.version, templateVersion);
    const batch = plan.remaining.slice(0, plan.batchSize);

    if (plan.evictionBlocked) {
      const { pod, namespace, podDisruptionBudget } = plan.evictionBlocked;
      const nodes = batch.map((id) => this.world.ec2.instances.get(id)?.privateDnsName).filter((n): n is string => n !== undefined);
      update.status = 'Failed';
      update.errors = [
        {
          errorCode: 'PodEvictionFailure',
          errorMessage: `Reached max retries while trying to evict pods from nodes in node group ${plan.nodegroup}: pod ${namespace}/${pod} is protected by PodDisruptionBudget ${podDisruptionBudget}. Fix the PodDisruptionBudget or update with force to evict it anyway.`,
          resourceIds: nodes,
        },
      ];
      this.settle(cluster, nodegroup);
      return;
    }

    if (batch.length > 0) {
      replaceNodegroupInstances(this.world, cluster, nodegroup, batch, image, templateVersion);
      this.nextStep(cluster, update, { ...plan, remaining: plan.remaining.slice(batch.length) });
      return;
    }
    // Nodes a scale-out launched from the old template meanwhile are rolled too before the update ends.
    const stragglers = nodegroupInstanceIds(this.world, nodegroup).filter((id) => {
      const instance = this.world.ec2.instances.get(id);
      return instance?.imageId !== image || (plan.launchTemplateVersion !== undefined && instance.instanceType !== upgradeInstanceType(this.world, nodegroup, instance.instanceType, templateVersion));
    });
    if (stragglers.length > 0) {
      this.nextStep(cluster, update, { ...plan, remaining: stragglers });
      return;
    }

    const failure = this.world.faults.updateFailure(update.type);
    if (failure) {
      update.status = 'Failed';
      update.errors = [{ errorCode: 'Unknown', errorMessage: failure, resourceIds: [plan.nodegroup] }];
    } else {
      nodegroup.version = plan.version;
      nodegroup.releaseVersion = plan.releaseVersion;
      if (plan.launchTemplateVersion !== undefined && nodegroup.launchTemplate) nodegroup.launchTemplate.version = plan.launchTemplateVersion;
      retargetNodegroupTemplate(this.world, nodegroup, image);
      update.status = 'Successful';
    }
    this.settle(cluster, nodegroup);
  }

  private settle(cluster: Cluster, nodegroup: Nodegroup): void {
    if (nodegroup.status === 'UPDATING') nodegroup.status = 'ACTIVE';
    nodegroup.modifiedAt = this.now();
    this.parts.addons.refreshAddons(cluster);
  }
}
