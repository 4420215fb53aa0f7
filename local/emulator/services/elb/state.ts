/**
 * Elastic Load Balancing (Classic) over world.elb: making a load balancer in a VPC's subnets (one
 * requester-managed interface per subnet, "ELB <name>"), tagging and deleting it. A Classic
 * Load Balancer is gone as soon as DeleteLoadBalancer answers, but EC2 releases its interfaces
 * only some seconds later (world.durations `classicInterfaceRelease`): until then its security
 * groups and subnets are in use (DependencyViolation), as EC2 already answers for any interface.
 *
 * A release is recorded as an instant (world.elb.releasing), not only a timer: a restored world
 * starts the timers again (resumeReleases), and any Classic call settles what is due.
 */
import { EmulatorError } from '../../protocol';
import type { ClassicListener, ClassicLoadBalancer, SecurityGroup, Subnet, World } from '../../world';
import { createNetworkInterface } from '../ec2/state';

/** Classic Load Balancers' hosted zone in us-east-1 (their DNS names' alias target). */
export const CLASSIC_HOSTED_ZONE = 'Z35SXDOTRQ7X7K';
/** At most 50 tags on a load balancer. */
const MAX_TAGS = 50;

/**
 * The wire codes are the Classic API's awsQuery error codes, not its shape names: the SDK reads
 * LoadBalancerNotFound as AccessPointNotFoundException and DuplicateLoadBalancerName as
 * DuplicateAccessPointNameException.
 */
export function accessPointNotFound(name: string): EmulatorError {
  return new EmulatorError(400, 'LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`);
}

export interface NewClassicLoadBalancer {
  name: string;
  scheme?: string;
  subnetIds: string[];
  securityGroupIds: string[];
  listeners: ClassicListener[];
  tags: Record<string, string>;
}

/** Interfaces whose release is due are gone: the groups and subnets they held are free. */
export function settleReleases(world: World): void {
  const now = world.clock.now().getTime();
  for (const [id, dueAt] of [...world.elb.releasing]) {
    if (dueAt > now) continue;
    world.ec2.networkInterfaces.delete(id);
    world.elb.releasing.delete(id);
  }
}

/** After a restore: the releases under way end when they were due (at once if that has passed). */
export function resumeReleases(world: World): void {
  settleReleases(world);
  for (const dueAt of new Set(world.elb.releasing.values())) void world.clock.sleepUntil(dueAt).then(() => settleReleases(world));
}

function validName(name: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name);
}

function subnetsOf(world: World, ids: string[]): Subnet[] {
  const subnets = ids.map((id) => world.ec2.subnets.get(id));
  if (subnets.some((s) => s === undefined)) throw new EmulatorError(400, 'SubnetNotFound', 'One or more subnets were not found');
  const found = subnets as Subnet[];
  if (new Set(found.map((s) => s.vpcId)).size > 1) throw new EmulatorError(400, 'InvalidConfigurationRequest', 'Subnets must all belong to the same VPC');
  if (new Set(found.map((s) => s.availabilityZone)).size < found.length) throw new EmulatorError(400, 'InvalidConfigurationRequest', 'ELB cannot be attached to multiple subnets in the same AZ.');
  return found;
}

/** The groups asked for, which must be of the VPC; none asked for is the VPC's default group, as ELB does. */
function groupsOf(world: World, vpcId: string, ids: string[]): string[] {
  if (ids.length === 0) return [...world.ec2.securityGroups.values()].filter((g: SecurityGroup) => g.vpcId === vpcId && g.groupName === 'default').map((g) => g.groupId);
  if (ids.some((id) => world.ec2.securityGroups.get(id)?.vpcId !== vpcId)) throw new EmulatorError(400, 'InvalidSecurityGroup', 'One or more security groups are invalid');
  return ids;
}

function sameConfiguration(lb: ClassicLoadBalancer, request: NewClassicLoadBalancer, scheme: string): boolean {
  const key = (l: ClassicListener) => `${l.protocol}:${l.loadBalancerPort}:${l.instanceProtocol}:${l.instancePort}`;
  return lb.scheme === scheme && [...lb.subnetIds].sort().join() === [...request.subnetIds].sort().join() && lb.listeners.map(key).sort().join() === request.listeners.map(key).sort().join();
}

/** CreateLoadBalancer in a VPC's subnets: asked again with the same configuration it answers the same load balancer, as ELB does. */
export function createClassicLoadBalancer(world: World, request: NewClassicLoadBalancer): ClassicLoadBalancer {
  if (!validName(request.name)) throw new EmulatorError(400, 'ValidationError', `LoadBalancerName '${request.name}' must have at most 32 alphanumeric characters or hyphens, and must not begin or end with a hyphen`);
  const scheme = request.scheme ?? 'internet-facing';
  if (scheme !== 'internet-facing' && scheme !== 'internal') throw new EmulatorError(400, 'InvalidScheme', `Invalid scheme '${scheme}': use internet-facing or internal`);
  if (request.listeners.length === 0) throw new EmulatorError(400, 'ValidationError', "1 validation error detected: Value null at 'listeners' failed to satisfy constraint: Member must not be null");
  if (request.subnetIds.length === 0) throw new EmulatorError(400, 'ValidationError', 'Subnets are required: the local emulator models load balancers in a VPC only');
  const existing = world.elb.loadBalancers.get(request.name);
  if (existing) {
    if (sameConfiguration(existing, request, scheme)) return existing;
    throw new EmulatorError(400, 'DuplicateLoadBalancerName', `Load Balancer named '${request.name}' already exists and it is configured with different parameters.`);
  }
  if (Object.keys(request.tags).length > MAX_TAGS) throw new EmulatorError(400, 'TooManyTags', `Too many tags: at most ${MAX_TAGS} for a load balancer`);
  const subnets = subnetsOf(world, request.subnetIds);
  const vpcId = subnets[0]!.vpcId;
  const securityGroupIds = groupsOf(world, vpcId, request.securityGroupIds);
  const interfaces = subnets.map((subnet) => createNetworkInterface(world, { subnet, description: `ELB ${request.name}`, interfaceType: 'interface', securityGroupIds, requesterId: 'amazon-elb' }));
  const id = String(Math.floor(world.random() * 1e12)).padStart(12, '0');
  const lb: ClassicLoadBalancer = {
    name: request.name,
    scheme,
    vpcId,
    subnetIds: subnets.map((s) => s.subnetId),
    securityGroupIds,
    dnsName: `${scheme === 'internal' ? 'internal-' : ''}${request.name}-${id}.${world.region}.elb.amazonaws.com`,
    createdTime: world.clock.now(),
    listeners: request.listeners,
    networkInterfaceIds: interfaces.map((eni) => eni.networkInterfaceId),
    tags: { ...request.tags },
  };
  world.elb.loadBalancers.set(lb.name, lb);
  return lb;
}

/** DeleteLoadBalancer: gone at once (one already gone is accepted, as ELB does); its interfaces are released after a sampled delay. */
export function deleteClassicLoadBalancer(world: World, name: string): void {
  const lb = world.elb.loadBalancers.get(name);
  if (!lb) return;
  world.elb.loadBalancers.delete(name);
  const dueAt = world.clock.now().getTime() + world.durations.sample('classicInterfaceRelease', name) * 1000;
  for (const id of lb.networkInterfaceIds) world.elb.releasing.set(id, dueAt);
  void world.clock.sleepUntil(dueAt).then(() => settleReleases(world));
}

/** AddTags: a key already there takes the new value. */
export function addClassicTags(world: World, name: string, tags: Record<string, string>): void {
  const lb = world.elb.loadBalancers.get(name);
  if (!lb) throw accessPointNotFound(name);
  const merged = { ...lb.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) throw new EmulatorError(400, 'TooManyTags', `Too many tags: at most ${MAX_TAGS} for a load balancer`);
  lb.tags = merged;
}
