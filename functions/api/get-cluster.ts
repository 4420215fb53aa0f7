/**
 * GET /clusters/{name}: the registered spec with the live state from EKS (status, endpoint and
 * its access, nodegroups, Fargate profiles, access entries) and the operation running, if any.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ownedCluster } from './access';
import { clusterSummary } from './list-clusters';
import { json } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function getCluster(request: ApiRequest, deps: ApiDeps, name: string): Promise<APIGatewayProxyResult> {
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const { cluster } = found;
  return json(200, { ...clusterSummary(cluster), version: cluster.version, spec: cluster.spec, live: await liveState(deps, name) });
}

/** What EKS says now; null before the control plane exists (early in provisioning, or after deletion). */
async function liveState(deps: ApiDeps, name: string) {
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
    nodegroups: nodegroups.filter((n) => n !== undefined).map((n) => ({ name: n.nodegroupName, status: n.status, instanceTypes: n.instanceTypes, capacityType: n.capacityType, scaling: n.scalingConfig })),
    fargateProfiles: profiles.filter((p) => p !== undefined).map((p) => ({ name: p.fargateProfileName, status: p.status, selectors: p.selectors })),
    accessEntries,
  };
}
