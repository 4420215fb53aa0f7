/**
 * Everything the emulated account holds, shared by the services: CloudFormation creates EC2,
 * IAM and EKS resources here; EC2, EKS and STS read them. One World per emulator.
 */
import { randomBytes } from 'node:crypto';
import { CallLog, type CallPrincipal } from './call-principals';
import { LocalCertificates } from './certificates';
import { EmulatedClock, seededRandom } from './clock';
import { Durations } from './durations';
import { Faults } from './faults';
import { LocalFunctions } from './functions';
import { WorldNetwork } from './network-scope';
import type { CloudFormationState } from './services/cloudformation/engine';
import type { EventBridgeState } from './services/eventbridge';
import type { StsIdentities } from './services/sts';

export interface WorldOptions {
  account?: string;
  region?: string;
  timeScale: number;
  seed?: number;
  /** Where the emulated clock starts (a restored world continues from its saved instant). Default: now. */
  emulatedStart?: number;
}

export interface Tagged {
  tags: Record<string, string>;
}
export interface Vpc extends Tagged {
  vpcId: string;
  cidrBlock: string;
}
export interface Subnet extends Tagged {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  mapPublicIpOnLaunch: boolean;
}
/** One rule of a security group, as IpPermissions carries it (ingress or egress). */
export interface SecurityGroupRule {
  ruleId: string;
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIp?: string;
  /** Another group as the source (ingress) or destination (egress). */
  groupId?: string;
  description?: string;
}
export interface SecurityGroup extends Tagged {
  groupId: string;
  vpcId: string;
  description: string;
  /** GroupName; absent on groups made before names were kept (the logical id or the id stands in). */
  groupName?: string;
  /** Rules the stack's ingress resources (or the group's own SecurityGroupIngress) made; absent = none. */
  ingress?: SecurityGroupRule[];
  /** Absent = the default allow-all egress rule every new group has. */
  egress?: SecurityGroupRule[];
}
/** An EC2 instance: a node of a nodegroup's Auto Scaling group, the same one kubectl lists. */
export interface Instance extends Tagged {
  instanceId: string;
  /** Instances launched by one request share a reservation (an Auto Scaling group launches one at a time); absent: one of its own. */
  reservationId?: string;
  instanceType: string;
  imageId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  /** Inside its subnet's CIDR; the node's InternalIP. */
  privateIpAddress: string;
  /** ip-192-168-1-10.ec2.internal: the node's name. */
  privateDnsName: string;
  /** Set when the subnet maps public IPs on launch. */
  publicIpAddress?: string;
  securityGroupIds: string[];
  /** The primary network interface. */
  networkInterfaceId: string;
  iamInstanceProfileArn?: string;
  launchTemplate?: { id: string; name: string; version: string };
  autoScalingGroupName?: string;
  /**
   * When it began booting, where that is before launchTime: a managed nodegroup's first
   * instances, launched when its creation ends, stand for those EKS booted while creating it
   * (their kubelets registered before the nodegroup was ACTIVE: kubernetes/node-readiness.ts).
   */
  bootedAt?: Date;
  launchTime: Date;
  state: 'pending' | 'running' | 'shutting-down' | 'terminated';
  /** Why and when it last changed state, e.g. `User initiated (2026-01-02 10:00:00 GMT)` on termination. */
  stateTransitionReason?: string;
  /**
   * When its Auto Scaling group began terminating it (shutting-down): its kubelet stopped then,
   * and its Node stays until the cloud node lifecycle controller sees it gone (kubernetes/nodes.ts).
   */
  shutdownAt?: Date;
  architecture: 'x86_64' | 'arm64';
  capacityType: 'ON_DEMAND' | 'SPOT';
}
/** An elastic network interface (instances' primary ones, NAT gateways', the control plane's). */
export interface NetworkInterface extends Tagged {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  description: string;
  interfaceType: string;
  securityGroupIds: string[];
  /** The instance it is attached to, when it is. */
  instanceId?: string;
  status: 'available' | 'in-use';
  requesterId?: string;
}
export interface Role extends Tagged {
  arn: string;
  roleName: string;
  path: string;
  assumeRolePolicyDocument: unknown;
  managedPolicyArns: string[];
  /** The managed policy capping the role, when it has one. */
  permissionsBoundary?: string;
  /** When it was made; a role put straight on the World gets one the first time IAM shows it. */
  createDate?: Date;
  description?: string;
  /** Seconds a session of the role may last (IAM's default: 3600). */
  maxSessionDuration?: number;
  /** Inline policies by name: the role's own `Policies` and the AWS::IAM::Policy resources naming it. */
  inlinePolicies?: Record<string, unknown>;
}
/** A customer managed policy of the account (AWS managed ones, arn:…:iam::aws:policy/…, always exist). */
export interface ManagedPolicy {
  arn: string;
  document: unknown;
  /** When it was made; a policy put straight on the World gets one the first time IAM shows it. */
  createDate?: Date;
  description?: string;
}
/** An instance profile: what a node's EC2 instance carries to act as its role. */
export interface InstanceProfile extends Tagged {
  name: string;
  arn: string;
  path: string;
  /** IAM allows one role per instance profile; a list because the API carries one. */
  roleNames: string[];
  createDate: Date;
}
/** An IAM OIDC identity provider (AWS::IAM::OIDCProvider): an EKS cluster's issuer, for IAM roles for service accounts. */
export interface OidcProvider extends Tagged {
  arn: string;
  /** As IAM keeps it: without https://. */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: Date;
}
/** Any other EC2 resource CloudFormation makes (gateways, routes, EIPs, launch templates...). */
export interface GenericResource extends Tagged {
  id: string;
  type: string;
  properties: Record<string, unknown>;
}

export class Ec2State {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly other = new Map<string, GenericResource>();
  /** VPC ids created as the account's default VPC. */
  readonly defaultVpcIds = new Set<string>();
  /** CloudFormation security group names per VPC → group id (the shared record has no name field). */
  readonly groupNames = new Map<string, Map<string, string>>();
  readonly instances = new Map<string, Instance>();
  readonly networkInterfaces = new Map<string, NetworkInterface>();
}

/** What every load balancer in a VPC has, Classic or v2: where it is, its name and DNS name, the interfaces it holds. */
export interface LoadBalancerBase extends Tagged {
  name: string;
  scheme: 'internet-facing' | 'internal';
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  dnsName: string;
  createdTime: Date;
  /** The requester-managed interfaces it holds, one per subnet: released some time after it is deleted. */
  networkInterfaceIds: string[];
}

/** An Application or Network Load Balancer (what a load balancer controller makes for a Service or an Ingress). */
export interface LoadBalancer extends LoadBalancerBase {
  arn: string;
  type: 'application' | 'network';
  /** Set by DeleteLoadBalancer: the emulated instant (epoch ms) it is gone, its interfaces released. */
  deleteDueAt?: number;
}
/** An Elastic Load Balancing v2 target group. */
export interface TargetGroup extends Tagged {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId: string;
  targetType: 'instance' | 'ip';
}
/** A listener: forwards to one target group, which is in use while it exists. */
export interface Listener {
  arn: string;
  loadBalancerArn: string;
  protocol: string;
  port: number;
  targetGroupArn: string;
}

export class Elbv2State {
  /** By ARN. */
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly targetGroups = new Map<string, TargetGroup>();
  readonly listeners = new Map<string, Listener>();
}

/** A Classic Load Balancer's listener: a port on the load balancer forwarded to a port on the instances. */
export interface ClassicListener {
  protocol: string;
  loadBalancerPort: number;
  instanceProtocol: string;
  instancePort: number;
}

/** A Classic Load Balancer (ELB v1): what the in-tree Kubernetes service controller makes for a Service of type LoadBalancer. Its interfaces are described "ELB <name>". */
export interface ClassicLoadBalancer extends LoadBalancerBase {
  listeners: ClassicListener[];
}

export class ElbState {
  /** By name: Classic Load Balancers are named, not ARN'd, in their API. */
  readonly loadBalancers = new Map<string, ClassicLoadBalancer>();
  /**
   * Interfaces of deleted Classic Load Balancers → the emulated instant (epoch ms) EC2 releases
   * them: the load balancer is gone at once, its interfaces (and so its group and subnets) not yet.
   */
  readonly releasing = new Map<string, number>();
}

/** An Auto Scaling group: a managed nodegroup's (named eks-<nodegroup>-<uuid>), or one a stack made (a self-managed nodegroup's). */
export interface AutoScalingGroup extends Tagged {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  subnetIds: string[];
  availabilityZones: string[];
  launchTemplate?: { id: string; name: string; version: string };
  mixedInstanceTypes?: string[];
  instanceIds: string[];
  createdTime: Date;
  /** 'Delete in progress' while it is being deleted. */
  status?: string;
  /** The stack that made it (AWS::AutoScaling::AutoScalingGroup: a self-managed nodegroup's); absent for EKS's own groups. */
  stackName?: string;
  /** A MixedInstancesPolicy's InstancesDistribution (CloudFormation-made groups only). */
  instancesDistribution?: { onDemandBaseCapacity: number; onDemandPercentageAboveBaseCapacity: number; spotAllocationStrategy: string; onDemandAllocationStrategy: string };
  /** Keys of the tags whose PropagateAtLaunch is false (a stack's group); every other tag goes on the instances it launches. */
  notPropagatedAtLaunch?: string[];
  /** What the group did since it kept a log (a stack's group: autoscaling/activities.ts); EKS's own groups show activities derived from their instances. */
  activities?: ScalingActivity[];
}

/** One scaling activity of a group: a launch or a termination of one instance. */
export interface ScalingActivity {
  activityId: string;
  instanceId: string;
  description: string;
  cause: string;
  startTime: Date;
  endTime?: Date;
  statusCode: 'InProgress' | 'Successful';
  progress: number;
  subnetId: string;
  availabilityZone: string;
  /** A termination in progress: when EC2 finishes it (the instance is `terminated`). */
  dueAt?: Date;
}

/** A CloudWatch Logs log group (AWS::Logs::LogGroup): a Lambda function's, named /aws/lambda/<function>. */
export interface LogGroup extends Tagged {
  name: string;
  arn: string;
  /** Absent: never expire. */
  retentionInDays?: number;
  creationTime: Date;
}

export class LogsState {
  /** By name. */
  readonly groups = new Map<string, LogGroup>();
}

export class AutoScalingState {
  /** By group name. */
  readonly groups = new Map<string, AutoScalingGroup>();
}

export class IamState {
  readonly roles = new Map<string, Role>();
  /** By ARN. */
  readonly policies = new Map<string, ManagedPolicy>();
  /** By name. */
  readonly instanceProfiles = new Map<string, InstanceProfile>();
  /** By ARN. */
  readonly oidcProviders = new Map<string, OidcProvider>();

  /** Whether a role may name `arn` as its permissions boundary: an AWS managed policy, or one of the account's. */
  policyExists(arn: string): boolean {
    return /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn) || this.policies.has(arn);
  }

  byArn(arn: string): Role | undefined {
    return [...this.roles.values()].find((r) => r.arn === arn);
  }
}

/** What CloudFormation's AWS::EKS::Cluster provider needs of the EKS emulator. */
export interface EksBackend {
  /** Starts creating; resolves when ACTIVE, rejects with AWS's reason when the create fails. */
  createClusterForStack(properties: Record<string, unknown>, stackTags: Record<string, string>, context?: { /** Who CloudFormation acts as: the stack's role session, else the CreateStack caller. */ creatorArn?: string }): Promise<{ name: string; arn: string; endpoint: string; certificateAuthorityData: string; clusterSecurityGroupId: string; [attribute: string]: string }>;
  /** Resolves when the cluster is gone; rejects (ResourceInUse) while nodegroups or Fargate profiles remain. */
  deleteClusterForStack(name: string): Promise<void>;
  /** A cluster a stack was creating before a restart: resolves as createClusterForStack would; undefined when there is no such cluster. */
  resumeClusterForStack?(name: string): ReturnType<EksBackend['createClusterForStack']> | undefined;
  /** A stack's cluster, whose tags a stack update changes (as TagResource / UntagResource would); undefined when it is gone. */
  clusterTagsForStack?(name: string): { tags: Record<string, string> } | undefined;
}

/** Step Functions executions, provided by the local runtime (which binds Task states to handlers). */
export interface ExecutionBackend {
  start(stateMachineArn: string, name: string, input: string): Promise<{ executionArn: string; startDate: Date }>;
  describe(executionArn: string): ExecutionRecord | undefined;
  list(stateMachineArn: string, statusFilter?: string): ExecutionRecord[];
  history(executionArn: string): Array<{ id: number; timestamp: Date; type: string; details?: Record<string, unknown> }>;
  stop(executionArn: string, error?: string, cause?: string): Promise<void>;
  stateMachines(): Array<{ stateMachineArn: string; name: string }>;
}
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface BusEvent {
  bus: string;
  source: string;
  detailType: string;
  detail: unknown;
  time: string;
  id: string;
}

/** An EventBridge Scheduler schedule group (`default` always exists). */
export interface ScheduleGroup {
  name: string;
  arn: string;
  creationDate: Date;
  lastModificationDate: Date;
  tags: Record<string, string>;
}

/** An EventBridge Scheduler schedule, as CreateSchedule/UpdateSchedule last set it. */
export interface Schedule {
  name: string;
  groupName: string;
  arn: string;
  scheduleExpression: string;
  scheduleExpressionTimezone?: string;
  startDate?: Date;
  endDate?: Date;
  description?: string;
  state: 'ENABLED' | 'DISABLED';
  kmsKeyArn?: string;
  actionAfterCompletion: 'NONE' | 'DELETE';
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  /** The Target structure as the API carries it (Arn, RoleArn, Input, EventBridgeParameters...). */
  target: Record<string, unknown> & { Arn: string; RoleArn: string; Input?: string };
  creationDate: Date;
  lastModificationDate: Date;
  /** The ClientToken that created it: a retried CreateSchedule with the same token succeeds. */
  clientToken?: string;
  /** When it fires next (emulated time); undefined when it will not fire again. */
  nextInvocation?: Date;
}

/** One time a schedule invoked its target (GET /_local/schedules). */
export interface ScheduleFiring {
  scheduleArn: string;
  groupName: string;
  name: string;
  targetArn: string;
  /** The time the expression named, and when it actually fired (emulated time, ISO). */
  scheduledTime: string;
  time: string;
  /** The Lambda request id, event id or execution ARN the target call produced. */
  invocationId?: string;
  error?: string;
}

export class SchedulerState {
  readonly groups = new Map<string, ScheduleGroup>();
  /** Key `group/name`. */
  readonly schedules = new Map<string, Schedule>();
  /** Key `group/name` → the scheduled time it last fired for (a one-time schedule fires once). */
  readonly lastFired = new Map<string, Date>();
  /** Every firing, in order. */
  readonly firings: ScheduleFiring[] = [];

  list(groupName?: string): Schedule[] {
    return [...this.schedules.values()].filter((s) => groupName === undefined || s.groupName === groupName);
  }
}

/**
 * What nodes' own API objects carry beyond what EC2 and EKS derive them from: who cordoned them
 * (`kubectl cordon` sets spec.unschedulable), keyed by node name (private DNS names are unique
 * in a region, and a node's name outlives no instance).
 */
export class KubeNodeState {
  /** Node name → when it was cordoned (the unschedulable taint's timeAdded). */
  readonly cordons = new Map<string, Date>();
  /** Node name → the annotations clients wrote on it (a cordoning operation's name, say), beyond those its kubelet sets. */
  readonly annotations = new Map<string, Record<string, string>>();
  /**
   * Whether a cluster has a Ready node a Deployment's pods may go to (no NoSchedule taint they do
   * not tolerate), self-managed nodes included: set by the Kubernetes service, read by EKS for an
   * add-on's health (coredns is DEGRADED until its pods have somewhere to run).
   */
  hasSchedulableNode?: (clusterName: string) => boolean;
}

export class World {
  readonly account: string;
  readonly region: string;
  readonly clock: EmulatedClock;
  /**
   * When this world was first made (emulated epoch ms), saved with it: the EKS version calendar
   * reads its catalog's dates relative to this instant (services/eks/versions.ts).
   */
  calendarEpoch: number;
  readonly random: () => number;
  readonly durations: Durations;
  readonly faults: Faults;
  readonly ec2 = new Ec2State();
  readonly iam = new IamState();
  readonly autoScaling = new AutoScalingState();
  /** Elastic Load Balancing v2: load balancers, target groups, listeners (services/elbv2/). */
  readonly elbv2 = new Elbv2State();
  /** Elastic Load Balancing (Classic): load balancers and the interfaces they leave for a while (services/elb/). */
  readonly elb = new ElbState();
  readonly logs = new LogsState();
  /** Which loopback connections come from inside a VPC, and the connections the emulated network dropped (network-scope.ts). */
  readonly network: WorldNetwork;
  /** The CA and server certificate of the clusters' HTTPS endpoints. */
  readonly certificates: LocalCertificates;
  /** Every event put on any bus, in order (GET /_local/events). */
  readonly busEvents: BusEvent[] = [];
  /** Who made each call (served, or made by a service on someone's behalf), in order (call-principals.ts). */
  readonly callPrincipals: CallPrincipal[] = [];
  /** Every call served, for the benchmark: "service:Operation"; each push also records its principal in callPrincipals. */
  readonly calls: string[] = new CallLog(this.callPrincipals, () => this.clock.now());
  /** Lambda functions the emulator can invoke: Invoke, EventBridge and Scheduler targets. */
  readonly functions = new LocalFunctions(this);
  /** EventBridge Scheduler's schedule groups, schedules and firings. */
  readonly scheduler = new SchedulerState();
  /** Cordons of Kubernetes nodes (services/kubernetes/node-writes.ts). */
  readonly kubeNodes = new KubeNodeState();
  /** CloudFormation's stacks, exports and imports (services/cloudformation/engine.ts makes it). */
  cloudFormation?: CloudFormationState;
  /** EventBridge's buses, rules and deliveries (services/eventbridge/state.ts makes it). */
  eventBridge?: EventBridgeState;
  /** STS's keys: configured callers and secrets, and the keys AssumeRole issued (services/sts/ makes it). */
  sts?: StsIdentities;
  eks?: EksBackend;
  executions?: ExecutionBackend;

  constructor(options: WorldOptions) {
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    this.clock = new EmulatedClock(options.timeScale, options.emulatedStart);
    this.network = new WorldNetwork(() => this.clock.now());
    this.calendarEpoch = this.clock.now().getTime();
    this.random = seededRandom(options.seed ?? 42);
    this.durations = new Durations(this.random);
    this.faults = new Faults(seededRandom((options.seed ?? 42) + 1));
    this.certificates = new LocalCertificates(() => this.clock.now());
  }

  /** AWS-style id: `vpc-0a1b2c3d4e5f60718`. */
  newId(prefix: string): string {
    return `${prefix}-0${randomBytes(8).toString('hex').slice(0, 16)}`;
  }

  availabilityZones(region = this.region): string[] {
    return ['a', 'b', 'c', 'd', 'e', 'f'].map((z) => `${region}${z}`);
  }

  arn(service: string, resource: string, region: string = this.region): string {
    return `arn:aws:${service}:${region}:${this.account}:${resource}`;
  }
}
