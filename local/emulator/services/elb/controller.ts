/**
 * What the in-tree Kubernetes service controller (the cloud provider's, which EKS runs for a
 * Service of type LoadBalancer with no load balancer annotations) leaves in a cluster's VPC: a
 * Classic Load Balancer named `a<the Service's UID without dashes>` (32 characters) in one of the
 * cluster's subnets per zone, with its interfaces; the security group `k8s-elb-<name>` it makes for
 * it; and the rule it adds to the nodes' group (the EKS cluster security group) admitting
 * everything from that group. The load balancer carries `kubernetes.io/cluster/<cluster>: owned`
 * and `kubernetes.io/service-name: <ns>/<name>`; the group only the first (the controller's
 * ensureSecurityGroup tags it with the cluster's tags and no others). Made by
 * POST /_local/classic-leftovers (local-control.ts), through the same rules CreateLoadBalancer uses.
 */
import { randomBytes } from 'node:crypto';
import type { Subnet, World } from '../../world';
import { authorize } from '../ec2/security-group-rules';
import { createNamedSecurityGroup } from '../ec2/state';
import { clusterNetwork, type ServiceRequest } from '../elbv2/controller';
import { createClassicLoadBalancer } from './state';

export type ClassicLeftoversRequest = ServiceRequest;

export interface ClassicLeftovers {
  vpcId: string;
  loadBalancerName: string;
  dnsName: string;
  /** The `k8s-elb-<name>` group the controller made for the load balancer. */
  securityGroupId: string;
  /** The nodes' group holding the rule that names it. */
  nodeSecurityGroupId: string;
  /** The load balancer's interfaces, one per subnet. */
  networkInterfaceIds: string[];
}

/** Subnets for the role the load balancer has (`kubernetes.io/role/elb` public, `…/internal-elb` private) when tagged so, any of the cluster's otherwise. */
function forItsRole(subnets: Subnet[]): Subnet[] {
  const tagged = subnets.filter((s) => s.tags['kubernetes.io/role/elb'] === '1');
  return tagged.length > 0 ? tagged : subnets;
}

export function createClassicLeftovers(world: World, request: ClassicLeftoversRequest): ClassicLeftovers {
  const { vpcId, clusterSecurityGroupId, subnets } = clusterNetwork(world, request.cluster, forItsRole);
  const service = request.service ?? 'default/web';
  const name = `a${randomBytes(16).toString('hex').slice(0, 31)}`;
  const owned = { [`kubernetes.io/cluster/${request.cluster}`]: 'owned' };
  const nodePort = 30000 + Math.floor(world.random() * 2768);

  const group = createNamedSecurityGroup(world, { vpcId, groupName: `k8s-elb-${name}`, description: `Security group for Kubernetes ELB ${name} (${service})`, tags: owned });
  const { groupId } = group;
  authorize(world, group, 'ingress', [
    { ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIp: '0.0.0.0/0' },
    // Path MTU discovery, which the controller always opens.
    { ipProtocol: 'icmp', fromPort: 3, toPort: 4, cidrIp: '0.0.0.0/0' },
  ]);
  // The nodes admit everything from the load balancer's group: a rule naming it, which keeps the group from being deleted while it is there.
  const nodeGroup = world.ec2.securityGroups.get(clusterSecurityGroupId);
  if (nodeGroup) authorize(world, nodeGroup, 'ingress', [{ ipProtocol: '-1', groupId }]);

  const lb = createClassicLoadBalancer(world, {
    name,
    subnetIds: subnets.map((s) => s.subnetId),
    securityGroupIds: [groupId],
    listeners: [{ protocol: 'TCP', loadBalancerPort: 80, instanceProtocol: 'TCP', instancePort: nodePort }],
    tags: { ...owned, 'kubernetes.io/service-name': service },
  });
  return { vpcId, loadBalancerName: lb.name, dnsName: lb.dnsName, securityGroupId: groupId, nodeSecurityGroupId: clusterSecurityGroupId, networkInterfaceIds: lb.networkInterfaceIds };
}
