/**
 * GET /clusters/{name}: the registered spec with the live state from EKS (status, endpoint and
 * its access, nodegroups, Fargate profiles, access entries), each nodegroup's Ready nodes as the
 * workflow last saw them, the support of an ACTIVE cluster's Kubernetes version, and the
 * operation running, if any.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ReadyNodes } from '../generated/types';
import type { Spec } from '../domain/spec';
import { supportTypeOf, versionSupport, type VersionSupport } from '../domain/version-support';
import type { ClusterRecord } from '../ports/registry';
import { logger } from '../shared/logger';
import { ownedCluster } from './access';
import { clusterSummary } from './list-clusters';
import { json } from './problem';
import type { ApiDeps, ApiRequest } from './request';
import { versionCatalogue } from './version-catalogue';

export async function getCluster(request: ApiRequest, deps: ApiDeps, name: string): Promise<APIGatewayProxyResult> {
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const { cluster } = found;
  const live = await liveState(deps, name, cluster);
  return json(200, { ...clusterSummary(cluster), version: cluster.version, spec: cluster.spec, live, readyNodes: readyNodesOf(cluster), ...(await supportOf(deps, cluster, live?.kubernetesVersion)) });
}

/**
 * The nodes each nodegroup of the spec had Ready when the workflow last waited for them (the
 * registry's, not a live count): a nodegroup since removed is left out, and one not waited for yet
 * is absent.
 */
function readyNodesOf(cluster: ClusterRecord): ReadyNodes {
  const spec = cluster.spec as Partial<Pick<Spec, 'managedNodeGroups' | 'selfManagedNodeGroups'>> | undefined;
  const names = [...(spec?.managedNodeGroups ?? []), ...(spec?.selfManagedNodeGroups ?? [])].map((ng) => ng.name);
  const observed = cluster.readyNodes ?? {};
  return Object.fromEntries(names.flatMap((name) => (observed[name] ? [[name, observed[name]]] : [])));
}

/**
 * `versionSupport` of an ACTIVE cluster, for the version EKS runs (it may have upgraded the
 * cluster itself at the end of support), else the spec's. When EKS cannot give its version
 * catalogue the cluster is still answered, with `versionSupportUnavailable` saying why.
 */
async function supportOf(deps: ApiDeps, cluster: ClusterRecord, liveVersion: string | undefined): Promise<{ versionSupport?: VersionSupport; versionSupportUnavailable?: string }> {
  const version = liveVersion ?? (cluster.spec as { version?: string } | undefined)?.version;
  if (cluster.status !== 'ACTIVE' || !version) return {};
  const now = deps.clock();
  let versions;
  try {
    versions = await versionCatalogue(deps);
  } catch (error) {
    logger.warn('cluster versions unavailable', { errorName: (error as Error).name, errorMessage: (error as Error).message });
    return { versionSupportUnavailable: `EKS did not give its Kubernetes versions (DescribeClusterVersions: ${(error as Error).name}); try again later` };
  }
  const support = versionSupport(now, version, supportTypeOf(cluster.spec), versions);
  return support ? { versionSupport: support } : { versionSupportUnavailable: `EKS lists no support dates for Kubernetes ${version}` };
}

/** What EKS says now; null before the control plane exists (early in provisioning, or after deletion). */
async function liveState(deps: ApiDeps, name: string, cluster: ClusterRecord) {
  // EKS reports only CreateNodegroup's instanceTypes: a type the launch template carries is the spec's (a lone type lives there).
  const specNodegroups = (cluster.spec as { managedNodeGroups?: Array<{ name: string; instanceTypes?: string[] }> } | undefined)?.managedNodeGroups ?? [];
  const specTypes = (nodegroup: string | undefined) => specNodegroups.find((ng) => ng.name === nodegroup)?.instanceTypes;
  const eks = await deps.eks.describeCluster(name);
  if (!eks) return null;
  const [nodegroupNames, profileNames, accessEntries] = await Promise.all([deps.eks.listNodegroups(name), deps.eks.listFargateProfiles(name), deps.eks.listAccessEntries(name)]);
  const [nodegroups, profiles] = await Promise.all([
    Promise.all(nodegroupNames.map((ng) => deps.eks.describeNodegroup(name, ng))),
    Promise.all(profileNames.map((fp) => deps.eks.describeFargateProfile(name, fp))),
  ]);
  const vpc = eks.resourcesVpcConfig;
  return {
    status: eks.status,
    arn: eks.arn,
    kubernetesVersion: eks.version,
    endpoint: eks.endpoint,
    endpointAccess: { public: vpc?.endpointPublicAccess ?? false, private: vpc?.endpointPrivateAccess ?? false, publicAccessCidrs: vpc?.publicAccessCidrs ?? [] },
    authenticationMode: eks.accessConfig?.authenticationMode,
    nodegroups: nodegroups.filter((n) => n !== undefined).map((n) => ({ name: n.nodegroupName, status: n.status, instanceTypes: n.instanceTypes ?? specTypes(n.nodegroupName), capacityType: n.capacityType, scaling: n.scalingConfig })),
    fargateProfiles: profiles.filter((p) => p !== undefined).map((p) => ({ name: p.fargateProfileName, status: p.status, selectors: p.selectors })),
    accessEntries,
  };
}
