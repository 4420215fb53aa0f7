/**
 * Elastic Load Balancing v2 over world.elbv2: lookups in AWS's words, deleting (a load balancer
 * takes tens of seconds to go, world.durations `loadBalancerDelete`; its listeners go with it and
 * its interfaces are released after, which is when the VPC's subnets and the group they use can
 * be deleted), and what a load balancer controller makes for a Service (controller.ts).
 *
 * A deletion's end is recorded as an instant (deleteDueAt), not only a timer: a restored world
 * starts the timers again (resumeDeletions), and any ELBv2 call settles what is due.
 */
import { EmulatorError } from '../../protocol';
import type { LoadBalancer, TargetGroup, World } from '../../world';

export function loadBalancerNotFound(): EmulatorError {
  return new EmulatorError(400, 'LoadBalancerNotFound', 'One or more load balancers not found');
}

export function targetGroupNotFound(): EmulatorError {
  return new EmulatorError(400, 'TargetGroupNotFound', 'One or more target groups not found');
}

/** Load balancers whose deletion is due are gone: their listeners with them, then their interfaces. */
export function settleDeletions(world: World): void {
  const now = world.clock.now().getTime();
  for (const lb of [...world.elbv2.loadBalancers.values()]) {
    if (lb.deleteDueAt === undefined || lb.deleteDueAt > now) continue;
    for (const [arn, listener] of world.elbv2.listeners) if (listener.loadBalancerArn === lb.arn) world.elbv2.listeners.delete(arn);
    world.elbv2.loadBalancers.delete(lb.arn);
    for (const id of lb.networkInterfaceIds) world.ec2.networkInterfaces.delete(id);
  }
}

/** DeleteLoadBalancer: succeeds for one already deleted or being deleted, as ELBv2 does; the load balancer goes after a sampled delay. */
export function deleteLoadBalancer(world: World, arn: string): void {
  const lb = world.elbv2.loadBalancers.get(arn);
  if (!lb || lb.deleteDueAt !== undefined) return;
  lb.deleteDueAt = world.clock.now().getTime() + world.durations.sample('loadBalancerDelete', lb.name) * 1000;
  void world.clock.sleepUntil(lb.deleteDueAt).then(() => settleDeletions(world));
}

/** After a restore: the deletions under way end when they were due (at once if that has passed). */
export function resumeDeletions(world: World): void {
  settleDeletions(world);
  for (const lb of world.elbv2.loadBalancers.values()) {
    if (lb.deleteDueAt !== undefined) void world.clock.sleepUntil(lb.deleteDueAt).then(() => settleDeletions(world));
  }
}

/** Which load balancers forward to a target group (through their listeners). */
export function loadBalancersOf(world: World, targetGroup: TargetGroup): string[] {
  return [...new Set([...world.elbv2.listeners.values()].filter((l) => l.targetGroupArn === targetGroup.arn).map((l) => l.loadBalancerArn))];
}

/** DeleteTargetGroup: ResourceInUse while a listener forwards to it; one already gone is deleted. */
export function deleteTargetGroup(world: World, arn: string): void {
  const group = world.elbv2.targetGroups.get(arn);
  if (!group) return;
  if (loadBalancersOf(world, group).length > 0) throw new EmulatorError(400, 'ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
  world.elbv2.targetGroups.delete(arn);
}

/** The resource an ARN names, for DescribeTags (load balancers, target groups). */
export function taggedResource(world: World, arn: string): LoadBalancer | TargetGroup | undefined {
  return world.elbv2.loadBalancers.get(arn) ?? world.elbv2.targetGroups.get(arn);
}
