/**
 * The Elastic Load Balancing (Classic) actions over awsQuery (Action=X&Version=2012-06-01, lists
 * as `.member.N`, pages by Marker/PageSize): what the in-tree Kubernetes service controller calls
 * to make a load balancer, the reads and the delete a cleanup of a cluster's VPC makes, and what
 * `aws elb describe-load-balancers` shows. Any other action answers InvalidAction.
 */
import { EmulatorError, formList, formStructList, type XmlValue } from '../../protocol';
import { settlingFirst, type QueryOperation } from '../../query';
import type { ClassicListener, ClassicLoadBalancer, World } from '../../world';
import { paged, required, tagsAskedFor } from '../load-balancing-query';
import { accessPointNotFound, addClassicTags, CLASSIC_HOSTED_ZONE, createClassicLoadBalancer, deleteClassicLoadBalancer, settleReleases } from './state';

export const NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/';
export const API_VERSION = '2012-06-01';

/** `Tags.member.N.Key/Value`, a key given twice refused as ELB does. */
function tagsOf(form: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { Key, Value } of formStructList(form, 'Tags', ['Key', 'Value'])) {
    if (!Key) throw new EmulatorError(400, 'ValidationError', "1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null");
    if (Key in tags) throw new EmulatorError(400, 'DuplicateTagKeys', `Tag key '${Key}' is given more than once`);
    tags[Key] = Value ?? '';
  }
  return tags;
}

function port(value: string | undefined, field: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new EmulatorError(400, 'ValidationError', `${field} must be a port number (1-65535), got '${value ?? ''}'`);
  return n;
}

function listenersOf(form: URLSearchParams): ClassicListener[] {
  return formStructList(form, 'Listeners', ['Protocol', 'LoadBalancerPort', 'InstanceProtocol', 'InstancePort']).map((l) => {
    const protocol = (l.Protocol ?? '').toUpperCase();
    if (!['HTTP', 'HTTPS', 'TCP', 'SSL'].includes(protocol)) throw new EmulatorError(400, 'ValidationError', `Invalid protocol '${l.Protocol ?? ''}': use HTTP, HTTPS, TCP or SSL`);
    return { protocol, loadBalancerPort: port(l.LoadBalancerPort, 'LoadBalancerPort'), instanceProtocol: (l.InstanceProtocol ?? protocol).toUpperCase(), instancePort: port(l.InstancePort, 'InstancePort') };
  });
}

/** The load balancers named (each must exist), in the order asked. */
function named(world: World, names: string[]): ClassicLoadBalancer[] {
  const missing = names.find((name) => !world.elb.loadBalancers.has(name));
  if (missing !== undefined) throw accessPointNotFound(missing);
  return names.map((name) => world.elb.loadBalancers.get(name)!);
}

function descriptionOf(world: World, lb: ClassicLoadBalancer): XmlValue {
  return {
    LoadBalancerName: lb.name,
    DNSName: lb.dnsName,
    CanonicalHostedZoneName: lb.dnsName,
    CanonicalHostedZoneNameID: CLASSIC_HOSTED_ZONE,
    ListenerDescriptions: lb.listeners.map((l) => ({ Listener: { Protocol: l.protocol, LoadBalancerPort: l.loadBalancerPort, InstanceProtocol: l.instanceProtocol, InstancePort: l.instancePort }, PolicyNames: [] })),
    Policies: { AppCookieStickinessPolicies: [], LBCookieStickinessPolicies: [], OtherPolicies: [] },
    BackendServerDescriptions: [],
    AvailabilityZones: lb.subnetIds.map((id) => world.ec2.subnets.get(id)?.availabilityZone ?? ''),
    Subnets: lb.subnetIds,
    VPCId: lb.vpcId,
    Instances: [],
    HealthCheck: { Target: `TCP:${lb.listeners[0]?.instancePort ?? 80}`, Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 10 },
    SourceSecurityGroup: { OwnerAlias: world.account, GroupName: world.ec2.securityGroups.get(lb.securityGroupIds[0] ?? '')?.groupName ?? 'default' },
    SecurityGroups: lb.securityGroupIds,
    CreatedTime: lb.createdTime,
    Scheme: lb.scheme,
  };
}

type Action = (world: World, form: URLSearchParams) => Record<string, XmlValue>;

export const ACTIONS: Record<string, Action> = {
  CreateLoadBalancer(world, form) {
    const lb = createClassicLoadBalancer(world, {
      name: required(form, 'LoadBalancerName'),
      ...(form.get('Scheme') ? { scheme: form.get('Scheme')! } : {}),
      subnetIds: formList(form, 'Subnets'),
      securityGroupIds: formList(form, 'SecurityGroups'),
      listeners: listenersOf(form),
      tags: tagsOf(form),
    });
    return { DNSName: lb.dnsName };
  },

  DescribeLoadBalancers(world, form) {
    const names = formList(form, 'LoadBalancerNames');
    const selected = names.length ? named(world, names) : [...world.elb.loadBalancers.values()];
    return paged(form, selected, 'LoadBalancerDescriptions', (lb) => descriptionOf(world, lb));
  },

  DescribeTags(world, form) {
    const names = tagsAskedFor(form, 'LoadBalancerNames');
    return { TagDescriptions: named(world, names).map((lb) => ({ LoadBalancerName: lb.name, Tags: Object.entries(lb.tags).map(([Key, Value]) => ({ Key, Value })) })) };
  },

  AddTags(world, form) {
    const names = formList(form, 'LoadBalancerNames');
    if (names.length !== 1) throw new EmulatorError(400, 'ValidationError', "1 validation error detected: Value at 'loadBalancerNames' failed to satisfy constraint: Member must have length equal to 1");
    const tags = tagsOf(form);
    if (Object.keys(tags).length === 0) throw new EmulatorError(400, 'ValidationError', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    addClassicTags(world, names[0]!, tags);
    return {};
  },

  DeleteLoadBalancer(world, form) {
    deleteClassicLoadBalancer(world, required(form, 'LoadBalancerName'));
    return {};
  },
};

/** The operations for query/dispatch.ts: each first settles the interface releases that are due. */
export function operations(): Record<string, QueryOperation> {
  return settlingFirst(settleReleases, ACTIONS);
}
