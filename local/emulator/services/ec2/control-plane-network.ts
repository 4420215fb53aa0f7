/**
 * What EKS puts in the account's VPC for a cluster's control plane: the cluster security group
 * (`eks-cluster-sg-<cluster>-<n>`) with its rule letting its members reach each other, and the
 * cross-account network interfaces ("Amazon EKS <cluster>") through which the control plane talks
 * to the nodes, in the cluster's subnets. The EKS emulator calls these at create and delete.
 */
import type { World } from '../../world';
import type { Cluster } from '../eks/model';
import { authorize, dropReferencesTo } from './security-group-rules';
import { createNetworkInterface } from './state';

/**
 * Stands for the AWS-owned account EKS's control plane runs in (AWS does not document it): it owns
 * the attachments of the cluster's interfaces, which is how they show as cross-account.
 */
export const EKS_CONTROL_PLANE_ACCOUNT = '602401143452';

/** How many interfaces EKS places: two, in two zones. */
const CONTROL_PLANE_INTERFACES = 2;

function descriptionOf(cluster: Pick<Cluster, 'name'>): string {
  return `Amazon EKS ${cluster.name}`;
}

export function attachControlPlaneNetwork(world: World, cluster: Cluster): void {
  const group = world.ec2.securityGroups.get(cluster.vpc.clusterSecurityGroupId);
  if (group) {
    group.groupName ??= group.tags.Name;
    if (!group.ingress?.length) authorize(world, group, 'ingress', [{ ipProtocol: '-1', groupId: group.groupId }]);
  }
  const zones = new Set<string>();
  for (const subnetId of cluster.vpc.subnetIds) {
    const subnet = world.ec2.subnets.get(subnetId);
    if (!subnet || zones.has(subnet.availabilityZone) || zones.size >= CONTROL_PLANE_INTERFACES) continue;
    zones.add(subnet.availabilityZone);
    createNetworkInterface(world, {
      subnet,
      description: descriptionOf(cluster),
      interfaceType: 'interface',
      securityGroupIds: [cluster.vpc.clusterSecurityGroupId, ...cluster.vpc.securityGroupIds],
      requesterId: EKS_CONTROL_PLANE_ACCOUNT,
    });
  }
}

/** The cluster is gone: its interfaces, and the rules naming its security group (EKS deletes that group). */
export function detachControlPlaneNetwork(world: World, cluster: Cluster): void {
  for (const [id, eni] of world.ec2.networkInterfaces) {
    if (eni.description === descriptionOf(cluster) && eni.requesterId === EKS_CONTROL_PLANE_ACCOUNT) world.ec2.networkInterfaces.delete(id);
  }
  dropReferencesTo(world, cluster.vpc.clusterSecurityGroupId);
}
