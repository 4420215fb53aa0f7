/**
 * EKS Fargate profiles: CreateFargateProfile's checks (pod execution role, selectors, private
 * subnets, one profile CREATING or DELETING per cluster) and DeleteFargateProfile.
 */
import { randomUUID } from 'node:crypto';
import type { CreateFargateProfileRequest } from '@aws-sdk/client-eks';
import type { Subnet } from '../../world';
import { EksPart } from './context';
import type { Cluster, FargateProfile } from './model';
import { CHILD_NAME, inUse, invalidParameter, limitExceeded, notFound } from './validation';

const MAX_FARGATE_PROFILES = 10;

export class FargateProfiles extends EksPart {
  fargateProfile(clusterName: string, name: string): FargateProfile {
    const profile = this.cluster(clusterName).fargateProfiles.get(name);
    if (!profile) throw notFound(`No Fargate Profile found with name: ${name}.`);
    return profile;
  }

  /** EKS allows one Fargate profile CREATING or DELETING per cluster. */
  private profileInFlight(cluster: Cluster, except?: string): FargateProfile | undefined {
    return [...cluster.fargateProfiles.values()].find((p) => p.name !== except && (p.status === 'CREATING' || p.status === 'DELETING'));
  }

  createFargateProfile(clusterName: string, input: CreateFargateProfileRequest): FargateProfile {
    const cluster = this.usableCluster(clusterName);
    const name = input.fargateProfileName ?? '';
    if (!CHILD_NAME.test(name) || name.length > 100) throw invalidParameter(`Fargate profile name ${name || '(empty)'} is invalid`);
    const existing = cluster.fargateProfiles.get(name);
    if (existing) {
      if (input.clientRequestToken && existing.clientRequestToken === input.clientRequestToken) return existing;
      throw inUse('A Fargate Profile already exists with this name in the cluster.');
    }
    const busy = this.profileInFlight(cluster);
    if (busy) throw inUse(`Cannot create Fargate Profile ${name} because cluster ${clusterName} currently has Fargate profile ${busy.name} in status ${busy.status}`);
    if (cluster.fargateProfiles.size >= MAX_FARGATE_PROFILES) throw limitExceeded(`Cluster ${clusterName} already has the maximum of ${MAX_FARGATE_PROFILES} Fargate profiles`);

    const podExecutionRoleArn = this.requireRole(input.podExecutionRoleArn, 'podExecutionRoleArn');
    const selectors = input.selectors ?? [];
    if (selectors.length < 1 || selectors.length > 5) throw invalidParameter(`A Fargate profile needs 1 to 5 selectors, got ${selectors.length}`);
    for (const selector of selectors) {
      if (!selector.namespace) throw invalidParameter('Every Fargate profile selector needs a namespace');
      if (Object.keys(selector.labels ?? {}).length > 5) throw invalidParameter('A Fargate profile selector can have at most 5 labels');
    }
    let subnets: Subnet[];
    if (input.subnets?.length) {
      subnets = this.subnets(input.subnets, 'subnets');
      const foreign = subnets.find((s) => s.vpcId !== cluster.vpc.vpcId);
      if (foreign) throw invalidParameter(`Subnet ${foreign.subnetId} is not in the cluster's VPC ${cluster.vpc.vpcId}`);
      const publicSubnet = subnets.find((s) => s.mapPublicIpOnLaunch);
      if (publicSubnet) throw invalidParameter(`Subnet ${publicSubnet.subnetId} provided in Fargate Profile is not a private subnet`);
    } else {
      subnets = cluster.vpc.subnetIds.map((id) => this.world.ec2.subnets.get(id)).filter((s): s is Subnet => Boolean(s && !s.mapPublicIpOnLaunch));
      if (subnets.length === 0) throw invalidParameter("No private subnets found in the cluster's VPC configuration; pass subnets");
    }

    const profile: FargateProfile = {
      name,
      arn: this.arn(`fargateprofile/${clusterName}/${name}/${randomUUID()}`),
      clusterName,
      createdAt: this.now(),
      podExecutionRoleArn,
      subnets: subnets.map((s) => s.subnetId),
      selectors: selectors.map((s) => ({ namespace: s.namespace!, ...(s.labels ? { labels: { ...s.labels } } : {}) })),
      status: 'CREATING',
      tags: { ...(input.tags ?? {}) },
      ...(input.clientRequestToken ? { clientRequestToken: input.clientRequestToken } : {}),
    };
    cluster.fargateProfiles.set(name, profile);
    this.after('fargateProfileCreate', `fargateprofile/${clusterName}/${name}`, { kind: 'fargateProfileCreated', clusterName, clusterId: cluster.id, name, arn: profile.arn });
    return profile;
  }

  deleteFargateProfile(clusterName: string, name: string): FargateProfile {
    const cluster = this.cluster(clusterName);
    const profile = this.fargateProfile(clusterName, name);
    if (profile.status === 'DELETING') return profile;
    const busy = profile.status === 'CREATING' ? profile : this.profileInFlight(cluster, name);
    if (busy) throw inUse(`Cannot delete Fargate Profile ${name} because cluster ${clusterName} currently has Fargate profile ${busy.name} in status ${busy.status}`);
    profile.status = 'DELETING';
    this.parts.addons.refreshAddons(cluster);
    this.after('fargateProfileDelete', `fargateprofile/${clusterName}/${name}`, { kind: 'fargateProfileDeleted', clusterName, clusterId: cluster.id, name, arn: profile.arn });
    return profile;
  }
}
