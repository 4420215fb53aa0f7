/**
 * An in-memory AWS behind the service's ports, for step and workflow tests: resources move
 * through the real status sequences (a given number of describes each), faults are injectable,
 * and every call is recorded in order. Time advances by `tickSeconds` on every describe, as if
 * each poll were that far apart.
 */
import type { CloudFormationPort, CreateStackRequest, StackDescription } from '../../functions/ports/cloudformation';
import type { Ec2Filters, Ec2Port, NetworkInterfaceDescription, SecurityGroupDescription, SecurityGroupRuleDescription, SubnetDescription } from '../../functions/ports/ec2';
import type { KubernetesGroupsPort } from '../../functions/ports/kubernetes-groups';
import type { ClassicLoadBalancerDescription, ElbPort } from '../../functions/ports/elb';
import type { Elbv2Port, LoadBalancerDescription, TargetGroupDescription } from '../../functions/ports/elbv2';
import type { Addon, AddonInfo, Cluster, EksPort, FargateProfile, Insight, Nodegroup, PodIdentityAssociation, Update } from '../../functions/ports/eks';
import type { AwsAuth, ClusterAccess, KubernetesPort, NodeStatus } from '../../functions/ports/kubernetes';
import { SELF_MANAGED_NODEGROUP_LABEL } from '../../functions/domain/self-managed-nodegroup-template';
import type { ClusterRecord, ClusterStatus, OperationRecord, RegistryPort, VersionNoticeKey } from '../../functions/ports/registry';
import type { SchedulesPort } from '../../functions/ports/schedules';
import type { SsmPort } from '../../functions/ports/ssm';
import type { AutoScalingPort } from '../../functions/ports/autoscaling';
import type { RequestRejection, StatusEventsPort } from '../../functions/ports/status-events';
import type { ExecutionStatus, WorkflowsPort } from '../../functions/ports/workflows';
import type { Deps } from '../../functions/shared/deps';
import type { Operation, OperationStatusEvent, VersionSupportEndingEvent } from '../../functions/generated/types';
import type { KubernetesVersionInfo } from '../../functions/domain/version-support';
import { CLUSTER_VERSIONS } from './cluster-versions';
import type { StackEventLike } from '../../functions/domain/diagnosis';
import { principalOf } from '../../functions/domain/caller';
import { decodeCursor, encodeCursor, type CursorScope } from '../../functions/ports/page-cursor';
import { AwsRequestError, ClusterBusyError, ClusterChangedError, ClusterExistsError, InvalidSpecError, KubernetesConflictError, ResourceBusyError, UpdateInProgressError } from '../../functions/shared/errors';

/** The permissions boundary the fake settings name (PERMISSIONS_BOUNDARY_ARN), also in the templates tests render. */
export const PERMISSIONS_BOUNDARY_ARN = 'arn:aws:iam::111122223333:policy/eks-provisioner/eksp-role-boundary';
/** The boundary of the roles made for Pod Identity associations the fake settings name (POD_ROLE_BOUNDARY_ARN). */
export const POD_ROLE_BOUNDARY_ARN = 'arn:aws:iam::111122223333:policy/eks-provisioner/eksp-pod-role-boundary';
/** Where the fake settings say the kube agent's code is (KUBE_AGENT_CODE_BUCKET/KEY). */
export const KUBE_AGENT_CODE = { s3Bucket: 'cdk-assets-111122223333-us-east-1', s3Key: 'kube-agent.zip' };
const AWS_AUTH_CONFIG_MAP = 'kube-system/aws-auth';

export interface Call {
  service: string;
  operation: string;
  target?: string;
  /** The idempotency token the request carried (ClientRequestToken), when it had one. */
  token?: string;
}

export interface Faults {
  /** The stack (every stack, or only `stackName`) fails this resource with this reason and rolls back (or stays CREATE_FAILED under DO_NOTHING). */
  stackResourceFailure?: { logicalId: string; type: string; reason: string; stackName?: string };
  nodegroupFailure?: { nodegroup: string; code: string; message: string };
  /** UpdateClusterConfig answers "update in progress" this many times first. */
  updateInProgressTimes?: number;
  updateFailure?: { message: string };
  /** aws-auth writes conflict this many times first. */
  awsAuthConflicts?: number;
  /** Deleting a stack fails on this resource with this reason: the stack ends DELETE_FAILED. */
  stackDeleteFailure?: { logicalId: string; type: string; reason: string };
  /** DescribeClusterVersions fails (EKS unreachable). */
  clusterVersionsUnavailable?: boolean;
  /** PutEvents refuses this many version support notices first. */
  noticeRefusals?: number;
  /** UpdateNodegroupVersion of this nodegroup ends Failed with PodEvictionFailure unless forced. */
  podEvictionFailure?: { nodegroup: string; message: string };
  /** UpdateAddon of this add-on ends UPDATE_FAILED with this health issue. */
  addonUpdateFailure?: { addon: string; message: string };
  /** The nodes of this nodegroup never become Ready: their Ready condition, as the kubelet posts it. */
  nodesNotReady?: { nodegroup: string; status: 'False' | 'Unknown'; reason: string; message: string };
  /** Evictions of these pods (namespace/name) are refused as a PodDisruptionBudget refuses them. */
  blockedEvictions?: Record<string, string>;
}

/** A page with the registry's cursors (bound to listing and caller), continuing after the named item. */
function pageOf<T>(items: T[], keyOf: (item: T) => string, scope: CursorScope, query: { limit: number; cursor?: string | undefined }): { items: T[]; cursor?: string } {
  const key = { attributes: ['after'] };
  const after = decodeCursor(query.cursor, scope, key)?.after;
  const rest = after === undefined ? items : items.slice(items.findIndex((item) => keyOf(item) === after) + 1);
  const page = rest.slice(0, query.limit).map((item) => structuredClone(item));
  return { items: page, ...(rest.length > query.limit ? { cursor: encodeCursor({ after: keyOf(page[page.length - 1]!) }, scope, key) } : {}) };
}

/** EC2 filters as the fake applies them: `vpc-id`, `status` and `tag:<key>`; any other name is a test's mistake. */
function matchesFilters(filters: Ec2Filters, fields: Record<string, string | string[]>, tags: Record<string, string>): boolean {
  return Object.entries(filters).every(([name, values]) => {
    if (name.startsWith('tag:')) return values.includes(tags[name.slice(4)] ?? '\u0000');
    if (!(name in fields)) throw new Error(`the fake EC2 does not filter by ${name}`);
    return [fields[name]!].flat().some((value) => values.includes(value));
  });
}

const filterLabel = (filters: Ec2Filters) => Object.entries(filters).map(([name, values]) => `${name}=${values.join('|')}`).join(',');

const noticeKeyOf = (key: VersionNoticeKey) => `${key.cluster}#${key.clusterCreatedAt}#${key.version}#${key.ending}#${key.threshold}`;

interface Tracked {
  status: string;
  describesLeft: number;
  createdAt: Date;
}


export class FakeAws {
  readonly calls: Call[] = [];
  readonly events: OperationStatusEvent[] = [];
  readonly rejections: RequestRejection[] = [];
  readonly versionNotices: VersionSupportEndingEvent[] = [];
  /** What DescribeClusterVersions answers. */
  clusterVersions: KubernetesVersionInfo[] = structuredClone(CLUSTER_VERSIONS);
  /** Version support notices claimed, by key, with when they were sent once they were. */
  readonly noticeRecords = new Map<string, { claimedAt: string; sentAt?: string }>();
  readonly faults: Faults;
  readonly region = 'us-east-1';
  private now = new Date('2026-11-21T10:00:00Z');
  /** Moves the clock on (the version support check's tests span days). */
  advanceClock(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
  readonly stacks = new Map<string, StackDescription & { token: string; onFailure: string; describesLeft: number; template: { Outputs?: Record<string, unknown>; Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }; events: StackEventLike[] }>();
  readonly clusters = new Map<string, Cluster>();
  /** Cluster stacks whose delete meets a cluster with deletion protection: it ends DELETE_FAILED. */
  private readonly protectedStacks = new Set<string>();
  readonly nodegroups = new Map<string, Nodegroup & Tracked>();
  /** Launch template id → its latest version: 1 until a stack update changes the template's data. */
  readonly launchTemplateVersions = new Map<string, number>();
  /**
   * Self-managed nodegroups' Auto Scaling groups by name, made at their first look: the launch
   * template's version (CloudFormation makes a new one when its data changes) and the instances,
   * each launched from a version with that version's AMI. Serials name their nodes.
   */
  readonly selfManagedGroups = new Map<string, { launchTemplateData: string; version: number; instances: Array<{ instanceId: string; launchTemplateVersion: string; imageId: string; serial: number }>; nextSerial: number }>();
  readonly profiles = new Map<string, FargateProfile & Tracked>();
  readonly addons = new Map<string, Addon & Tracked>();
  /** Pod Identity associations by id; EKS makes them at once (no status to follow). */
  readonly podIdentityAssociations = new Map<string, PodIdentityAssociation>();
  /** Add-ons deleted with preserve (cluster/name): their Kubernetes resources stay on the cluster. */
  readonly preservedAddons = new Set<string>();
  readonly updates = new Map<string, Update & { clusterName: string; nodegroupName?: string; addonName?: string; describesLeft: number; config: Record<string, unknown>; apply?: () => void; fail?: () => Update['errors'] }>();
  /** Upgrade insights (ListInsights / DescribeInsight), of every cluster: `clusterName` says whose. */
  readonly insights: Array<Insight & { clusterName: string }> = [];
  /** The insights refresh StartInsightsRefresh began: COMPLETED after this many more describes. */
  insightsRefresh?: { status: string; describesLeft: number };
  /**
   * What DescribeAddonVersions answers per add-on; absent, one version per Kubernetes version of
   * `clusterVersions`, v1.0.0-eksbuild.<major><minor>, each the default (as defaultAddonVersion says).
   */
  readonly addonCatalogue = new Map<string, AddonInfo>();
  /** `type` only for entries EKS makes itself (EC2_LINUX, FARGATE_LINUX, ...); absent means STANDARD. */
  readonly accessEntries = new Map<string, { username?: string; kubernetesGroups?: string[]; type?: string; tags?: Record<string, string>; policies: Map<string, unknown> }>();
  /** The principal the Kubernetes port acts as (KubernetesPort.principal): the CloudFormation role, as deployed. */
  servicePrincipal = 'arn:aws:iam::111122223333:role/eksp-cloudformation';
  /** Pods running on nodes, by cluster (DaemonSet pods are not listed: drains leave them). */
  readonly pods = new Map<string, Array<{ namespace: string; name: string; node: string; terminating?: boolean }>>();
  /** The Kubernetes version of AMIs no EKS optimized AMI parameter names (a spec's pinned AMI), by image id. */
  readonly customAmiKubelets = new Map<string, string>();
  /** Nodes cordoned, by `<cluster>/<node>`, with the operation the cordon names (its eks-provisioner/cordoned-by annotation), if any. */
  readonly cordoned = new Map<string, string | undefined>();
  /** aws-auth of each cluster, by `<cluster>/kube-system/aws-auth`. */
  readonly configMaps = new Map<string, AwsAuth>();
  readonly subnets = new Map<string, SubnetDescription>();
  /** ELBv2: a deleted load balancer is listed for `loadBalancerDeleteDescribes` more describes, then gone with its listeners (and the interfaces that held its group). */
  readonly loadBalancers = new Map<string, LoadBalancerDescription & { securityGroupIds: string[]; describesLeft?: number }>();
  loadBalancerDeleteDescribes = 2;
  /** Classic: a deleted load balancer is gone at once; its interfaces (which hold its group) are released after `classicReleaseDescribes` more describes. */
  readonly classicLoadBalancers = new Map<string, ClassicLoadBalancerDescription & { networkInterfaceIds: string[] }>();
  classicReleaseDescribes = 1;
  private readonly releasingInterfaces = new Map<string, number>();
  readonly targetGroups = new Map<string, TargetGroupDescription>();
  readonly securityGroups = new Map<string, SecurityGroupDescription>();
  readonly networkInterfaces = new Map<string, NetworkInterfaceDescription>();
  /** Rules of the groups above; a group another group's rule names cannot be deleted. */
  securityGroupRules: SecurityGroupRuleDescription[] = [];
  /** Groups EC2 refuses to delete whatever happens (another group's rule names them), with EC2's reason. */
  readonly pinnedSecurityGroups = new Map<string, string>();
  readonly operations = new Map<string, OperationRecord>();
  readonly clusterRecords = new Map<string, ClusterRecord>();
  /** Cluster name → when its expiry schedule fires. */
  readonly expirySchedules = new Map<string, Date>();
  /** Cluster name → the unattended upgrade its schedule starts, and when. */
  readonly upgradeSchedules = new Map<string, { version: string; at: Date }>();
  readonly executions: Array<{ name: string; input: unknown }> = [];
  /** How executions ended, by name (absent: still running). */
  readonly executionEndings = new Map<string, ExecutionStatus>();

  constructor(
    faults: Faults = {},
    /** Describes until done, per kind. */
    readonly durations = { stack: 3, cluster: 0, nodegroup: 2, fargateProfile: 2, addon: 1, addonDelete: 0, update: 2, nodegroupDelete: 2, profileDelete: 1, stackDelete: 2 },
    readonly tickSeconds = 60,
  ) {
    this.faults = { ...faults };
  }

  clock = (): Date => new Date(this.now);

  private tick(): void {
    this.now = new Date(this.now.getTime() + this.tickSeconds * 1000);
  }

  private record(service: string, operation: string, target?: string, token?: string): void {
    this.calls.push({ service, operation, ...(target ? { target } : {}), ...(token ? { token } : {}) });
  }

  /** "eks:CreateNodegroup ng-spot" lines, for asserting the order of AWS calls. */
  callLog(filter?: (c: Call) => boolean): string[] {
    return this.calls.filter(filter ?? (() => true)).map((c) => `${c.service}:${c.operation}${c.target ? ` ${c.target}` : ''}`);
  }

  deps(overrides: Partial<Deps['settings']> = {}): Deps {
    return {
      autoScaling: this.autoScaling,
      cloudFormation: this.cloudFormation,
      eks: this.eks,
      ec2: this.ec2,
      elbv2: this.elbv2,
      elb: this.elb,
      events: this.statusEvents,
      registry: this.registry,
      kubernetes: this.kubernetes,
      kubernetesGroups: this.kubernetesGroups,
      workflows: this.workflows,
      schedules: this.schedules,
      ssm: this.ssm,
      clock: this.clock,
      // Waits move the fake clock on: a check that watches within its invocation (watch.ts) takes no real time.
      wait: async (ms: number) => this.advanceClock(ms),
      settings: {
        guardrails: () => ({ kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' }),
        cloudFormationRoleArn: () => 'arn:aws:iam::111122223333:role/eksp-cloudformation',
        permissionsBoundaryArn: () => PERMISSIONS_BOUNDARY_ARN,
        podRoleBoundaryArn: () => POD_ROLE_BOUNDARY_ARN,
        kubeAgentCode: () => KUBE_AGENT_CODE,
        provisionStateMachineArn: () => 'arn:aws:states:us-east-1:111122223333:stateMachine:provision-cluster',
        deleteStateMachineArn: () => 'arn:aws:states:us-east-1:111122223333:stateMachine:delete-cluster',
        updateStateMachineArn: () => 'arn:aws:states:us-east-1:111122223333:stateMachine:update-cluster',
        upgradeStateMachineArn: () => 'arn:aws:states:us-east-1:111122223333:stateMachine:upgrade-cluster',
        eventSources: () => ({ 'com.example.portal': 'arn:aws:iam::111122223333:role/portal' }),
        region: () => this.region,
        adminPrincipalArns: () => ['arn:aws:iam::111122223333:role/platform-admin'],
        ...overrides,
      },
    };
  }

  /** SSM's parameters: the EKS optimized AL2023 AMI of every version in clusterVersions, per architecture, as AWS publishes them. */
  readonly ssmParameters = new Map<string, string>(
    CLUSTER_VERSIONS.flatMap((v) => (['x86_64', 'arm64'] as const).map((arch) => [`/aws/service/eks/optimized-ami/${v.version}/amazon-linux-2023/${arch}/standard/recommended/image_id`, `ami-0${arch === 'arm64' ? 'a' : 'b'}${v.version.replace('.', '')}0000000000`] as [string, string])),
  );

  /** A self-managed nodegroup stack's group: DesiredCapacity instances in service, on its launch template's first version. */
  readonly autoScaling: AutoScalingPort = {
    describeGroup: async (name: string) => {
      this.record('autoscaling', 'DescribeAutoScalingGroups', name);
      const group = this.selfManagedGroup(name);
      if (!group) return undefined;
      return { name, launchTemplateVersion: String(group.version), desiredCapacity: group.instances.length, instances: group.instances.map(({ instanceId, launchTemplateVersion }) => ({ instanceId, lifecycleState: 'InService', launchTemplateVersion })) };
    },
    // The group launches the successor at once, from its launch template's current version (InService straight away).
    replaceInstance: async (instanceId: string) => {
      this.record('autoscaling', 'TerminateInstanceInAutoScalingGroup', instanceId);
      for (const [name, group] of this.selfManagedGroups) {
        const index = group.instances.findIndex((instance) => instance.instanceId === instanceId);
        if (index < 0) continue;
        const current = this.selfManagedGroup(name)!;
        group.instances.splice(index, 1, this.launchInstance(name, current));
        return;
      }
      throw Object.assign(new Error(`Instance Id not found - No managed instance found for instance ID: ${instanceId}`), { name: 'ValidationError' });
    },
  };

  /** The self-managed group of its stack now: a changed launch template's data is a new version. */
  selfManagedGroup(name: string) {
    const stack = [...this.stacks.values()].find((s) => s.outputs?.AutoScalingGroupName === name);
    const resources = stack ? Object.values(stack.template.Resources) : [];
    const asg = resources.find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
    if (!asg) return undefined;
    const data = JSON.stringify(resources.find((r) => r.Type === 'AWS::EC2::LaunchTemplate')?.Properties?.LaunchTemplateData ?? {});
    let group = this.selfManagedGroups.get(name);
    if (!group) {
      group = { launchTemplateData: data, version: 1, instances: [], nextSerial: 0 };
      this.selfManagedGroups.set(name, group);
    } else if (group.launchTemplateData !== data) {
      Object.assign(group, { launchTemplateData: data, version: group.version + 1 });
    }
    // The group keeps DesiredCapacity instances: launching the missing ones, ending the newest first.
    const desired = Number(asg.Properties?.DesiredCapacity ?? 0);
    while (group.instances.length < desired) group.instances.push(this.launchInstance(name, group));
    group.instances.splice(desired);
    return group;
  }

  private launchInstance(name: string, group: { launchTemplateData: string; version: number; nextSerial: number }) {
    const serial = group.nextSerial++;
    return { instanceId: `i-0${serial}${name.length}`, launchTemplateVersion: String(group.version), imageId: String((JSON.parse(group.launchTemplateData) as { ImageId?: string }).ImageId), serial };
  }

  readonly ssm: SsmPort = {
    getParameter: async (name: string) => {
      this.record('ssm', 'GetParameter', name);
      return this.ssmParameters.get(name);
    },
  };

  // ── CloudFormation ─────────────────────────────────────────────────────────────────────
  readonly cloudFormation: CloudFormationPort = {
    createStack: async (request: CreateStackRequest) => {
      this.record('cloudformation', 'CreateStack', request.stackName, request.clientRequestToken);
      const existing = this.stacks.get(request.stackName);
      if (existing) return existing.token === request.clientRequestToken;
      const template = JSON.parse(request.templateBody);
      this.stacks.set(request.stackName, {
        stackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/${request.stackName}/1`,
        stackName: request.stackName,
        status: 'CREATE_IN_PROGRESS',
        creationTime: this.clock(),
        outputs: {},
        tags: request.tags,
        terminationProtection: true,
        token: request.clientRequestToken,
        onFailure: request.onFailure,
        describesLeft: this.durations.stack,
        template,
        events: [],
      });
      return true;
    },
    describeStack: async (name) => {
      this.record('cloudformation', 'DescribeStacks', name);
      this.tick();
      const stack = this.stacks.get(name);
      if (!stack) return undefined;
      if (stack.status.endsWith('_IN_PROGRESS') && stack.describesLeft-- <= 0) this.settleStack(stack);
      if (stack.status === 'DELETE_COMPLETE') {
        this.stacks.delete(name);
        return undefined;
      }
      const { token: _t, onFailure: _o, describesLeft: _d, template: _tpl, events: _e, ...description } = stack;
      return structuredClone(description);
    },
    listStacks: async (prefix) => {
      this.record('cloudformation', 'ListStacks', prefix);
      return [...this.stacks.values()].filter((s) => s.stackName.startsWith(prefix) && s.status !== 'DELETE_COMPLETE').map((s) => ({ stackName: s.stackName, status: s.status }));
    },
    stackEvents: async (name) => {
      this.record('cloudformation', 'DescribeStackEvents', name);
      return [...(this.stacks.get(name)?.events ?? [])].reverse();
    },
    deleteStack: async (name, token) => {
      this.record('cloudformation', 'DeleteStack', name, token);
      const stack = this.stacks.get(name);
      if (!stack) return;
      if (stack.terminationProtection) throw Object.assign(new Error(`Stack [${name}] cannot be deleted while TerminationProtection is enabled`), { name: 'ValidationError' });
      if (stack.status !== 'DELETE_IN_PROGRESS') {
        stack.status = 'DELETE_IN_PROGRESS';
        stack.describesLeft = this.durations.stackDelete;
        const cluster = this.clusters.get(this.clusterNameOf(stack));
        // As EKS: an ACTIVE cluster with deletion protection is not deleted, so the stack's delete fails at ControlPlane.
        if (cluster?.deletionProtection && cluster.status === 'ACTIVE') this.protectedStacks.add(name);
        else this.clusters.delete(this.clusterNameOf(stack));
      }
    },
    getTemplate: async (name) => {
      this.record('cloudformation', 'GetTemplate', name);
      const stack = this.stacks.get(name);
      return stack ? JSON.stringify(stack.template) : undefined;
    },
    updateStackTags: async ({ stackName: name, tags, template, clientRequestToken: token }) => {
      this.record('cloudformation', 'UpdateStack', name, token);
      const stack = this.stacks.get(name);
      if (!stack) throw Object.assign(new Error(`Stack [${name}] does not exist`), { name: 'ValidationError' });
      if (!['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'].includes(stack.status)) throw Object.assign(new Error(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`), { name: 'ValidationError' });
      const newTemplate = template ? (JSON.parse(template.body) as typeof stack.template) : stack.template;
      const sameTemplate = JSON.stringify(newTemplate) === JSON.stringify(stack.template);
      if (sameTemplate && JSON.stringify(Object.entries(stack.tags).sort()) === JSON.stringify(Object.entries(tags).sort())) return false;
      // As CloudFormation: a launch template whose data changed gets a new version (latest and default).
      for (const [logicalId, resource] of Object.entries(newTemplate.Resources)) {
        if (resource.Type !== 'AWS::EC2::LaunchTemplate' || JSON.stringify(resource.Properties?.LaunchTemplateData) === JSON.stringify(stack.template.Resources[logicalId]?.Properties?.LaunchTemplateData)) continue;
        const id = stack.outputs[logicalId] ?? stack.outputs.LaunchTemplateId;
        if (id) this.launchTemplateVersions.set(id, (this.launchTemplateVersions.get(id) ?? 1) + 1);
      }
      stack.tags = { ...tags };
      stack.template = newTemplate;
      stack.status = 'UPDATE_IN_PROGRESS';
      stack.describesLeft = 1;
      return true;
    },
    setTerminationProtection: async (name, enabled) => {
      this.record('cloudformation', 'UpdateTerminationProtection', name);
      const stack = this.stacks.get(name);
      if (stack) stack.terminationProtection = enabled;
    },
  };

  private clusterNameOf(stack: { template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> } }): string {
    return String(stack.template.Resources.ControlPlane?.Properties?.Name ?? '');
  }

  private settleStack(stack: NonNullable<ReturnType<FakeAws['stacks']['get']>>): void {
    if (stack.status === 'UPDATE_IN_PROGRESS') {
      stack.status = 'UPDATE_COMPLETE';
      return;
    }
    if (stack.status === 'DELETE_IN_PROGRESS') {
      const deleteFailure = this.protectedStacks.delete(stack.stackName)
        ? { logicalId: 'ControlPlane', type: 'AWS::EKS::Cluster', reason: 'Cannot delete cluster while deletion protection is enabled (Service: Eks, Status Code: 400, InvalidRequestException)' }
        : this.faults.stackDeleteFailure;
      if (deleteFailure) {
        const at = this.clock();
        stack.events.push(
          { logicalResourceId: deleteFailure.logicalId, resourceType: deleteFailure.type, resourceStatus: 'DELETE_FAILED', resourceStatusReason: deleteFailure.reason, timestamp: at },
          { logicalResourceId: stack.stackName, resourceType: 'AWS::CloudFormation::Stack', resourceStatus: 'DELETE_FAILED', resourceStatusReason: `The following resource(s) failed to delete: [${deleteFailure.logicalId}].`, timestamp: new Date(at.getTime() + 1000) },
        );
        stack.status = 'DELETE_FAILED';
        return;
      }
      stack.status = 'DELETE_COMPLETE';
      return;
    }
    const failure = this.faults.stackResourceFailure?.stackName === undefined || this.faults.stackResourceFailure.stackName === stack.stackName ? this.faults.stackResourceFailure : undefined;
    const at = this.clock();
    if (failure) {
      stack.events.push(
        { logicalResourceId: failure.logicalId, resourceType: failure.type, resourceStatus: 'CREATE_FAILED', resourceStatusReason: failure.reason, timestamp: at },
        { logicalResourceId: 'ControlPlane', resourceType: 'AWS::EKS::Cluster', resourceStatus: 'CREATE_FAILED', resourceStatusReason: 'Resource creation cancelled', timestamp: new Date(at.getTime() + 1000) },
        { logicalResourceId: stack.stackName, resourceType: 'AWS::CloudFormation::Stack', resourceStatus: 'CREATE_FAILED', resourceStatusReason: `The following resource(s) failed to create: [${failure.logicalId}].`, timestamp: new Date(at.getTime() + 2000) },
      );
      stack.status = stack.onFailure === 'ROLLBACK' ? 'ROLLBACK_COMPLETE' : 'CREATE_FAILED';
      return;
    }
    const name = this.clusterNameOf(stack);
    // A nodegroup's or Fargate's own stack makes no cluster: its outputs are named after the stack.
    if (!name) {
      stack.outputs = Object.fromEntries(Object.keys(stack.template.Outputs ?? {}).map((key) => [key, this.fakeOutput(key, stack.stackName)]));
      stack.status = 'CREATE_COMPLETE';
      return;
    }
    const vpc = stack.template.Resources.ControlPlane?.Properties?.ResourcesVpcConfig as { EndpointPublicAccess?: boolean; EndpointPrivateAccess?: boolean; PublicAccessCidrs?: string[] };
    this.clusters.set(name, {
      name,
      arn: `arn:aws:eks:us-east-1:111122223333:cluster/${name}`,
      status: 'ACTIVE',
      version: String(stack.template.Resources.ControlPlane?.Properties?.Version ?? ''),
      endpoint: `https://${name}.gr7.us-east-1.eks.amazonaws.com`,
      certificateAuthority: { data: this.fakeOutput('CertificateAuthorityData', name) },
      kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
      resourcesVpcConfig: { endpointPublicAccess: vpc?.EndpointPublicAccess ?? true, endpointPrivateAccess: vpc?.EndpointPrivateAccess ?? false, publicAccessCidrs: vpc?.PublicAccessCidrs ?? ['0.0.0.0/0'] },
    });
    stack.outputs = Object.fromEntries(Object.keys(stack.template.Outputs ?? {}).map((key) => [key, this.fakeOutput(key, name)]));
    stack.status = 'CREATE_COMPLETE';
  }

  private fakeOutput(key: string, cluster: string): string {
    if (key === 'Endpoint') return `https://${cluster}.gr7.us-east-1.eks.amazonaws.com`;
    if (key === 'SubnetsPrivate') return 'subnet-0aaa0000000000001,subnet-0aaa0000000000002';
    if (key === 'SubnetsPublic') return 'subnet-0bbb0000000000001,subnet-0bbb0000000000002';
    if (key.endsWith('RoleArn')) return `arn:aws:iam::111122223333:role/eks-provisioner/${cluster}-${key}`;
    if (key === 'ClusterName') return cluster;
    if (key === 'CertificateAuthorityData') return Buffer.from('-----BEGIN CERTIFICATE-----fake').toString('base64');
    return `${key.toLowerCase()}-${cluster}`;
  }

  // ── EKS ────────────────────────────────────────────────────────────────────────────────
  private advance<T extends Tracked>(item: T | undefined, done: (item: T) => void): void {
    if (item && (item.status.endsWith('ING') || item.status === 'PENDING') && item.describesLeft-- <= 0) done(item);
  }

  readonly eks: EksPort = {
    describeCluster: async (name) => {
      this.record('eks', 'DescribeCluster', name);
      const cluster = this.clusters.get(name);
      return cluster && structuredClone(cluster);
    },
    createNodegroup: async (input) => {
      this.record('eks', 'CreateNodegroup', input.nodegroupName, input.clientRequestToken);
      const key = `${input.clusterName}/${input.nodegroupName}`;
      if (this.nodegroups.has(key)) return;
      this.nodegroups.set(key, { nodegroupName: input.nodegroupName, clusterName: input.clusterName, status: 'CREATING', createdAt: this.clock(), describesLeft: this.durations.nodegroup, nodeRole: input.nodeRole, launchTemplate: input.launchTemplate && { ...input.launchTemplate, version: input.launchTemplate.version ?? String(this.launchTemplateVersions.get(input.launchTemplate.id ?? '') ?? 1) }, ...(input.instanceTypes ? { instanceTypes: input.instanceTypes } : {}), subnets: input.subnets, labels: input.labels, taints: input.taints, scalingConfig: input.scalingConfig });
    },
    describeNodegroup: async (cluster, name) => {
      this.record('eks', 'DescribeNodegroup', name);
      this.tick();
      const ng = this.nodegroups.get(`${cluster}/${name}`);
      this.advance(ng, (n) => {
        if (n.status === 'DELETING') {
          this.nodegroups.delete(`${cluster}/${name}`);
          return;
        }
        const failure = this.faults.nodegroupFailure;
        if (failure?.nodegroup === name) {
          n.status = 'CREATE_FAILED';
          n.health = { issues: [{ code: failure.code as never, message: failure.message, resourceIds: ['eks-ng-asg-1'] }] };
        } else n.status = 'ACTIVE';
      });
      const current = this.nodegroups.get(`${cluster}/${name}`);
      return current && (({ describesLeft: _d, ...rest }) => structuredClone(rest))(current);
    },
    listNodegroups: async (cluster) => {
      this.record('eks', 'ListNodegroups', cluster);
      return [...this.nodegroups.values()].filter((n) => n.clusterName === cluster).map((n) => n.nodegroupName!);
    },
    deleteNodegroup: async (cluster, name) => {
      this.record('eks', 'DeleteNodegroup', name);
      const ng = this.nodegroups.get(`${cluster}/${name}`);
      if (ng && ng.status !== 'DELETING') Object.assign(ng, { status: 'DELETING', describesLeft: this.durations.nodegroupDelete });
    },
    createFargateProfile: async (input) => {
      this.record('eks', 'CreateFargateProfile', input.fargateProfileName, input.clientRequestToken);
      const key = `${input.clusterName}/${input.fargateProfileName}`;
      if (this.profiles.has(key)) return;
      if ([...this.profiles.values()].some((p) => p.clusterName === input.clusterName && (p.status === 'CREATING' || p.status === 'DELETING'))) {
        throw new ResourceBusyError('another Fargate profile is being created or deleted', { resource: `Fargate profile ${input.fargateProfileName}` });
      }
      this.profiles.set(key, { fargateProfileName: input.fargateProfileName, clusterName: input.clusterName, status: 'CREATING', createdAt: this.clock(), describesLeft: this.durations.fargateProfile, podExecutionRoleArn: input.podExecutionRoleArn, subnets: input.subnets, selectors: input.selectors });
    },
    describeFargateProfile: async (cluster, name) => {
      this.record('eks', 'DescribeFargateProfile', name);
      this.tick();
      const key = `${cluster}/${name}`;
      this.advance(this.profiles.get(key), (p) => (p.status === 'DELETING' ? this.profiles.delete(key) : (p.status = 'ACTIVE')));
      const current = this.profiles.get(key);
      return current && (({ describesLeft: _d, ...rest }) => structuredClone(rest))(current);
    },
    listFargateProfiles: async (cluster) => {
      this.record('eks', 'ListFargateProfiles', cluster);
      return [...this.profiles.values()].filter((p) => p.clusterName === cluster).map((p) => p.fargateProfileName!);
    },
    deleteFargateProfile: async (cluster, name) => {
      this.record('eks', 'DeleteFargateProfile', name);
      const profile = this.profiles.get(`${cluster}/${name}`);
      if (profile && profile.status !== 'DELETING') Object.assign(profile, { status: 'DELETING', describesLeft: this.durations.profileDelete });
    },
    createAddon: async (input) => {
      this.record('eks', 'CreateAddon', input.addonName, input.clientRequestToken);
      const key = `${input.clusterName}/${input.addonName}`;
      if (!this.addons.has(key)) this.addons.set(key, { addonName: input.addonName, clusterName: input.clusterName, addonVersion: input.addonVersion, ...(input.configurationValues !== undefined ? { configurationValues: input.configurationValues } : {}), status: 'CREATING', createdAt: this.clock(), describesLeft: this.durations.addon });
    },
    describeAddon: async (cluster, name) => {
      this.record('eks', 'DescribeAddon', name);
      this.tick();
      const addon = this.addons.get(`${cluster}/${name}`);
      if (addon?.status === 'DELETING') {
        if (addon.describesLeft-- > 0) return (({ describesLeft: _d, ...rest }) => structuredClone(rest))(addon);
        this.addons.delete(`${cluster}/${name}`);
        return undefined;
      }
      this.advance(addon, (a) => {
        const failure = this.faults.addonUpdateFailure;
        if (a.status === 'UPDATING' && failure?.addon === name) {
          a.status = 'UPDATE_FAILED';
          a.health = { issues: [{ code: 'ConfigurationConflict', message: failure.message, resourceIds: [name] }] };
        } else a.status = 'ACTIVE';
      });
      return addon && (({ describesLeft: _d, ...rest }) => structuredClone(rest))(addon);
    },
    defaultAddonVersion: async (name, version) => {
      this.record('eks', 'DescribeAddonVersions', name);
      return `v1.0.0-eksbuild.${version.replace('.', '')}`;
    },
    listAddons: async (cluster) => {
      this.record('eks', 'ListAddons', cluster);
      return [...this.addons.values()].filter((a) => a.clusterName === cluster).map((a) => a.addonName!);
    },
    deleteAddon: async (cluster, name, options) => {
      this.record('eks', 'DeleteAddon', options?.preserve ? `${name} preserve` : name);
      const addon = this.addons.get(`${cluster}/${name}`);
      if (!addon) return;
      // Gone at once by default; DELETING for durations.addonDelete more looks when a test sets it.
      if (this.durations.addonDelete === 0) this.addons.delete(`${cluster}/${name}`);
      else Object.assign(addon, { status: 'DELETING', describesLeft: this.durations.addonDelete });
      if (options?.preserve) this.preservedAddons.add(`${cluster}/${name}`);
    },
    putAccessEntry: async (input) => {
      this.record('eks', 'CreateAccessEntry', input.principalArn);
      const key = `${input.clusterName}/${input.principalArn}`;
      const existing = this.accessEntries.get(key);
      this.accessEntries.set(key, { username: input.username, kubernetesGroups: input.kubernetesGroups, ...(input.type && input.type !== 'STANDARD' ? { type: input.type } : {}), tags: existing?.tags ?? { ...(input.tags ?? {}) }, policies: existing?.policies ?? new Map() });
    },
    associateAccessPolicy: async (input) => {
      this.record('eks', 'AssociateAccessPolicy', `${input.principalArn} ${input.policyArn}`);
      const entry = this.accessEntries.get(`${input.clusterName}/${input.principalArn}`);
      if (!entry) throw Object.assign(new Error(`no access entry for ${input.principalArn}`), { name: 'ResourceNotFoundException' });
      entry.policies.set(input.policyArn!, input.accessScope);
    },
    listAccessEntries: async (cluster) => {
      this.record('eks', 'ListAccessEntries', cluster);
      return [...this.accessEntries.keys()].filter((key) => key.startsWith(`${cluster}/`)).map((key) => key.slice(cluster.length + 1));
    },
    describeAccessEntry: async (cluster, principalArn) => {
      this.record('eks', 'DescribeAccessEntry', principalArn);
      const entry = this.accessEntries.get(`${cluster}/${principalArn}`);
      return entry && { clusterName: cluster, principalArn, username: entry.username, kubernetesGroups: entry.kubernetesGroups, type: entry.type ?? 'STANDARD', tags: { ...(entry.tags ?? {}) } };
    },
    listAssociatedAccessPolicies: async (cluster, principalArn) => {
      this.record('eks', 'ListAssociatedAccessPolicies', principalArn);
      const entry = this.accessEntries.get(`${cluster}/${principalArn}`);
      return [...(entry?.policies ?? new Map<string, unknown>())].map(([policyArn, accessScope]) => ({ policyArn, accessScope: structuredClone(accessScope) as never }));
    },
    deleteAccessEntry: async (cluster, principalArn) => {
      this.record('eks', 'DeleteAccessEntry', principalArn);
      this.accessEntries.delete(`${cluster}/${principalArn}`);
    },
    updateNodegroupConfig: async (cluster, nodegroup, config, token) => {
      this.record('eks', 'UpdateNodegroupConfig', `${nodegroup} ${Object.keys(config).join(',')}`, token);
      const ng = this.nodegroups.get(`${cluster}/${nodegroup}`);
      if (!ng) throw Object.assign(new Error(`No node group found for name: ${nodegroup}.`), { name: 'ResourceNotFoundException' });
      const id = `update-${token.slice(-8)}`;
      if (!this.updates.has(id)) {
        const apply = () => {
          if (config.scalingConfig) ng.scalingConfig = { ...ng.scalingConfig, ...config.scalingConfig };
          if (config.labels) {
            const labels = { ...(ng.labels ?? {}), ...(config.labels.addOrUpdateLabels ?? {}) };
            for (const key of config.labels.removeLabels ?? []) delete labels[key];
            ng.labels = labels;
          }
          if (config.taints) {
            const same = (a: { key?: string; effect?: string }, b: { key?: string; effect?: string }) => a.key === b.key && a.effect === b.effect;
            const kept = (ng.taints ?? []).filter((t) => ![...(config.taints!.removeTaints ?? []), ...(config.taints!.addOrUpdateTaints ?? [])].some((r) => same(r, t)));
            ng.taints = [...kept, ...(config.taints.addOrUpdateTaints ?? [])];
          }
          if (config.updateConfig) ng.updateConfig = { ...config.updateConfig };
        };
        this.updates.set(id, { id, type: 'ConfigUpdate', status: 'InProgress', createdAt: this.clock(), clusterName: cluster, nodegroupName: nodegroup, describesLeft: this.durations.update, config: {}, apply });
      }
      return id;
    },
    updateEndpointAccess: async (cluster, config, token) => {
      this.record('eks', 'UpdateClusterConfig', cluster, token);
      if ((this.faults.updateInProgressTimes ?? 0) > 0) {
        this.faults.updateInProgressTimes!--;
        throw new UpdateInProgressError(`Cluster has update 0000 in progress`, { resource: `cluster ${cluster}` });
      }
      const id = `update-${token.slice(-8)}`;
      if (this.updates.has(id)) return id;
      this.refuseWhileClusterUpdates(cluster);
      this.startClusterUpdate(cluster, id, config as Record<string, unknown>);
      return id;
    },
    updateClusterConfig: async (cluster, change, token) => {
      this.record('eks', 'UpdateClusterConfig', `${cluster} ${Object.keys(change)[0]}`, token);
      const id = `update-${token.slice(-8)}`;
      if (this.updates.has(id)) return id;
      const c = this.knownCluster(cluster);
      this.refuseWhileClusterUpdates(cluster);
      const apply = (): void => {
        if ('logging' in change) {
          const enabled = new Set(c.logging?.clusterLogging?.filter((l) => l.enabled).flatMap((l) => l.types ?? []) ?? []);
          for (const type of change.logging.enable) enabled.add(type as never);
          for (const type of change.logging.disable) enabled.delete(type as never);
          c.logging = { clusterLogging: [{ types: [...enabled], enabled: true }] };
        } else if ('deletionProtection' in change) c.deletionProtection = change.deletionProtection;
        else if ('supportType' in change) c.upgradePolicy = { supportType: change.supportType };
        else if ('zonalShift' in change) c.zonalShiftConfig = { enabled: change.zonalShift };
        else if ('autoMode' in change) c.computeConfig = { enabled: change.autoMode.enabled, nodePools: change.autoMode.nodePools, ...(change.autoMode.nodeRoleArn ? { nodeRoleArn: change.autoMode.nodeRoleArn } : {}) };
        else c.accessConfig = { ...c.accessConfig, authenticationMode: change.authenticationMode };
      };
      this.updates.set(id, { id, type: 'ConfigUpdate', status: 'InProgress', createdAt: this.clock(), clusterName: cluster, describesLeft: this.durations.update, config: {}, apply });
      c.status = 'UPDATING';
      return id;
    },
    associateEncryptionConfig: async (cluster, kmsKeyArn, token) => {
      this.record('eks', 'AssociateEncryptionConfig', cluster, token);
      const id = `update-${token.slice(-8)}`;
      if (this.updates.has(id)) return id;
      const c = this.clusters.get(cluster)!;
      this.updates.set(id, { id, type: 'AssociateEncryptionConfig', status: 'InProgress', createdAt: this.clock(), clusterName: cluster, describesLeft: this.durations.update, config: {}, apply: () => (c.encryptionConfig = [{ resources: ['secrets'], provider: { keyArn: kmsKeyArn } }]) });
      c.status = 'UPDATING';
      return id;
    },
    tagResource: async (arn, tags) => {
      this.record('eks', 'TagResource', `${arn} ${Object.keys(tags).sort().join(',')}`);
      const c = [...this.clusters.values()].find((each) => each.arn === arn);
      if (c) c.tags = { ...c.tags, ...tags };
    },
    untagResource: async (arn, keys) => {
      this.record('eks', 'UntagResource', `${arn} ${[...keys].sort().join(',')}`);
      const c = [...this.clusters.values()].find((each) => each.arn === arn);
      if (c) c.tags = Object.fromEntries(Object.entries(c.tags ?? {}).filter(([key]) => !keys.includes(key)));
    },
    updateClusterVersion: async (cluster, version, token) => {
      this.record('eks', 'UpdateClusterVersion', `${cluster} ${version}`, token);
      const id = `update-${token.slice(-8)}`;
      if (this.updates.has(id)) return id;
      const c = this.knownCluster(cluster);
      this.refuseWhileClusterUpdates(cluster);
      const [major, minor] = (c.version ?? '0.0').split('.').map(Number);
      if (version !== `${major}.${minor! + 1}`) throw Object.assign(new Error(`Unsupported Kubernetes minor version update from ${c.version} to ${version}`), { name: 'InvalidParameterException' });
      this.updates.set(id, { id, type: 'VersionUpdate', status: 'InProgress', params: [{ type: 'Version', value: version }, { type: 'PlatformVersion', value: 'eks.1' }], createdAt: this.clock(), clusterName: cluster, describesLeft: this.durations.update, config: {}, apply: () => (c.version = version) });
      c.status = 'UPDATING';
      return id;
    },
    updateNodegroupVersion: async (cluster, nodegroup, options, token) => {
      const target = options.launchTemplate ? `launch template ${options.launchTemplate.id} version ${options.launchTemplate.version}` : (options.version ?? `release ${options.releaseVersion}`);
      this.record('eks', 'UpdateNodegroupVersion', `${nodegroup} ${target}${options.force ? ' force' : ''}`, token);
      const id = `update-${token.slice(-8)}`;
      if (this.updates.has(id)) return id;
      const ng = this.nodegroups.get(`${cluster}/${nodegroup}`);
      if (!ng) throw Object.assign(new Error(`No node group found for name: ${nodegroup}.`), { name: 'ResourceNotFoundException' });
      if (options.version !== undefined && this.clusters.get(cluster)?.version !== options.version) throw Object.assign(new Error('Nodegroup Kubernetes version should be equal to Cluster kubernetes version'), { name: 'InvalidParameterException' });
      const running = [...this.updates.values()].find((u) => u.clusterName === cluster && u.nodegroupName === nodegroup && u.status === 'InProgress');
      if (running) throw new UpdateInProgressError(`Nodegroup has update ${running.id} in progress`, { resource: `nodegroup ${nodegroup}` });
      const eviction = this.faults.podEvictionFailure;
      this.updates.set(id, {
        id, type: 'VersionUpdate', status: 'InProgress', params: [options.launchTemplate ? { type: 'LaunchTemplateVersion', value: options.launchTemplate.version } : options.version !== undefined ? { type: 'Version', value: options.version } : { type: 'ReleaseVersion', value: options.releaseVersion }], createdAt: this.clock(), clusterName: cluster, nodegroupName: nodegroup, describesLeft: this.durations.update, config: {},
        apply: () => (options.launchTemplate ? (ng.launchTemplate = { ...ng.launchTemplate, version: options.launchTemplate.version }) : options.version !== undefined ? (ng.version = options.version) : (ng.releaseVersion = options.releaseVersion)),
        fail: () => (eviction?.nodegroup === nodegroup && !options.force ? [{ errorCode: 'PodEvictionFailure' as never, errorMessage: eviction.message, resourceIds: [nodegroup] }] : undefined),
      });
      return id;
    },
    updateAddon: async (cluster, name, change, token) => {
      this.record('eks', 'UpdateAddon', [name, change.version, change.configurationValues].filter((v) => v !== undefined).join(' '), token);
      const id = `update-${token.slice(-8)}`;
      if (this.updates.has(id)) return id;
      const addon = this.addons.get(`${cluster}/${name}`);
      if (!addon) throw Object.assign(new Error(`No addon: ${name} found in cluster: ${cluster}`), { name: 'ResourceNotFoundException' });
      if (addon.status === 'UPDATING') throw new UpdateInProgressError(`Addon ${name} has an update in progress`, { resource: `add-on ${name}` });
      const fields = { ...(change.version !== undefined ? { addonVersion: change.version } : {}), ...(change.configurationValues !== undefined ? { configurationValues: change.configurationValues } : {}) };
      Object.assign(addon, { ...fields, status: 'UPDATING', describesLeft: this.durations.addon });
      // The add-on's own update (DescribeUpdate with addonName): Failed with the add-on's health issue under addonUpdateFailure.
      const failure = this.faults.addonUpdateFailure;
      this.updates.set(id, {
        id, type: 'AddonUpdate', status: 'InProgress', createdAt: this.clock(), clusterName: cluster, addonName: name, describesLeft: this.durations.addon, config: {},
        fail: () => (failure?.addon === name ? [{ errorCode: 'ConfigurationConflict' as never, errorMessage: failure.message, resourceIds: [name] }] : undefined),
      });
      return id;
    },
    describeAddonUpdate: async (cluster, name, id) => {
      const update = this.updates.get(id);
      return update?.addonName === name ? this.eks.describeUpdate(cluster, id) : undefined;
    },
    startInsightsRefresh: async (cluster) => {
      this.record('eks', 'StartInsightsRefresh', cluster);
      this.insightsRefresh = { status: 'IN_PROGRESS', describesLeft: 1 };
      return { status: 'IN_PROGRESS' };
    },
    describeInsightsRefresh: async (cluster) => {
      this.record('eks', 'DescribeInsightsRefresh', cluster);
      this.tick();
      const refresh = this.insightsRefresh;
      if (!refresh) return {};
      if (refresh.status === 'IN_PROGRESS' && refresh.describesLeft-- <= 0) refresh.status = 'COMPLETED';
      return { status: refresh.status };
    },
    listInsights: async (cluster, filter) => {
      this.record('eks', 'ListInsights', `${cluster} ${filter.kubernetesVersions.join(',')}`);
      return this.insights
        .filter((i) => i.clusterName === cluster && filter.categories.includes(i.category ?? '') && filter.kubernetesVersions.includes(i.kubernetesVersion ?? ''))
        .map(({ clusterName: _c, recommendation: _r, additionalInfo: _a, resources: _res, categorySpecificSummary: _s, ...summary }) => structuredClone(summary));
    },
    describeInsight: async (cluster, id) => {
      this.record('eks', 'DescribeInsight', id);
      const insight = this.insights.find((i) => i.clusterName === cluster && i.id === id);
      return insight && (({ clusterName: _c, ...rest }) => structuredClone(rest))(insight);
    },
    createPodIdentityAssociation: async (input) => {
      this.record('eks', 'CreatePodIdentityAssociation', `${input.namespace}/${input.serviceAccount}`, input.clientRequestToken);
      const existing = [...this.podIdentityAssociations.values()].find((a) => a.clusterName === input.clusterName && a.namespace === input.namespace && a.serviceAccount === input.serviceAccount);
      if (existing) throw Object.assign(new Error('Association already exists'), { name: 'ResourceInUseException' });
      const associationId = `a-${String(this.podIdentityAssociations.size + 1).padStart(17, '0')}`;
      const association = { clusterName: input.clusterName, namespace: input.namespace, serviceAccount: input.serviceAccount, roleArn: input.roleArn, associationId, associationArn: `arn:aws:eks:us-east-1:111122223333:podidentityassociation/${input.clusterName}/${associationId}`, tags: input.tags ?? {} };
      this.podIdentityAssociations.set(associationId, association);
      return structuredClone(association);
    },
    findPodIdentityAssociation: async (cluster, namespace, serviceAccount) => {
      this.record('eks', 'ListPodIdentityAssociations', `${namespace}/${serviceAccount}`);
      const found = [...this.podIdentityAssociations.values()].find((a) => a.clusterName === cluster && a.namespace === namespace && a.serviceAccount === serviceAccount);
      return found && { clusterName: cluster, namespace, serviceAccount, associationId: found.associationId, associationArn: found.associationArn };
    },
    describePodIdentityAssociation: async (_cluster, id) => {
      this.record('eks', 'DescribePodIdentityAssociation', id);
      const found = this.podIdentityAssociations.get(id);
      return found && structuredClone(found);
    },
    deletePodIdentityAssociation: async (_cluster, id) => {
      this.record('eks', 'DeletePodIdentityAssociation', id);
      this.podIdentityAssociations.delete(id);
    },
    addonVersions: async (name) => {
      this.record('eks', 'DescribeAddonVersions', name);
      const listed = this.addonCatalogue.get(name);
      if (listed) return structuredClone(listed);
      return { addonName: name, addonVersions: this.clusterVersions.map((v) => ({ addonVersion: `v1.0.0-eksbuild.${v.version.replace('.', '')}`, compatibilities: [{ clusterVersion: v.version, defaultVersion: true }] })) };
    },
    clusterVersions: async () => {
      this.record('eks', 'DescribeClusterVersions');
      if (this.faults.clusterVersionsUnavailable) throw Object.assign(new Error('cluster versions: ServiceUnavailableException: Service Unavailable'), { name: 'AwsUnavailableError' });
      return structuredClone(this.clusterVersions);
    },
    describeUpdates: async (cluster, nodegroup) => {
      this.record('eks', 'ListUpdates', nodegroup ?? cluster);
      const ids = [...this.updates.values()].filter((u) => u.clusterName === cluster && u.nodegroupName === nodegroup && !u.addonName).map((u) => u.id!);
      const described = await Promise.all(ids.map((id) => this.eks.describeUpdate(cluster, id, nodegroup)));
      return described.filter((u): u is Update => u !== undefined);
    },
    describeUpdate: async (cluster, id) => {
      this.record('eks', 'DescribeUpdate', id);
      this.tick();
      const update = this.updates.get(id);
      if (!update) return undefined;
      if (update.status === 'InProgress' && update.describesLeft-- <= 0) {
        const errors = update.fail?.();
        if (errors) {
          update.status = 'Failed';
          update.errors = errors;
        } else if (this.faults.updateFailure) {
          update.status = 'Failed';
          update.errors = [{ errorCode: 'Unknown' as never, errorMessage: this.faults.updateFailure.message, resourceIds: [cluster] }];
        } else {
          update.status = 'Successful';
          if (update.apply) update.apply();
          else {
            const c = this.clusters.get(cluster)!;
            c.resourcesVpcConfig = { ...c.resourcesVpcConfig, ...(update.config as object) };
          }
        }
        const c = this.clusters.get(cluster);
        if (!update.nodegroupName && !update.addonName && c?.status === 'UPDATING') c.status = 'ACTIVE';
      }
      const { describesLeft: _d, config: _c, apply: _a, fail: _f, clusterName: _cn, nodegroupName: _ng, addonName: _an, ...rest } = update;
      return structuredClone(rest);
    },
  };

  private startClusterUpdate(cluster: string, id: string, config: Record<string, unknown>, describes = this.durations.update): void {
    const params = [
      ...(config.endpointPublicAccess === undefined ? [] : [{ type: 'EndpointPublicAccess' as const, value: String(config.endpointPublicAccess) }]),
      ...(config.endpointPrivateAccess === undefined ? [] : [{ type: 'EndpointPrivateAccess' as const, value: String(config.endpointPrivateAccess) }]),
      ...(config.publicAccessCidrs === undefined ? [] : [{ type: 'PublicAccessCidrs' as const, value: JSON.stringify(config.publicAccessCidrs) }]),
    ];
    this.updates.set(id, { id, type: 'EndpointAccessUpdate', status: 'InProgress', params, createdAt: this.clock(), clusterName: cluster, describesLeft: describes, config });
    const c = this.clusters.get(cluster);
    if (c) c.status = 'UPDATING';
  }

  /**
   * An endpoint access update someone else started (`aws eks update-cluster-config`): the cluster
   * is UPDATING with its old config until the update has been described `describes` more times.
   */
  startUpdateElsewhere(cluster: string, config: Record<string, unknown>, describes = this.durations.update): string {
    const id = `update-elsewhere-${this.updates.size + 1}`;
    this.startClusterUpdate(cluster, id, config, describes);
    return id;
  }

  // ── EC2, events, Kubernetes, registry, workflows ───────────────────────────────────────
  readonly ec2: Ec2Port = {
    describeSubnets: async (ids) => {
      this.record('ec2', 'DescribeSubnets', ids.join(','));
      const missing = ids.filter((id) => !this.subnets.has(id));
      // As the real adapter does with EC2's InvalidSubnetID.NotFound.
      if (missing.length) throw new InvalidSpecError(missing.map((id) => ({ pointer: '/network/subnets', message: `${id} does not exist in this account and region` })));
      return ids.map((id) => this.subnets.get(id)!);
    },
    describeLaunchTemplate: async (id) => {
      this.record('ec2', 'DescribeLaunchTemplates', id);
      const version = this.launchTemplateVersions.get(id) ?? 1;
      return { launchTemplateId: id, latestVersionNumber: version, defaultVersionNumber: version };
    },
    describeNetworkInterfaces: async (filters) => {
      this.record('ec2', 'DescribeNetworkInterfaces', filterLabel(filters));
      return [...this.networkInterfaces.values()].filter((e) => matchesFilters(filters, { 'vpc-id': e.vpcId, status: e.status }, e.tags)).map((e) => structuredClone(e));
    },
    deleteNetworkInterface: async (id) => {
      this.record('ec2', 'DeleteNetworkInterface', id);
      const eni = this.networkInterfaces.get(id);
      if (eni && eni.status !== 'available') return { deleted: false, reason: `InvalidNetworkInterface.InUse: The network interface ${id} is currently in use.` };
      this.networkInterfaces.delete(id);
      return { deleted: true };
    },
    describeSecurityGroups: async (filters) => {
      this.record('ec2', 'DescribeSecurityGroups', filterLabel(filters));
      const peers = (g: SecurityGroupDescription, egress: boolean) => this.securityGroupRules.filter((r) => r.groupId === g.groupId && r.isEgress === egress).flatMap((r) => r.referencedGroupId ?? []);
      return [...this.securityGroups.values()]
        .filter((g) => matchesFilters(filters, { 'vpc-id': g.vpcId, 'ip-permission.group-id': peers(g, false), 'egress.ip-permission.group-id': peers(g, true) }, g.tags))
        .map((g) => structuredClone(g));
    },
    describeSecurityGroupRules: async (filters) => {
      this.record('ec2', 'DescribeSecurityGroupRules', filterLabel(filters));
      return this.securityGroupRules.filter((r) => matchesFilters(filters, { 'group-id': r.groupId }, {})).map((r) => structuredClone(r));
    },
    revokeSecurityGroupRules: async (groupId, ruleIds, egress) => {
      this.record('ec2', egress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroupIngress', `${groupId} ${ruleIds.join(',')}`);
      this.securityGroupRules = this.securityGroupRules.filter((r) => !(r.groupId === groupId && ruleIds.includes(r.ruleId)));
    },
    deleteSecurityGroup: async (groupId) => {
      this.record('ec2', 'DeleteSecurityGroup', groupId);
      const pinned = this.pinnedSecurityGroups.get(groupId);
      const held =
        [...this.loadBalancers.values()].some((lb) => lb.securityGroupIds.includes(groupId)) ||
        [...this.networkInterfaces.values()].some((e) => e.groupIds.includes(groupId)) ||
        this.securityGroupRules.some((r) => r.referencedGroupId === groupId && r.groupId !== groupId);
      if (pinned !== undefined || held) return { deleted: false, reason: pinned ?? `DependencyViolation: resource ${groupId} has a dependent object` };
      this.securityGroups.delete(groupId);
      return { deleted: true };
    },
  };

  /** As the scoped session does: AWS refuses a group not owned by the session's cluster (its policy), else EC2 answers. */
  readonly kubernetesGroups: KubernetesGroupsPort = {
    deleteOwnedSecurityGroup: async (cluster, groupId) => {
      const group = this.securityGroups.get(groupId);
      if (group && group.tags[`kubernetes.io/cluster/${cluster}`] !== 'owned') {
        this.record('ec2', 'DeleteSecurityGroup', groupId);
        throw new AwsRequestError(`UnauthorizedOperation: You are not authorized to perform this operation. (session eksp-groups-${cluster} on ${groupId})`, { resource: `security group ${groupId}` });
      }
      return this.ec2.deleteSecurityGroup(groupId);
    },
  };

  // ── Elastic Load Balancing v2 ──────────────────────────────────────────────────────────
  readonly elbv2: Elbv2Port = {
    describeLoadBalancers: async (vpcId) => {
      this.record('elasticloadbalancing', 'DescribeLoadBalancers', vpcId);
      this.tick();
      for (const lb of [...this.loadBalancers.values()]) {
        if (lb.describesLeft === undefined) continue;
        if (lb.describesLeft > 0) lb.describesLeft -= 1;
        else {
          this.loadBalancers.delete(lb.arn);
          for (const group of this.targetGroups.values()) group.loadBalancerArns = group.loadBalancerArns.filter((arn) => arn !== lb.arn);
        }
      }
      return [...this.loadBalancers.values()].filter((lb) => lb.vpcId === vpcId).map(({ arn, name, tags }) => ({ arn, name, vpcId, tags: { ...tags } }));
    },
    describeTargetGroups: async (vpcId) => {
      this.record('elasticloadbalancing', 'DescribeTargetGroups', vpcId);
      return [...this.targetGroups.values()].filter((g) => g.vpcId === vpcId).map((g) => structuredClone(g));
    },
    deleteLoadBalancer: async (arn) => {
      this.record('elasticloadbalancing', 'DeleteLoadBalancer', arn);
      const lb = this.loadBalancers.get(arn);
      if (lb && lb.describesLeft === undefined) lb.describesLeft = this.loadBalancerDeleteDescribes;
    },
    deleteTargetGroup: async (arn) => {
      this.record('elasticloadbalancing', 'DeleteTargetGroup', arn);
      const group = this.targetGroups.get(arn);
      if (group && group.loadBalancerArns.length > 0) return 'in-use';
      this.targetGroups.delete(arn);
      return 'deleted';
    },
  };

  // ── Elastic Load Balancing (Classic) ───────────────────────────────────────────────────
  readonly elb: ElbPort = {
    describeLoadBalancers: async (vpcId) => {
      this.record('elasticloadbalancing', 'DescribeLoadBalancers (classic)', vpcId);
      for (const [id, left] of [...this.releasingInterfaces]) {
        if (left > 0) this.releasingInterfaces.set(id, left - 1);
        else {
          this.releasingInterfaces.delete(id);
          this.networkInterfaces.delete(id);
        }
      }
      return [...this.classicLoadBalancers.values()].filter((lb) => lb.vpcId === vpcId).map(({ name, tags }) => ({ name, vpcId, tags: { ...tags } }));
    },
    deleteLoadBalancer: async (name) => {
      this.record('elasticloadbalancing', 'DeleteLoadBalancer (classic)', name);
      const lb = this.classicLoadBalancers.get(name);
      if (!lb) return;
      this.classicLoadBalancers.delete(name);
      for (const id of lb.networkInterfaceIds) this.releasingInterfaces.set(id, this.classicReleaseDescribes);
    },
  };

  /**
   * What the in-tree service controller leaves for a Service of type LoadBalancer on `cluster`
   * in `vpcId`: a Classic Load Balancer tagged `kubernetes.io/cluster/<cluster>` (`owned` unless
   * told) and `kubernetes.io/service-name`, its interface holding the `k8s-elb-<name>` group it
   * made (tagged with the cluster's tag only, as the controller does), and the
   * rule in EKS's cluster security group naming that group. Returns their ids.
   */
  addClassicLeftovers(cluster: string, vpcId: string, name = 'a0123456789abcdef0123456789abcde', ownership: 'owned' | 'shared' = 'owned'): { securityGroupId: string; networkInterfaceId: string } {
    const clusterTag = { [`kubernetes.io/cluster/${cluster}`]: ownership };
    const n = this.classicLoadBalancers.size + 1;
    const securityGroupId = `sg-0elb00000000000${n}`;
    const networkInterfaceId = `eni-0elb00000000000${n}`;
    this.securityGroups.set(securityGroupId, { groupId: securityGroupId, groupName: `k8s-elb-${name}`, vpcId, tags: clusterTag });
    this.networkInterfaces.set(networkInterfaceId, { networkInterfaceId, vpcId, status: 'in-use', description: `ELB ${name}`, groupIds: [securityGroupId], tags: {} });
    this.classicLoadBalancers.set(name, { name, vpcId, tags: { ...clusterTag, 'kubernetes.io/service-name': 'default/web' }, networkInterfaceIds: [networkInterfaceId] });
    const clusterGroupId = `sg-0eks${cluster}`;
    this.securityGroups.set(clusterGroupId, { groupId: clusterGroupId, groupName: `eks-cluster-sg-${cluster}-1`, vpcId, tags: { 'aws:eks:cluster-name': cluster, [`kubernetes.io/cluster/${cluster}`]: 'owned' } });
    this.securityGroupRules.push({ ruleId: `sgr-0elb00000000000${n}`, groupId: clusterGroupId, isEgress: false, referencedGroupId: securityGroupId });
    return { securityGroupId, networkInterfaceId };
  }

  /**
   * What the AWS Load Balancer Controller leaves for a Service of type LoadBalancer on `cluster`
   * in `vpcId`: a load balancer (its interfaces hold its security group), a target group its
   * listener uses, the group with a rule naming it in EKS's cluster security group, and an
   * interface the VPC CNI left available. Returns their ids.
   */
  addControllerLeftovers(cluster: string, vpcId: string, name = 'k8s-default-web-0123456789'): { loadBalancerArn: string; targetGroupArn: string; securityGroupId: string; networkInterfaceId: string } {
    const owned = { 'elbv2.k8s.aws/cluster': cluster, [`kubernetes.io/cluster/${cluster}`]: 'owned' };
    const n = this.loadBalancers.size + 1;
    const securityGroupId = `sg-0lbc00000000000${n}`;
    const loadBalancerArn = `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/${name}/${n}`;
    const targetGroupArn = `arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/${name}/${n}`;
    const networkInterfaceId = `eni-0cni00000000000${n}`;
    this.securityGroups.set(securityGroupId, { groupId: securityGroupId, groupName: name, vpcId, tags: { 'elbv2.k8s.aws/cluster': cluster } });
    this.loadBalancers.set(loadBalancerArn, { arn: loadBalancerArn, name, vpcId, tags: owned, securityGroupIds: [securityGroupId] });
    this.targetGroups.set(targetGroupArn, { arn: targetGroupArn, name, vpcId, loadBalancerArns: [loadBalancerArn], tags: owned });
    const clusterGroupId = `sg-0eks${cluster}`;
    this.securityGroups.set(clusterGroupId, { groupId: clusterGroupId, groupName: `eks-cluster-sg-${cluster}-1`, vpcId, tags: { 'aws:eks:cluster-name': cluster, [`kubernetes.io/cluster/${cluster}`]: 'owned' } });
    this.securityGroupRules.push({ ruleId: `sgr-0lbc00000000000${n}`, groupId: clusterGroupId, isEgress: false, referencedGroupId: securityGroupId });
    this.networkInterfaces.set(networkInterfaceId, { networkInterfaceId, vpcId, status: 'available', description: 'aws-K8S-i-0123456789abcdef0', groupIds: [], tags: { 'cluster.k8s.amazonaws.com/name': cluster } });
    return { loadBalancerArn, targetGroupArn, securityGroupId, networkInterfaceId };
  }

  /** How many of what controllers make are left: load balancers, target groups, groups the controller tagged, CNI interfaces. */
  controllerLeftovers(): { loadBalancers: number; targetGroups: number; securityGroups: number; interfaces: number } {
    return {
      loadBalancers: this.loadBalancers.size,
      targetGroups: this.targetGroups.size,
      securityGroups: [...this.securityGroups.values()].filter((g) => 'elbv2.k8s.aws/cluster' in g.tags).length,
      interfaces: [...this.networkInterfaces.values()].filter((e) => 'cluster.k8s.amazonaws.com/name' in e.tags).length,
    };
  }

  readonly statusEvents: StatusEventsPort = {
    publish: async (event) => {
      this.record('events', 'PutEvents', `${event.status} ${event.phase}${event.step ? ` ${event.step.name} ${event.step.status}` : ''}`);
      this.events.push(structuredClone(event));
    },
    publishRejection: async (rejection) => {
      this.record('events', 'PutEvents', `REJECTED ${rejection.operation} ${rejection.cluster}`);
      this.rejections.push(structuredClone(rejection));
    },
    publishVersionSupportEnding: async (notice) => {
      this.record('events', 'PutEvents', `VERSION ${notice.cluster.name} ${notice.version} ${notice.threshold}`);
      if ((this.faults.noticeRefusals ?? 0) > 0) {
        this.faults.noticeRefusals!--;
        throw Object.assign(new Error('PutEvents rejected the EKS Cluster Version Support Ending event: InternalFailure'), { name: 'AwsUnavailableError' });
      }
      this.versionNotices.push(structuredClone(notice));
    },
  };

  readonly kubernetes: KubernetesPort = {
    principal: async () => this.servicePrincipal,
    readAwsAuth: async (cluster: ClusterAccess) => {
      this.record('kubernetes', 'GetConfigMap', AWS_AUTH_CONFIG_MAP);
      const map = this.configMaps.get(`${cluster.name}/${AWS_AUTH_CONFIG_MAP}`);
      return map && structuredClone(map);
    },
    writeAwsAuth: async (cluster, data, resourceVersion) => {
      this.record('kubernetes', resourceVersion ? 'ReplaceConfigMap' : 'CreateConfigMap', AWS_AUTH_CONFIG_MAP);
      if ((this.faults.awsAuthConflicts ?? 0) > 0) {
        this.faults.awsAuthConflicts!--;
        throw new KubernetesConflictError('ConfigMap changed', { resource: 'aws-auth' });
      }
      const key = `${cluster.name}/${AWS_AUTH_CONFIG_MAP}`;
      const current = this.configMaps.get(key);
      if ((current?.resourceVersion ?? undefined) !== resourceVersion) throw new KubernetesConflictError('ConfigMap changed', { resource: 'aws-auth' });
      this.configMaps.set(key, { data: structuredClone(data), resourceVersion: String(Number(current?.resourceVersion ?? 0) + 1) });
    },
    listNodes: async (cluster, labelSelector) => {
      this.record('kubernetes', 'ListNodes', labelSelector);
      const wanted = labelSelector.split(',').map((term) => term.split('=') as [string, string]);
      return this.nodesOf(cluster.name).filter((node) => wanted.every(([key, value]) => node.labels[key] === value)).map(({ labels: _labels, ...status }) => status);
    },
    cordonNodes: async (cluster, nodeNames, unschedulable = true, cordonedBy) => {
      this.record('kubernetes', unschedulable ? 'CordonNodes' : 'UncordonNodes', nodeNames.join(','));
      for (const node of nodeNames) {
        if (unschedulable) this.cordoned.set(`${cluster.name}/${node}`, cordonedBy);
        else this.cordoned.delete(`${cluster.name}/${node}`);
      }
    },
    drainNodes: async (cluster, nodeNames) => {
      this.record('kubernetes', 'DrainNodes', nodeNames.join(','));
      const pods = this.pods.get(cluster.name) ?? [];
      const round = { evicted: 0, remaining: [] as Array<{ namespace: string; name: string; node: string }>, blocked: [] as Array<{ namespace: string; name: string; node: string; message: string }> };
      // Pods evicted in an earlier round have terminated since.
      this.pods.set(cluster.name, pods.filter((pod) => !(pod.terminating && nodeNames.includes(pod.node))));
      for (const pod of this.pods.get(cluster.name)!.filter((p) => nodeNames.includes(p.node))) {
        const ref = { namespace: pod.namespace, name: pod.name, node: pod.node };
        const refusal = this.faults.blockedEvictions?.[`${pod.namespace}/${pod.name}`];
        if (refusal) round.blocked.push({ ...ref, message: refusal });
        else {
          pod.terminating = true;
          round.evicted += 1;
        }
        round.remaining.push(ref);
      }
      return round;
    },
  };

  /**
   * The cluster's nodes: desiredSize Ready nodes per ACTIVE managed nodegroup, DesiredCapacity per
   * complete self-managed nodegroup stack, labelled as EKS and the launch template's kubelet flags label them.
   */
  nodesOf(cluster: string): Array<NodeStatus & { labels: Record<string, string> }> {
    const groups: Array<{ nodegroup: string; label: Record<string, string>; count: number; version?: string; instances?: Array<{ instanceId: string; serial: number; imageId: string }> }> = [];
    for (const ng of this.nodegroups.values()) {
      if (ng.clusterName === cluster && ng.status === 'ACTIVE') groups.push({ nodegroup: ng.nodegroupName!, label: { 'eks.amazonaws.com/nodegroup': ng.nodegroupName! }, count: ng.scalingConfig?.desiredSize ?? 0, ...(ng.version ? { version: ng.version } : {}) });
    }
    for (const [stackName, stack] of this.stacks) {
      const prefix = `eksp-${cluster}-nodegroup-`;
      const group = Object.values(stack.template.Resources).find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
      if (!stackName.startsWith(prefix) || !group || !/_COMPLETE$/.test(stack.status) || stack.status.startsWith('DELETE') || stack.status.includes('ROLLBACK')) continue;
      const nodegroup = stackName.slice(prefix.length);
      const instances = stack.outputs.AutoScalingGroupName ? this.selfManagedGroup(stack.outputs.AutoScalingGroupName)?.instances : undefined;
      groups.push({ nodegroup, label: { [SELF_MANAGED_NODEGROUP_LABEL]: nodegroup }, count: Number(group.Properties?.DesiredCapacity ?? 0), ...(instances ? { instances } : {}) });
    }
    // A self-managed node's kubelet is the one of the EKS optimized AMI it booted (the Kubernetes version in the AMI's SSM parameter).
    const amiVersion = (imageId: string) => [...this.ssmParameters].find(([, value]) => value === imageId)?.[0].split('/')[5] ?? this.customAmiKubelets.get(imageId);
    return groups.flatMap(({ nodegroup, label, count, version, instances }, g) =>
      Array.from({ length: instances?.length ?? count }, (_, i) => {
        const instance = instances?.[i];
        const kubelet = instance ? amiVersion(instance.imageId) : version;
        const name = `ip-10-0-${g + 1}-${(instance?.serial ?? i) + 10}.ec2.internal`;
        const broken = this.faults.nodesNotReady?.nodegroup === nodegroup ? this.faults.nodesNotReady : undefined;
        return {
          name,
          labels: label,
          ready: broken ? broken.status : ('True' as const),
          ...(broken ? { reason: broken.reason, message: broken.message } : { reason: 'KubeletReady', message: 'kubelet is posting ready status' }),
          ...(this.cordoned.has(`${cluster}/${name}`) ? { unschedulable: true } : {}),
          ...(this.cordoned.get(`${cluster}/${name}`) ? { cordonedBy: this.cordoned.get(`${cluster}/${name}`) } : {}),
          ...(kubelet ? { kubeletVersion: `v${kubelet}.4-eks-1a2b3c4` } : {}),
          ...(instance ? { instanceId: instance.instanceId } : {}),
        };
      }),
    );
  }

  readonly registry: RegistryPort = {
    beginCreate: async (operation: Operation, spec) => {
      this.record('dynamodb', 'PutItem', `cluster ${operation.cluster.name}`);
      const existing = this.clusterRecords.get(operation.cluster.name);
      if (existing && !(['ROLLED_BACK', 'DELETED'].includes(existing.status) && !existing.lockedBy)) {
        if (existing.lockedBy) throw new ClusterBusyError(operation.cluster.name, existing.lockedBy);
        throw new ClusterExistsError(operation.cluster.name, existing.status);
      }
      this.clusterRecords.set(operation.cluster.name, { name: operation.cluster.name, status: 'CREATING', lockedBy: operation.id, lastOperationId: operation.id, owner: operation.requestedBy, spec: structuredClone(spec), createdAt: operation.requestedAt, updatedAt: operation.requestedAt, version: 1 });
    },
    getCluster: async (name) => {
      const record = this.clusterRecords.get(name);
      return record && structuredClone(record);
    },
    // As DynamoRegistry: each nodegroup's observation replaces its own only; no version added.
    recordReadyNodes: async (name, observed) => {
      if (Object.keys(observed).length === 0) return;
      this.record('dynamodb', 'UpdateItem', `cluster ${name} readyNodes`);
      const record = this.clusterRecords.get(name);
      if (record) record.readyNodes = { ...record.readyNodes, ...structuredClone(observed) };
    },
    recordNodeVersions: async (name, observed) => {
      if (Object.keys(observed).length === 0) return;
      this.record('dynamodb', 'UpdateItem', `cluster ${name} nodeVersions`);
      const record = this.clusterRecords.get(name);
      if (record) record.nodeVersions = { ...record.nodeVersions, ...structuredClone(observed) };
    },
    listClusters: async ({ owner, limit, cursor, caller }) =>
      pageOf(
        [...this.clusterRecords.values()].filter((c) => (!owner || principalOf(c.owner) === principalOf(owner)) && !['ROLLED_BACK', 'DELETED'].includes(c.status)).sort((a, b) => a.name.localeCompare(b.name)),
        (c) => c.name,
        { listing: owner ? `OWNER#${principalOf(owner)}` : 'CLUSTERS', caller: principalOf(caller ?? '') },
        { limit, cursor },
      ),
    // Newest first; the fake clock often stands still, so among equal times the later write comes first.
    listOperations: async (cluster, { limit, cursor, caller }) =>
      pageOf(
        [...this.operations.values()].filter((o) => o.clusterName === cluster).reverse().sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)),
        (o) => o.id,
        { listing: `CLUSTER#${cluster}`, caller: principalOf(caller ?? '') },
        { limit, cursor },
      ),
    beginOperation: async (operation, lock) => {
      this.record('dynamodb', 'UpdateItem', `cluster ${operation.cluster.name} lock`);
      const cluster = this.clusterRecords.get(operation.cluster.name);
      if (!cluster) throw new ClusterChangedError(operation.cluster.name, 'it no longer exists');
      if (cluster.lockedBy) throw new ClusterBusyError(operation.cluster.name, cluster.lockedBy);
      if (cluster.version !== lock.expectedVersion || !lock.from.includes(cluster.status)) throw new ClusterChangedError(operation.cluster.name, `now ${cluster.status}, version ${cluster.version}`);
      Object.assign(cluster, { status: lock.to, lockedBy: operation.id, lastOperationId: operation.id, updatedAt: operation.requestedAt, version: cluster.version + 1 });
    },
    putOperation: async (record) => {
      this.record('dynamodb', 'PutItem', `operation ${record.id}`);
      if (this.operations.has(record.id) && !this.operations.get(record.id)!.notStarted) throw Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' });
      this.operations.set(record.id, structuredClone(record));
    },
    getOperation: async (id) => {
      const record = this.operations.get(id);
      return record && structuredClone(record);
    },
    setExecution: async (id, arn) => {
      const record = this.operations.get(id);
      if (record) record.executionArn = arn;
    },
    recordProgress: async (event) => {
      this.record('dynamodb', 'UpdateItem', `operation ${event.operationId}`);
      const record = this.operations.get(event.operationId);
      if (!record || ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(record.status)) return false;
      Object.assign(record, { status: event.status, phase: event.phase, updatedAt: event.time });
      if (event.step) record.steps[event.eventId] = { ...event.step, phase: event.phase, at: event.time };
      return true;
    },
    // As DynamoRegistry: the first outcome wins, then the lock is released with the committed outcome's cluster status.
    finish: async (event, clusterStatus, clusterSpec, options = {}) => {
      this.record('dynamodb', 'UpdateItem', `operation ${event.operationId} ${event.status}`);
      const record = this.operations.get(event.operationId);
      if (!record) throw Object.assign(new Error(`operation ${event.operationId} is not in the registry`), { name: 'OperationNotFoundError' });
      const open = !['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(record.status) && (!options.unchangedSince || options.unchangedSince === record.updatedAt);
      if (open) {
        Object.assign(record, { status: event.status, phase: event.phase, updatedAt: event.time, terminalEvent: structuredClone(event), clusterAfter: { status: clusterStatus, ...(clusterSpec === undefined ? {} : { spec: structuredClone(clusterSpec) }) } }, event.error ? { error: event.error } : {}, event.outputs ? { outputs: event.outputs } : {});
      }
      await this.registry.releaseCluster(record);
      return structuredClone(record);
    },
    releaseCluster: async (record) => {
      const cluster = this.clusterRecords.get(record.clusterName);
      if (!record.clusterAfter || !['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(record.status) || cluster?.lockedBy !== record.id) return;
      delete cluster.lockedBy;
      Object.assign(cluster, { status: record.clusterAfter.status, updatedAt: record.updatedAt, version: cluster.version + 1 }, record.clusterAfter.spec === undefined ? {} : { spec: structuredClone(record.clusterAfter.spec) });
    },
    markTerminalEventSent: async (id) => {
      this.operations.get(id)!.terminalEventSent = true;
      delete this.operations.get(id)!.deliveringSince;
    },
    claimDelivery: async (id, now, staleBefore) => {
      const record = this.operations.get(id);
      if (!record?.terminalEvent || record.terminalEventSent || (record.deliveringSince && record.deliveringSince >= staleBefore)) return false;
      record.deliveringSince = now;
      return true;
    },
    releaseDelivery: async (id) => {
      delete this.operations.get(id)!.deliveringSince;
    },
    markNotStarted: async (id) => {
      const record = this.operations.get(id);
      if (record?.status === 'ACCEPTED') record.notStarted = true;
    },
    listUnsettled: async ({ limit }) => ({
      items: [...this.operations.values()].filter((o) => !o.terminalEventSent).slice(0, limit).map((o) => structuredClone(o)),
    }),
    // As DynamoRegistry: one claim at a time (a stale one may be taken over), none once sent.
    versionNoticesSent: async (key) =>
      [...this.noticeRecords].filter(([k, record]) => record.sentAt && k.startsWith(noticeKeyOf({ ...key, threshold: 0 }).replace(/0$/, ''))).map(([k]) => Number(k.split('#').at(-1))),
    claimVersionNotice: async (key, now, staleBefore) => {
      this.record('dynamodb', 'PutItem', `notice ${noticeKeyOf(key)}`);
      const record = this.noticeRecords.get(noticeKeyOf(key));
      if (record && (record.sentAt || record.claimedAt >= staleBefore)) return false;
      this.noticeRecords.set(noticeKeyOf(key), { claimedAt: now });
      return true;
    },
    markVersionNoticeSent: async (key, now) => {
      this.noticeRecords.get(noticeKeyOf(key))!.sentAt = now;
    },
    releaseVersionNotice: async (key) => {
      if (!this.noticeRecords.get(noticeKeyOf(key))?.sentAt) this.noticeRecords.delete(noticeKeyOf(key));
    },
    abandonCreate: async (operation) => {
      if (this.clusterRecords.get(operation.cluster.name)?.lockedBy === operation.id) this.clusterRecords.delete(operation.cluster.name);
    },
    abandonOperation: async (operation, status) => {
      const cluster = this.clusterRecords.get(operation.cluster.name);
      if (cluster?.lockedBy !== operation.id) return;
      delete cluster.lockedBy;
      Object.assign(cluster, { status, version: cluster.version + 1 });
    },
  };

  readonly schedules: SchedulesPort = {
    scheduleExpiry: async (cluster, at) => {
      this.record('scheduler', 'CreateSchedule', cluster);
      this.expirySchedules.set(cluster, new Date(at));
    },
    cancelExpiry: async (cluster) => {
      this.record('scheduler', 'DeleteSchedule', cluster);
      this.expirySchedules.delete(cluster);
    },
    scheduleUpgrade: async (cluster, version, at) => {
      this.record('scheduler', 'CreateSchedule', `${cluster} upgrade`);
      this.upgradeSchedules.set(cluster, { version, at: new Date(at) });
    },
    cancelUpgrade: async (cluster) => {
      this.record('scheduler', 'DeleteSchedule', `${cluster} upgrade`);
      this.upgradeSchedules.delete(cluster);
    },
  };

  readonly workflows: WorkflowsPort = {
    start: async (arn, name, input) => {
      this.record('sfn', 'StartExecution', name);
      if (!this.executions.some((e) => e.name === name)) this.executions.push({ name, input });
      return `${arn.replace(':stateMachine:', ':execution:')}:${name}`;
    },
    // An execution started here runs until a test ends it (executionEndings) or stops it; any other does not exist.
    describe: async (arn) => {
      const name = arn.split(':').at(-1)!;
      return this.executionEndings.get(name) ?? (this.executions.some((e) => e.name === name) ? { status: 'RUNNING' } : undefined);
    },
    stop: async (arn, error, cause) => {
      const name = arn.split(':').at(-1)!;
      this.record('sfn', 'StopExecution', name);
      if (this.executions.some((e) => e.name === name) && !this.executionEndings.has(name)) this.executionEndings.set(name, { status: 'ABORTED', error, cause });
    },
  };

  /**
   * A stack this operation did not create (another operation's leftover, or made by hand), as
   * CloudFormation would describe it: settled, termination-protected, with the given tags.
   */
  seedStack(stackName: string, status: string, tags: Record<string, string>): void {
    this.stacks.set(stackName, {
      stackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/${stackName}/0`,
      stackName,
      status,
      creationTime: this.clock(),
      outputs: {},
      tags,
      terminationProtection: true,
      token: 'not-ours',
      onFailure: 'DO_NOTHING',
      describesLeft: 0,
      template: { Resources: {} },
      events: [],
    });
  }

  /** An operation record as the API writes it, so steps' progress writes have something to update. */
  private knownCluster(cluster: string) {
    const c = this.clusters.get(cluster);
    if (!c) throw Object.assign(new Error(`No cluster found for name: ${cluster}.`), { name: 'ResourceNotFoundException' });
    return c;
  }

  /** EKS's 409: one update of a cluster's own at a time, whoever started the other. */
  private refuseWhileClusterUpdates(cluster: string): void {
    const running = [...this.updates.values()].find((u) => u.clusterName === cluster && !u.nodegroupName && u.status === 'InProgress');
    if (running) throw new UpdateInProgressError(`Cluster has update ${running.id} in progress`, { resource: `cluster ${cluster}` });
  }

  seedOperation(operation: Operation, cluster: { status?: ClusterStatus; spec?: unknown } = {}): void {
    const previous = this.clusterRecords.get(operation.cluster.name);
    this.clusterRecords.set(operation.cluster.name, {
      name: operation.cluster.name,
      status: cluster.status ?? (operation.type === 'CREATE' ? 'CREATING' : operation.type === 'DELETE' ? 'DELETING' : 'UPDATING'),
      lockedBy: operation.id,
      lastOperationId: operation.id,
      owner: previous?.owner ?? operation.requestedBy,
      spec: cluster.spec ?? previous?.spec ?? {},
      createdAt: previous?.createdAt ?? operation.requestedAt,
      updatedAt: operation.requestedAt,
      version: (previous?.version ?? 0) + 1,
      // Observations stay with the cluster, whichever operation runs.
      ...(previous?.readyNodes ? { readyNodes: previous.readyNodes } : {}),
      ...(previous?.nodeVersions ? { nodeVersions: previous.nodeVersions } : {}),
    });
    this.operations.set(operation.id, { id: operation.id, type: operation.type, clusterName: operation.cluster.name, status: 'ACCEPTED', phase: 'Accepted', requestedBy: operation.requestedBy, requestedAt: operation.requestedAt, updatedAt: operation.requestedAt, steps: {} });
  }
}
