/**
 * Time in the EKS emulator: a transition (a cluster made ACTIVE, a nodegroup removed, an update
 * finished...) is scheduled after a duration sampled from the World, kept in the pending map that
 * persistence.ts saves, armed on the emulated clock, re-armed by resume() after a restore, and
 * completed here with EKS's side effects (the creator's entry, joined compute, add-on health).
 */
import { randomUUID } from 'node:crypto';
import type { DurationKind } from '../../durations';
import { detachControlPlaneNetwork } from '../ec2/control-plane-network';
import { launchNodegroupCapacity, nodegroupInstanceIds, releaseNodegroupCapacity } from '../ec2/nodegroup-capacity';
import { EksPart, deferred } from './context';
import type { PendingTransition, Transition } from './model';
import { nodeJoinFailure } from './node-join';

export class Transitions extends EksPart {
  private get transitions(): Map<string, PendingTransition> {
    return this.shared.transitions;
  }

  /** Makes `transition` happen after a duration sampled for this resource, in emulated time. */
  schedule(kind: DurationKind, resource: string, transition: Transition): void {
    const seconds = this.world.durations.sample(kind, resource);
    const id = randomUUID();
    const pending: PendingTransition = { dueAt: this.now().getTime() + seconds * 1000, transition };
    this.transitions.set(id, pending);
    this.arm(id, pending);
  }

  private arm(id: string, pending: PendingTransition): void {
    void this.world.clock.sleepUntil(pending.dueAt).then(() => {
      if (this.transitions.get(id) !== pending) return;
      this.transitions.delete(id);
      this.complete(pending.transition);
    });
  }

  /**
   * After the clusters and transitions were restored from a saved world: the clusters get their
   * ready/gone signals back and every transition is armed for the time it was due.
   */
  resume(): void {
    for (const cluster of this.clusters.values()) {
      // The emulator may listen on another port than before.
      if (cluster.endpoint !== undefined) cluster.endpoint = this.endpointOf(cluster.name);
      const signals = { ready: deferred(), gone: deferred() };
      if (cluster.status !== 'CREATING') signals.ready.resolve();
      Object.assign(cluster, { ready: signals.ready.promise, gone: signals.gone.promise });
      this.shared.signals.set(cluster, signals);
    }
    for (const [id, pending] of this.transitions) this.arm(id, pending);
  }

  private complete(transition: Transition): void {
    const cluster = this.clusters.get(transition.clusterName);
    if (!cluster || cluster.id !== transition.clusterId) return;
    switch (transition.kind) {
      case 'clusterCreated':
        if (cluster.status !== 'CREATING') return;
        cluster.status = 'ACTIVE';
        cluster.endpoint = this.endpointOf(cluster.name);
        if (cluster.bootstrapClusterCreatorAdminPermissions && cluster.authenticationMode !== 'CONFIG_MAP') this.parts.accessEntries.addCreatorEntry(cluster);
        // Auto Mode's node pools come up with the cluster.
        if (cluster.autoMode?.enabled) this.parts.autoMode.apply(cluster, cluster.autoMode);
        this.shared.signals.get(cluster)?.ready.resolve();
        return;
      case 'clusterDeleted':
        this.clusters.delete(cluster.name);
        detachControlPlaneNetwork(this.world, cluster);
        this.world.ec2.securityGroups.delete(cluster.vpc.clusterSecurityGroupId);
        this.shared.signals.get(cluster)?.gone.resolve();
        return;
      case 'nodegroupCreated': {
        const nodegroup = cluster.nodegroups.get(transition.name);
        if (nodegroup?.arn !== transition.arn || nodegroup.status !== 'CREATING') return;
        nodegroup.modifiedAt = this.now();
        const failure = this.world.faults.nodegroupFailure(nodegroup.name);
        if (failure) {
          nodegroup.status = 'CREATE_FAILED';
          nodegroup.healthIssues = [{ code: failure.code, message: failure.message, resourceIds: [nodegroup.autoScalingGroupName] }];
          return;
        }
        launchNodegroupCapacity(this.world, cluster, nodegroup);
        // Instances that cannot reach the endpoint stay running but never register as nodes.
        const instances = nodegroupInstanceIds(this.world, nodegroup).map((id) => this.world.ec2.instances.get(id)).filter((i) => i !== undefined);
        const stranded = nodeJoinFailure(this.world, cluster, instances);
        if (stranded) {
          nodegroup.status = 'CREATE_FAILED';
          nodegroup.healthIssues = [stranded];
          return;
        }
        nodegroup.status = 'ACTIVE';
        this.parts.accessEntries.computeJoined(cluster, nodegroup.nodeRole, 'EC2_LINUX');
        this.parts.addons.refreshAddons(cluster);
        return;
      }
      case 'nodegroupDeleted': {
        const nodegroup = cluster.nodegroups.get(transition.name);
        if (nodegroup?.arn !== transition.arn) return;
        cluster.nodegroups.delete(transition.name);
        releaseNodegroupCapacity(this.world, nodegroup);
        this.parts.addons.refreshAddons(cluster);
        return;
      }
      case 'fargateProfileCreated': {
        const profile = cluster.fargateProfiles.get(transition.name);
        if (profile?.arn !== transition.arn || profile.status !== 'CREATING') return;
        profile.status = 'ACTIVE';
        this.parts.accessEntries.computeJoined(cluster, profile.podExecutionRoleArn, 'FARGATE_LINUX');
        this.parts.addons.refreshAddons(cluster);
        return;
      }
      case 'fargateProfileDeleted':
        if (cluster.fargateProfiles.get(transition.name)?.arn !== transition.arn) return;
        cluster.fargateProfiles.delete(transition.name);
        this.parts.addons.refreshAddons(cluster);
        return;
      case 'addonCreated': {
        const addon = cluster.addons.get(transition.name);
        if (addon?.arn !== transition.arn || addon.status !== 'CREATING') return;
        addon.status = 'ACTIVE';
        this.parts.addons.refreshAddons(cluster);
        return;
      }
      case 'addonDeleted': {
        const addon = cluster.addons.get(transition.name);
        if (addon?.arn !== transition.arn) return;
        cluster.addons.delete(transition.name);
        if (addon.preserveOnDelete) (cluster.preservedAddons ??= new Map()).set(transition.name, { ...addon, status: 'ACTIVE' });
        return;
      }
      case 'updateFinished':
        this.parts.updates.finishUpdate(cluster, transition.updateId, transition.change);
        return;
      case 'nodegroupUpgradeStep':
        this.parts.nodegroupUpgrades.step(cluster, transition.updateId, transition.plan);
        return;
      case 'insightsRefreshed':
        this.parts.insights.finishRefresh(cluster);
        return;
      default: {
        const unknown: never = transition;
        throw new Error(`unknown transition ${JSON.stringify(unknown)}`);
      }
    }
  }
}
