/**
 * Whether a managed nodegroup's instances reach the API server and the AWS services a node needs
 * to bootstrap, to join (EKS: without private
 * access, the public endpoint's CIDRs must include the nodes' egress addresses). With private
 * access on, nodes in the cluster's VPC reach the private endpoint (they carry the cluster
 * security group, whose own rule admits its members). With a public-only endpoint, each node
 * leaves through its subnet's 0.0.0.0/0 route: a NAT gateway's Elastic IP, else its own public
 * IP; the endpoint's publicAccessCidrs must contain that address. Nodes that cannot join stay
 * running but never become Kubernetes nodes, and the nodegroup fails with NodeCreationFailure.
 *
 * A node with no egress address at all (a subnet without routes, no public IP: the hand-made
 * networks of many tests) still joins an endpoint open to 0.0.0.0/0: the emulator does not make
 * every network model its internet path (docs/local-mode.md). A VPC that has VPC endpoints is
 * one that chose them over an internet path (a fully private cluster's): there, a node that cannot
 * reach EC2, ECR (API and registry) and S3 (image layers) cannot pull its images, and is stranded.
 */
import { cidrContains } from '../../ipv4';
import type { Instance, World } from '../../world';
import { internetEgressOf } from '../ec2/reachability';
import { awsServiceReachable } from '../ec2/service-reach';
import { vpcEndpoints } from '../ec2/vpc-endpoints';
import type { Cluster, Issue } from './model';

/** The address a node's traffic to the public endpoint comes from; undefined when it has none. */
export function nodeEgressAddress(world: World, instance: Instance): string | undefined {
  const egress = internetEgressOf(world, instance.subnetId);
  if (egress.via === 'nat') return egress.publicIp;
  return instance.publicIpAddress;
}

/** What a node calls while it bootstraps: EC2 (the VPC CNI), ECR's API and registry, and S3 for image layers. */
const BOOTSTRAP_SERVICES = ['ec2', 'ecr.api', 'ecr.dkr', 's3'];

function reachesBootstrapServices(world: World, instance: Instance): boolean {
  if (!vpcEndpoints(world).some((endpoint) => endpoint.vpcId === instance.vpcId)) return true;
  return BOOTSTRAP_SERVICES.every((service) => awsServiceReachable(world, instance.subnetId, service));
}

function reachesEndpoint(world: World, cluster: Cluster, instance: Instance): boolean {
  if (cluster.vpc.endpointPrivateAccess && instance.vpcId === cluster.vpc.vpcId) return true;
  const cidrs = cluster.vpc.publicAccessCidrs;
  const address = nodeEgressAddress(world, instance);
  if (address === undefined) return cidrs.includes('0.0.0.0/0');
  return cidrs.some((cidr) => cidrContains(cidr, address));
}

/** EKS's health issue when some of `instances` cannot reach the endpoint; undefined when all join. */
export function nodeJoinFailure(world: World, cluster: Cluster, instances: Instance[]): Issue | undefined {
  const stranded = instances.filter((instance) => !reachesEndpoint(world, cluster, instance) || !reachesBootstrapServices(world, instance));
  if (stranded.length === 0) return undefined;
  return { code: 'NodeCreationFailure', message: 'Instances failed to join the kubernetes cluster', resourceIds: stranded.map((i) => i.instanceId) };
}
