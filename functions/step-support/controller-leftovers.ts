/**
 * Clearing a cluster's VPC of what its Kubernetes controllers made there, before the stack that
 * holds the VPC is deleted: the load balancers (ELBv2 and Classic), target groups and security
 * groups the AWS Load Balancer Controller or the in-tree service controller (a Classic Load
 * Balancer and its `k8s-elb-<name>` group for every Service of type LoadBalancer without
 * annotations) created for Services and Ingresses, and the interfaces the VPC CNI left `available`. CloudFormation knows none of them, so without this
 * the VPC's subnets and groups cannot be deleted (DependencyViolation), the most reported way an
 * EKS cluster deletion fails. Shared by delete-cluster (Delete Controller Resources) and Roll Back.
 *
 * Each call is one look, in the order AWS requires: load balancers (deleting an ELBv2 one takes
 * tens of seconds; a Classic one is gone at once, its interfaces some seconds later; their
 * interfaces hold their security groups), then, once none is left, their target groups and the
 * security groups (refused, and looked at again, while a deleted load balancer's interfaces remain); interfaces the CNI left at any time.
 * What is already gone counts as deleted, so a retry finds what is left. Only what carries the
 * cluster's tags is touched, never what a stack or EKS made (their tags say so).
 */
import { MADE_BY_AWS_TAGS } from '../domain/naming';
import type { Operation, Phase } from '../generated/types';
import type { DeleteOutcome, SecurityGroupDescription } from '../ports/ec2';
import type { Deps, StepDeps } from '../shared/deps';
import { reportProgress } from '../shared/progress';

/** The AWS Load Balancer Controller's tag on what it makes: the cluster's name. */
export const LOAD_BALANCER_CONTROLLER_TAG = 'elbv2.k8s.aws/cluster';
/** The VPC CNI's tag on the interfaces it attaches to nodes: the cluster's name. */
export const VPC_CNI_TAG = 'cluster.k8s.amazonaws.com/name';
/** Kubernetes' own ownership tag (the in-tree service controller's, and EKS's on its cluster security group). */
export const clusterOwnershipTag = (cluster: string) => `kubernetes.io/cluster/${cluster}`;

export const STEP_NAMES = {
  loadBalancer: 'Delete Load Balancer',
  targetGroup: 'Delete Target Group',
  securityGroup: 'Delete Security Group',
  networkInterface: 'Delete Network Interface',
} as const;

export type SweepDeps = StepDeps<'ec2' | 'elb' | 'elbv2' | 'kubernetesGroups'>;

export interface Deletion {
  /** The step name its events carry (STEP_NAMES). */
  step: string;
  /** "load balancer k8s-default-web-…", "security group sg-…": what the events and errors name. */
  resource: string;
}

export interface Sweep {
  /** Load balancers being deleted (asked now or before): listed until they are gone. */
  deleting: Deletion[];
  /** Deleted by this look. */
  deleted: Deletion[];
  /** Still there because AWS refused for now (a dependency), with AWS's reason. */
  refused: Array<Deletion & { reason: string }>;
}

/** Whether anything is left to wait for. */
export function sweepDone(sweep: Sweep): boolean {
  return sweep.deleting.length === 0 && sweep.refused.length === 0;
}

/** "load balancer x (being deleted), security group sg-… (DependencyViolation: …)". */
export function describeRemaining(sweep: Sweep): string {
  return [...sweep.deleting.map((d) => `${d.resource} (being deleted)`), ...sweep.refused.map((r) => `${r.resource} (${r.reason})`)].join(', ');
}

function taggedForCluster(tags: Record<string, string>, cluster: string): boolean {
  return tags[LOAD_BALANCER_CONTROLLER_TAG] === cluster || ['owned', 'shared'].includes(tags[clusterOwnershipTag(cluster)] ?? '');
}

/** One look at the VPC: starts or makes every deletion AWS would accept now. */
export async function sweepControllerLeftovers(cluster: string, vpcId: string, deps: SweepDeps): Promise<Sweep> {
  const sweep: Sweep = { deleting: [], deleted: [], refused: [] };
  const loadBalancers = (await deps.elbv2.describeLoadBalancers(vpcId)).filter((lb) => taggedForCluster(lb.tags, cluster));
  for (const lb of loadBalancers) {
    // Accepted again while it is being deleted: one call whether this look or an earlier one started it.
    await deps.elbv2.deleteLoadBalancer(lb.arn);
    sweep.deleting.push({ step: STEP_NAMES.loadBalancer, resource: `load balancer ${lb.name}` });
  }
  // The in-tree service controller's (Classic Load Balancers carry only Kubernetes' own tag): gone when the delete answers.
  const classic = (await deps.elb.describeLoadBalancers(vpcId)).filter((lb) => taggedForCluster(lb.tags, cluster));
  for (const lb of classic) {
    await deps.elb.deleteLoadBalancer(lb.name);
    sweep.deleted.push({ step: STEP_NAMES.loadBalancer, resource: `load balancer ${lb.name}` });
  }
  // Target groups are in use while a listener of a load balancer forwards to them, and a load
  // balancer's interfaces hold its security groups: both wait for the ELBv2 load balancers to be
  // gone. A Classic one is gone already, but EC2 releases its interfaces some seconds later: its
  // group is refused (DependencyViolation) until then, which keeps the sweep looking.
  if (loadBalancers.length === 0) {
    for (const group of (await deps.elbv2.describeTargetGroups(vpcId)).filter((g) => taggedForCluster(g.tags, cluster))) {
      const deletion = { step: STEP_NAMES.targetGroup, resource: `target group ${group.name}` };
      if ((await deps.elbv2.deleteTargetGroup(group.arn)) === 'deleted') sweep.deleted.push(deletion);
      else sweep.refused.push({ ...deletion, reason: 'ResourceInUse: a listener still forwards to it' });
    }
    for (const group of await controllerSecurityGroups(cluster, vpcId, deps)) {
      const deletion = { step: STEP_NAMES.securityGroup, resource: `security group ${group.groupId} (${group.groupName})` };
      await revokeRulesNaming(group.groupId, vpcId, deps);
      const outcome = await deleteControllerGroup(cluster, group, deps);
      if (outcome.deleted) sweep.deleted.push(deletion);
      else sweep.refused.push({ ...deletion, reason: outcome.reason });
    }
  }
  const interfaces = await deps.ec2.describeNetworkInterfaces({ 'vpc-id': [vpcId], status: ['available'], [`tag:${VPC_CNI_TAG}`]: [cluster] });
  for (const eni of interfaces) {
    const deletion = { step: STEP_NAMES.networkInterface, resource: `network interface ${eni.networkInterfaceId}` };
    const outcome = await deps.ec2.deleteNetworkInterface(eni.networkInterfaceId);
    if (outcome.deleted) sweep.deleted.push(deletion);
    else sweep.refused.push({ ...deletion, reason: outcome.reason });
  }
  return sweep;
}

/**
 * The controller lets its load balancers reach their targets with rules in the nodes' groups (the
 * EKS cluster security group, the stack's node group) naming the load balancer's group: EC2 will
 * not delete a group another group's rule names, and with the controller gone no one else removes
 * them. Only rules naming this group, in groups of this VPC, are revoked.
 */
async function revokeRulesNaming(groupId: string, vpcId: string, deps: SweepDeps): Promise<void> {
  const holders = new Set([
    ...(await deps.ec2.describeSecurityGroups({ 'vpc-id': [vpcId], 'ip-permission.group-id': [groupId] })),
    ...(await deps.ec2.describeSecurityGroups({ 'vpc-id': [vpcId], 'egress.ip-permission.group-id': [groupId] })),
  ].map((g) => g.groupId));
  holders.delete(groupId);
  if (holders.size === 0) return;
  const rules = (await deps.ec2.describeSecurityGroupRules({ 'group-id': [...holders] })).filter((r) => r.referencedGroupId === groupId && r.groupId !== groupId);
  for (const holder of holders) {
    for (const egress of [false, true]) {
      const ids = rules.filter((r) => r.groupId === holder && r.isEgress === egress).map((r) => r.ruleId);
      if (ids.length > 0) await deps.ec2.revokeSecurityGroupRules(holder, ids, egress);
    }
  }
}

/**
 * The AWS Load Balancer Controller's groups carry its tag, which the function's own role may
 * delete; the in-tree controller's carry only Kubernetes' ownership tag, whose key names the
 * cluster: those go through a session scoped to this cluster (ports/kubernetes-groups.ts).
 */
function deleteControllerGroup(cluster: string, group: SecurityGroupDescription, deps: SweepDeps): Promise<DeleteOutcome> {
  if (group.tags[LOAD_BALANCER_CONTROLLER_TAG] === cluster) return deps.ec2.deleteSecurityGroup(group.groupId);
  return deps.kubernetesGroups.deleteOwnedSecurityGroup(cluster, group.groupId);
}

/** Groups tagged for the cluster by a controller; never the stack's or EKS's own (they carry AWS's tags). */
async function controllerSecurityGroups(cluster: string, vpcId: string, deps: SweepDeps) {
  const byController = await deps.ec2.describeSecurityGroups({ 'vpc-id': [vpcId], [`tag:${LOAD_BALANCER_CONTROLLER_TAG}`]: [cluster] });
  const byKubernetes = await deps.ec2.describeSecurityGroups({ 'vpc-id': [vpcId], [`tag:${clusterOwnershipTag(cluster)}`]: ['owned'] });
  const groups = new Map([...byController, ...byKubernetes].map((g) => [g.groupId, g]));
  return [...groups.values()].filter((g) => !MADE_BY_AWS_TAGS.some((tag) => tag in g.tags));
}

/**
 * The sweep as status events: STARTED for a load balancer first seen being deleted, SUCCEEDED once
 * it is gone (the operation's timeline remembers which were started: a retry with no state of its
 * own still reports it), SUCCEEDED for what this look deleted.
 */
export async function reportSweep(operation: Operation, phase: Phase, sweep: Sweep, deps: Pick<Deps, 'registry' | 'events' | 'clock'>): Promise<void> {
  const now = deps.clock().toISOString();
  const steps = Object.values((await deps.registry.getOperation(operation.id))?.steps ?? {}).filter((s) => s.name === STEP_NAMES.loadBalancer);
  const started = new Map(steps.filter((s) => s.status === 'STARTED').map((s) => [s.resource ?? '', s.startedAt]));
  const finished = new Set(steps.filter((s) => s.status === 'SUCCEEDED').map((s) => s.resource ?? ''));
  const stillDeleting = new Set(sweep.deleting.map((d) => d.resource));
  for (const deletion of sweep.deleting) {
    if (started.has(deletion.resource)) continue;
    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase, step: { name: deletion.step, status: 'STARTED', resource: deletion.resource, startedAt: now } });
  }
  for (const [resource, startedAt] of started) {
    if (stillDeleting.has(resource) || finished.has(resource)) continue;
    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase, step: { name: STEP_NAMES.loadBalancer, status: 'SUCCEEDED', resource, startedAt, endedAt: now } });
  }
  for (const deletion of sweep.deleted) {
    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase, step: { name: deletion.step, status: 'SUCCEEDED', resource: deletion.resource, startedAt: now, endedAt: now } });
  }
}
