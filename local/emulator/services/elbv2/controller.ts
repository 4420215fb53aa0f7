/**
 * What a load balancer controller leaves in a cluster's VPC for a Service of type LoadBalancer
 * (the AWS Load Balancer Controller's naming and tags): a load balancer in the cluster's subnets
 * (one per zone) with its requester-managed interfaces, a listener forwarding to a target group,
 * the security group it manages for the load balancer with the rule it adds to the cluster
 * security group (the nodes' and pods' group) admitting traffic from it, and optionally an interface the VPC CNI
 * left `available` when a node went. These are what make a cluster's VPC undeletable
 * (DependencyViolation) unless the deletion cleans them up first. Made by POST
 * /_local/controller-leftovers (local-control.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { EmulatorError } from '../../protocol';
import type { LoadBalancer, Subnet, World } from '../../world';
import type { EksState } from '../eks/state';
import { authorize } from '../ec2/security-group-rules';
import { createNamedSecurityGroup, createNetworkInterface } from '../ec2/state';

/** What a controller made its load balancer for: a Service of type LoadBalancer in a cluster. */
export interface ServiceRequest {
  cluster: string;
  /** `namespace/name` of the Service (default `default/web`). */
  service?: string;
}

export interface LeftoversRequest extends ServiceRequest {
  type?: 'application' | 'network';
  /** Also an interface the VPC CNI left behind (status available). */
  cniInterface?: boolean;
}

export interface Leftovers {
  vpcId: string;
  loadBalancerArn: string;
  targetGroupArn: string;
  listenerArn: string;
  securityGroupId: string;
  /** The load balancer's interfaces, one per subnet. */
  networkInterfaceIds: string[];
  cniNetworkInterfaceId?: string;
}

/** `k8s-<namespace>-<name>-<hash>`, cut to ELBv2's 32 characters, as the controller names what it makes. */
function controllerName(service: string, salt: string): string {
  const [namespace = 'default', name = 'web'] = service.split('/');
  const hash = createHash('sha256').update(`${service}/${salt}`).digest('hex').slice(0, 10);
  return `k8s-${namespace.slice(0, 8)}-${name.slice(0, 8)}-${hash}`.replace(/[^A-Za-z0-9-]/g, '-');
}

/** One subnet per zone, as a load balancer takes them. */
function onePerZone(subnets: Subnet[]): Subnet[] {
  const byZone = new Map<string, Subnet>();
  for (const subnet of subnets) if (!byZone.has(subnet.availabilityZone)) byZone.set(subnet.availabilityZone, subnet);
  return [...byZone.values()];
}

export interface ClusterNetwork {
  vpcId: string;
  /** The EKS cluster security group: the nodes' and pods' group, where a controller admits its load balancer. */
  clusterSecurityGroupId: string;
  /** One per zone, of those `prefer` chose among the cluster's subnets. */
  subnets: Subnet[];
}

/** The cluster's VPC as a controller finds it for a load balancer; `prefer` narrows the cluster's subnets to the ones for its role. */
export function clusterNetwork(world: World, clusterName: string, prefer: (subnets: Subnet[]) => Subnet[] = (subnets) => subnets): ClusterNetwork {
  const cluster = (world.eks as EksState | undefined)?.clusters.get(clusterName);
  if (!cluster) throw new EmulatorError(404, 'ResourceNotFoundException', `No cluster found for name: ${clusterName}.`);
  const subnets = onePerZone(prefer(cluster.vpc.subnetIds.map((id) => world.ec2.subnets.get(id)).filter((s): s is Subnet => s !== undefined)));
  if (subnets.length === 0) throw new EmulatorError(400, 'InvalidSubnet', `cluster ${clusterName} has no subnets left for a load balancer`);
  return { vpcId: cluster.vpc.vpcId, clusterSecurityGroupId: cluster.vpc.clusterSecurityGroupId, subnets };
}

export function createControllerLeftovers(world: World, request: LeftoversRequest): Leftovers {
  const { vpcId, clusterSecurityGroupId, subnets } = clusterNetwork(world, request.cluster);
  const service = request.service ?? 'default/web';
  const type = request.type ?? 'application';
  const salt = randomBytes(4).toString('hex');
  const name = controllerName(service, salt);
  const id = randomBytes(8).toString('hex');
  const owned = { 'elbv2.k8s.aws/cluster': request.cluster, [`kubernetes.io/cluster/${request.cluster}`]: 'owned', 'service.k8s.aws/stack': service };

  const group = createNamedSecurityGroup(world, {
    vpcId,
    groupName: name,
    description: '[k8s] Managed SecurityGroup for LoadBalancer',
    tags: { 'elbv2.k8s.aws/cluster': request.cluster, 'elbv2.k8s.aws/resource': 'ManagedLBSecurityGroup', 'service.k8s.aws/stack': service },
  });
  const { groupId } = group;
  authorize(world, group, 'ingress', [{ ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIp: '0.0.0.0/0' }]);
  // The controller lets the load balancer reach its targets: a rule in the cluster security group
  // naming the load balancer's, which keeps the latter from being deleted while it is there.
  const clusterGroup = world.ec2.securityGroups.get(clusterSecurityGroupId);
  if (clusterGroup) authorize(world, clusterGroup, 'ingress', [{ ipProtocol: 'tcp', fromPort: 80, toPort: 80, groupId, description: 'elbv2.k8s.aws/targetGroupBinding=shared' }]);

  const kind = type === 'application' ? 'app' : 'net';
  const arn = world.arn('elasticloadbalancing', `loadbalancer/${kind}/${name}/${id}`);
  const interfaces = subnets.map((subnet) =>
    createNetworkInterface(world, {
      subnet,
      description: `ELB ${kind}/${name}/${id}`,
      interfaceType: type === 'application' ? 'interface' : 'network_load_balancer',
      securityGroupIds: [groupId],
      requesterId: 'amazon-elb',
    }),
  );
  const lb: LoadBalancer = {
    arn,
    name,
    type,
    scheme: 'internet-facing',
    vpcId,
    subnetIds: subnets.map((s) => s.subnetId),
    securityGroupIds: [groupId],
    dnsName: type === 'application' ? `${name}-${id.slice(0, 10)}.${world.region}.elb.amazonaws.com` : `${name}-${id.slice(0, 10)}.elb.${world.region}.amazonaws.com`,
    createdTime: world.clock.now(),
    networkInterfaceIds: interfaces.map((eni) => eni.networkInterfaceId),
    tags: { ...owned, 'service.k8s.aws/resource': 'LoadBalancer' },
  };
  world.elbv2.loadBalancers.set(arn, lb);

  const protocol = type === 'application' ? 'HTTP' : 'TCP';
  const targetGroupArn = world.arn('elasticloadbalancing', `targetgroup/${name}/${randomBytes(8).toString('hex')}`);
  world.elbv2.targetGroups.set(targetGroupArn, { arn: targetGroupArn, name, protocol, port: 80, vpcId, targetType: 'ip', tags: { ...owned, 'service.k8s.aws/resource': `${service}:80` } });
  const listenerArn = world.arn('elasticloadbalancing', `listener/${kind}/${name}/${id}/${randomBytes(8).toString('hex')}`);
  world.elbv2.listeners.set(listenerArn, { arn: listenerArn, loadBalancerArn: arn, protocol, port: 80, targetGroupArn });

  let cniNetworkInterfaceId: string | undefined;
  if (request.cniInterface) {
    const instanceId = world.newId('i');
    const eni = createNetworkInterface(world, {
      subnet: subnets[0]!,
      description: `aws-K8S-${instanceId}`,
      interfaceType: 'interface',
      securityGroupIds: [clusterSecurityGroupId],
      status: 'available',
      tags: { 'cluster.k8s.amazonaws.com/name': request.cluster, 'node.k8s.amazonaws.com/instance_id': instanceId, 'node.k8s.amazonaws.com/createdAt': world.clock.now().toISOString() },
    });
    cniNetworkInterfaceId = eni.networkInterfaceId;
  }
  return { vpcId, loadBalancerArn: arn, targetGroupArn, listenerArn, securityGroupId: groupId, networkInterfaceIds: lb.networkInterfaceIds, ...(cniNetworkInterfaceId ? { cniNetworkInterfaceId } : {}) };
}
