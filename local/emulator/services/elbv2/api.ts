/**
 * The Elastic Load Balancing v2 actions over awsQuery (Action=X&Version=2015-12-01, lists as
 * `.member.N`, pages by Marker/PageSize): the reads and deletes a cleanup of a cluster's VPC
 * makes, and what `aws elbv2 describe-load-balancers` shows. Any other action answers
 * InvalidAction (query/dispatch.ts).
 */
import { EmulatorError, formList, type XmlValue } from '../../protocol';
import { settlingFirst, type QueryOperation } from '../../query';
import { paged, required, tagsAskedFor } from '../load-balancing-query';
import type { LoadBalancer, TargetGroup, World } from '../../world';
import { deleteLoadBalancer, deleteTargetGroup, loadBalancerNotFound, loadBalancersOf, settleDeletions, targetGroupNotFound, taggedResource } from './state';

export const NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
export const API_VERSION = '2015-12-01';

/** Route 53 hosted zones of the load balancers' DNS names in us-east-1 (ALB, NLB). */
const HOSTED_ZONES = { application: 'Z35SXDOTRQ7X7K', network: 'Z26RNL4JYFTOTI' };

function loadBalancerShape(world: World, lb: LoadBalancer): XmlValue {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: HOSTED_ZONES[lb.type],
    CreatedTime: lb.createdTime,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    // ELBv2 has no "deleting" state: a load balancer being deleted is shown as it was until it is gone.
    State: { Code: 'active' },
    Type: lb.type,
    AvailabilityZones: lb.subnetIds.map((subnetId) => ({ ZoneName: world.ec2.subnets.get(subnetId)?.availabilityZone ?? '', SubnetId: subnetId })),
    SecurityGroups: lb.securityGroupIds,
    IpAddressType: 'ipv4',
  };
}

function targetGroupShape(world: World, group: TargetGroup): XmlValue {
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: group.protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 15,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    LoadBalancerArns: loadBalancersOf(world, group),
    TargetType: group.targetType,
    IpAddressType: 'ipv4',
  };
}

type Action = (world: World, form: URLSearchParams) => Record<string, XmlValue>;

export const ACTIONS: Record<string, Action> = {
  DescribeLoadBalancers(world, form) {
    const arns = formList(form, 'LoadBalancerArns');
    const names = formList(form, 'Names');
    const all = [...world.elbv2.loadBalancers.values()];
    if (arns.some((arn) => !world.elbv2.loadBalancers.has(arn))) throw loadBalancerNotFound();
    if (names.some((name) => !all.some((lb) => lb.name === name))) throw new EmulatorError(400, 'LoadBalancerNotFound', `Load balancers '[${names.filter((n) => !all.some((lb) => lb.name === n)).join(', ')}]' not found`);
    const selected = all.filter((lb) => (!arns.length || arns.includes(lb.arn)) && (!names.length || names.includes(lb.name)));
    return paged(form, selected, 'LoadBalancers', (lb) => loadBalancerShape(world, lb));
  },

  DescribeTargetGroups(world, form) {
    const lbArn = form.get('LoadBalancerArn');
    const arns = formList(form, 'TargetGroupArns');
    const names = formList(form, 'Names');
    if (lbArn && !world.elbv2.loadBalancers.has(lbArn)) throw loadBalancerNotFound();
    const all = [...world.elbv2.targetGroups.values()];
    if (arns.some((arn) => !world.elbv2.targetGroups.has(arn)) || names.some((name) => !all.some((g) => g.name === name))) throw targetGroupNotFound();
    const selected = all.filter((g) => (!lbArn || loadBalancersOf(world, g).includes(lbArn)) && (!arns.length || arns.includes(g.arn)) && (!names.length || names.includes(g.name)));
    return paged(form, selected, 'TargetGroups', (g) => targetGroupShape(world, g));
  },

  DescribeTags(world, form) {
    const arns = tagsAskedFor(form, 'ResourceArns');
    const resources = arns.map((arn) => ({ arn, resource: taggedResource(world, arn) }));
    const missing = resources.find((r) => !r.resource);
    if (missing) throw missing.arn.includes(':targetgroup/') ? targetGroupNotFound() : loadBalancerNotFound();
    return { TagDescriptions: resources.map(({ arn, resource }) => ({ ResourceArn: arn, Tags: Object.entries(resource!.tags).map(([Key, Value]) => ({ Key, Value })) })) };
  },

  DeleteLoadBalancer(world, form) {
    deleteLoadBalancer(world, required(form, 'LoadBalancerArn'));
    return {};
  },

  DeleteTargetGroup(world, form) {
    deleteTargetGroup(world, required(form, 'TargetGroupArn'));
    return {};
  },
};

/** The operations for query/dispatch.ts: each first settles the deletions that are due. */
export function operations(): Record<string, QueryOperation> {
  return settlingFirst(settleDeletions, ACTIONS);
}
