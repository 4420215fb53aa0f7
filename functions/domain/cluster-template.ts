/**
 * The cluster stack's template, modelled on eksctl's `eksctl-<name>-cluster` stack: the network
 * (a new VPC, with VPC endpoints when the cluster is fully private, or nothing when the caller
 * brings subnets), the security groups, the IAM roles and the control plane. Nodegroups, Fargate
 * profiles, access entries and add-ons are not here: later steps make them with the EKS API so
 * each is its own retryable, observable step (docs/architecture.md, The cluster stack).
 *
 * Pure and deterministic: the same input renders byte-identical JSON, so a dry run shows exactly
 * what a real run submits and a retried step re-submits the same template.
 */
import { createHash } from 'node:crypto';
import { InvalidSpecError, InvalidStepInputError } from '../shared/errors';
import { parseCidr } from './cidr';
import { publicEndpointNeedsNodeEgress } from './endpoint-access';
import { clusterStackName, exportName, kubeAgentFunctionName } from './naming';
import { hasServiceRole, POD_IDENTITY_PRINCIPAL } from './pod-identity';
import { natGatewayCount, type NodegroupSpec, type PodIdentityAssociationSpec, type Spec } from './spec';
import { getsVpcEndpoints, renderVpcEndpoints } from './vpc-endpoints';

/** IAM path of every role the stack makes, so the service's iam:PassRole can be scoped to role/eks-provisioner/*. */
export const ROLE_PATH = '/eks-provisioner/';
/** IAM path of the roles made for Pod Identity associations, which carry the pod role boundary (permissions-boundary.ts) instead. */
export const POD_ROLE_PATH = `${ROLE_PATH}pod-identity/`;

/** Where roles made for service accounts go, and what bounds them (config POD_ROLE_BOUNDARY_ARN). */
export interface PodRoleInput {
  podRoleBoundaryArn: string;
}

/**
 * Tags the template puts on particular resources for their own sake (where the AWS Load Balancer
 * Controller places load balancers): not the user's, so a change of the user's tags leaves them.
 */
export const RESOURCE_TAGS = { publicLoadBalancers: 'kubernetes.io/role/elb', internalLoadBalancers: 'kubernetes.io/role/internal-elb' } as const;

export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
}

export interface CloudFormationOutput {
  Description?: string;
  Value: unknown;
  Export?: { Name: string };
  Condition?: string;
}

export interface CloudFormationTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CloudFormationResource>;
  Outputs: Record<string, CloudFormationOutput>;
}

/** What every stack the service renders needs. */
export interface StackTemplateInput {
  stackName: string;
  tags: Record<string, string>; // user tags + ownership tags, put on every taggable resource
  /** The managed policy every role of the stack is bounded by (permissions-boundary.ts; config PERMISSIONS_BOUNDARY_ARN). */
  permissionsBoundaryArn: string;
}

export interface ClusterTemplateInput extends StackTemplateInput, PodRoleInput {
  spec: Spec;
  stackName: string; // eksp-<name>-cluster
  /** Where the kube agent's code is (the service's deployment asset; config KUBE_AGENT_CODE_BUCKET/KEY). */
  kubeAgentCode: KubeAgentCode;
  /** For network.subnets (existing VPC): the VPC id the plan step resolved with EC2. */
  existingVpcId?: string;
}

type NodegroupIam = Pick<NodegroupSpec, 'name'> & { iam?: { externalDNS?: boolean; additionalPolicyArns?: string[] } };

/** Output name holding the node role ARN a given nodegroup must use (shared role, or its own when it has `iam` extras). */
export function nodeRoleOutputName(nodegroup: NodegroupIam): string {
  return hasOwnRole(nodegroup) ? `NodeInstanceRoleArn${logicalIdPart(nodegroup.name)}` : 'NodeInstanceRoleArn';
}

export function renderClusterTemplate(input: ClusterTemplateInput): CloudFormationTemplate {
  const template = new TemplateBuilder(input);
  const network = renderNetwork(template, input);
  renderSecurityGroups(template, network);
  renderRoles(template, input.spec);
  renderControlPlane(template, input, network);
  renderKubeAgent(template, input, network);
  renderLaunchTemplates(template, input.spec);
  renderWorkloadIdentity(template, input.spec, input.podRoleBoundaryArn);
  renderOutputs(template, input.spec, network);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `EKS cluster "${input.spec.name}" made by eks-provisioner: ${describeNetwork(input.spec)}security groups, IAM roles, the control plane and the kube agent (the service's way to the Kubernetes API from inside the VPC). Nodegroups, Fargate profiles and add-ons are made with the EKS API.`,
    Resources: template.resources,
    Outputs: template.outputs,
  };
}

function describeNetwork(spec: Spec): string {
  if (!spec.network.vpc) return '';
  return getsVpcEndpoints(spec) ? 'a new VPC with the VPC endpoints its private subnets reach AWS through, ' : 'a new VPC, ';
}

/** What a nodegroup added to a running cluster needs besides the cluster stack's exports. */
export interface NodegroupTemplateInput extends StackTemplateInput {
  clusterName: string;
  nodegroup: NodegroupSpec;
  stackName: string; // eksp-<cluster>-nodegroup-<ng>
}

/** Outputs of a nodegroup stack, which the Create Nodegroup call reads. */
export const NODEGROUP_STACK_OUTPUTS = { nodeRole: 'NodeInstanceRoleArn', launchTemplate: 'LaunchTemplateId' } as const;

/**
 * A nodegroup added after provisioning, like eksctl's `eksctl-<cluster>-nodegroup-<ng>` stack:
 * its own node role (the policies and `iam` options a nodegroup gets in the cluster stack) and
 * its launch template, joined to the cluster's security groups through the cluster stack's
 * exports. Importing them also keeps the cluster stack from being deleted underneath it.
 */
export function renderNodegroupTemplate(input: NodegroupTemplateInput): CloudFormationTemplate {
  const { nodegroup } = input;
  const template = new TemplateBuilder(input);
  const imported = (output: string) => ({ 'Fn::ImportValue': exportName(clusterStackName(input.clusterName), output) });
  nodeRole(template, 'NodeInstanceRole', nodegroup.iam?.additionalPolicyArns ?? [], nodegroup.iam?.externalDNS ?? false);
  const launchTemplate = renderLaunchTemplate(template, nodegroup, {
    clusterSecurityGroup: imported('ClusterSecurityGroupId'),
    sharedNodeSecurityGroup: imported('ClusterSharedNodeSecurityGroup'),
    vpc: imported('VPC'),
  });
  template.output(NODEGROUP_STACK_OUTPUTS.nodeRole, `Node role of nodegroup ${nodegroup.name}`, getAtt('NodeInstanceRole', 'Arn'));
  template.output(NODEGROUP_STACK_OUTPUTS.launchTemplate, `Launch template of nodegroup ${nodegroup.name}`, ref(launchTemplate));
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Nodegroup "${nodegroup.name}" of EKS cluster "${input.clusterName}" made by eks-provisioner: its node role and launch template. The nodegroup itself is made with the EKS API.`,
    Resources: template.resources,
    Outputs: template.outputs,
  };
}

export interface FargateTemplateInput extends StackTemplateInput {
  clusterName: string;
  stackName: string; // eksp-<cluster>-fargate
}

/** The pod execution role for Fargate profiles added to a cluster whose stack has none (made without profiles). */
export function renderFargateTemplate(input: FargateTemplateInput): CloudFormationTemplate {
  const template = new TemplateBuilder(input);
  fargatePodExecutionRole(template, input.clusterName);
  template.output('FargatePodExecutionRoleArn', 'Pod execution role for the Fargate profiles', getAtt('FargatePodExecutionRole', 'Arn'));
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Fargate pod execution role of EKS cluster "${input.clusterName}" made by eks-provisioner, shared by the profiles added after provisioning.`,
    Resources: template.resources,
    Outputs: template.outputs,
  };
}

// ── Building blocks ──────────────────────────────────────────────────────────────────────────

const ref = (logicalId: string) => ({ Ref: logicalId });
const getAtt = (logicalId: string, attribute: string) => ({ 'Fn::GetAtt': [logicalId, attribute] });
const awsManagedPolicy = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${name}` });

export class TemplateBuilder {
  readonly resources: Record<string, CloudFormationResource> = {};
  readonly outputs: Record<string, CloudFormationOutput> = {};
  readonly stackName: string;
  private readonly tags: Record<string, string>;
  private readonly permissionsBoundaryArn: string;

  constructor(input: StackTemplateInput) {
    this.stackName = input.stackName;
    this.tags = input.tags;
    this.permissionsBoundaryArn = input.permissionsBoundaryArn;
  }

  add(logicalId: string, resource: CloudFormationResource): string {
    // Roles only through role(): none may be made without the permissions boundary.
    if (resource.Type === 'AWS::IAM::Role') throw new Error(`${logicalId}: IAM roles are added with role(), which bounds them`);
    return this.put(logicalId, resource);
  }

  /**
   * The one way a template gets an IAM role: under ROLE_PATH, tagged, and bounded by the service's
   * permissions boundary, which the CloudFormation execution role requires of every role it creates
   * (a Pod Identity role: under POD_ROLE_PATH with the pod role boundary, which it requires there).
   */
  role(logicalId: string, properties: { AssumeRolePolicyDocument: unknown; ManagedPolicyArns: unknown[]; Policies?: unknown[] }, bounds = { path: ROLE_PATH, boundaryArn: this.permissionsBoundaryArn }): string {
    return this.put(logicalId, {
      Type: 'AWS::IAM::Role',
      Properties: { ...properties, Path: bounds.path, PermissionsBoundary: bounds.boundaryArn, Tags: this.tagsFor(logicalId) },
    });
  }

  private put(logicalId: string, resource: CloudFormationResource): string {
    // Ids derived from user names must never collide: the second resource would silently replace the first.
    if (!/^[A-Za-z0-9]+$/.test(logicalId) || logicalId in this.resources) throw new Error(`bad or duplicate logical id ${logicalId}`);
    this.resources[logicalId] = resource;
    return logicalId;
  }

  output(name: string, description: string, value: unknown): void {
    this.outputs[name] = { Description: description, Value: value, Export: { Name: exportName(this.stackName, name) } };
  }

  /**
   * The caller's and ownership tags, a Name like eksctl's (`<stack>/<id>`) unless the caller gave
   * one, then resource-specific ones; sorted so tag order never changes the template. At most
   * 40 + 4 + 2 tags, within AWS's 50 per resource.
   */
  tagsFor(logicalId: string, extra: Record<string, string> = {}): Array<{ Key: string; Value: string }> {
    const all: Record<string, string> = { Name: `${this.stackName}/${logicalId}`, ...this.tags, ...extra };
    return Object.keys(all)
      .sort()
      .map((Key) => ({ Key, Value: all[Key] ?? '' }));
  }
}

/** What the rest of the template needs from the network, whether made here or brought by the caller. */
interface Network {
  vpc: unknown;
  publicSubnets: unknown[];
  privateSubnets: unknown[];
  /** The NAT gateways' Elastic IPs (a new VPC's): the addresses nodes in private subnets reach a public endpoint from. */
  natPublicIps: unknown[];
}

// ── Network ──────────────────────────────────────────────────────────────────────────────────

function renderNetwork(template: TemplateBuilder, input: ClusterTemplateInput): Network {
  const { network } = input.spec;
  if (network.subnets) {
    if (!input.existingVpcId) throw new InvalidStepInputError('existingVpcId is required when the spec brings its own subnets (the plan step resolves it)');
    return { vpc: input.existingVpcId, publicSubnets: [...network.subnets.public], privateSubnets: [...network.subnets.private], natPublicIps: [] };
  }
  const { cidr, azCount, natGateway } = network.vpc;
  const prefix = parseCidr(cidr)?.prefix;
  if (prefix === undefined) throw new InvalidSpecError([{ pointer: '/network/vpc/cidr', message: `"${cidr}" is not an IPv4 CIDR block` }]);

  template.add('VPC', {
    Type: 'AWS::EC2::VPC',
    // EKS needs DNS hostnames and resolution for the private endpoint and for nodes to register.
    Properties: { CidrBlock: cidr, EnableDnsHostnames: true, EnableDnsSupport: true, Tags: template.tagsFor('VPC') },
  });
  template.add('InternetGateway', { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: template.tagsFor('InternetGateway') } });
  template.add('VPCGatewayAttachment', { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { InternetGatewayId: ref('InternetGateway'), VpcId: ref('VPC') } });
  template.add('PublicRouteTable', { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('VPC'), Tags: template.tagsFor('PublicRouteTable') } });
  template.add('PublicSubnetRoute', {
    Type: 'AWS::EC2::Route',
    Properties: { RouteTableId: ref('PublicRouteTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('InternetGateway') },
    // A route to an unattached gateway fails; the attachment has no attribute to reference.
    DependsOn: 'VPCGatewayAttachment',
  });

  const zones = Array.from({ length: azCount }, (_, i) => i + 1);
  // Eight equal blocks (eksctl's /19s in a /16): publics take the first azCount, privates the next.
  const subnetBlock = (index: number) => ({
    'Fn::Select': [index, { 'Fn::Cidr': [getAtt('VPC', 'CidrBlock'), 2 * azCount, String(29 - prefix)] }],
  });
  const zone = (i: number) => ({ 'Fn::Select': [i - 1, { 'Fn::GetAZs': '' }] });

  const publicSubnets = zones.map((i) => {
    const id = template.add(`SubnetPublic${i}`, {
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: ref('VPC'),
        AvailabilityZone: zone(i),
        CidrBlock: subnetBlock(i - 1),
        // Public nodegroups (privateNetworking false) need public IPs to reach the control plane.
        MapPublicIpOnLaunch: true,
        // Where the AWS Load Balancer Controller puts internet-facing load balancers.
        Tags: template.tagsFor(`SubnetPublic${i}`, { [RESOURCE_TAGS.publicLoadBalancers]: '1' }),
      },
    });
    template.add(`RouteTableAssociationPublic${i}`, {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { RouteTableId: ref('PublicRouteTable'), SubnetId: ref(id) },
    });
    return ref(id);
  });

  const natCount = natGatewayCount(network.vpc);
  const natGateways = zones.slice(0, natCount).map((i) => {
    template.add(`NATIP${i}`, {
      Type: 'AWS::EC2::EIP',
      Properties: { Domain: 'vpc', Tags: template.tagsFor(`NATIP${i}`) },
      DependsOn: 'VPCGatewayAttachment',
    });
    return template.add(`NATGateway${i}`, {
      Type: 'AWS::EC2::NatGateway',
      Properties: { AllocationId: getAtt(`NATIP${i}`, 'AllocationId'), SubnetId: ref(`SubnetPublic${i}`), Tags: template.tagsFor(`NATGateway${i}`) },
    });
  });

  const privateSubnets = zones.map((i) => {
    const id = template.add(`SubnetPrivate${i}`, {
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: ref('VPC'),
        AvailabilityZone: zone(i),
        CidrBlock: subnetBlock(azCount + i - 1),
        // Where the AWS Load Balancer Controller puts internal load balancers.
        Tags: template.tagsFor(`SubnetPrivate${i}`, { [RESOURCE_TAGS.internalLoadBalancers]: '1' }),
      },
    });
    template.add(`PrivateRouteTable${i}`, { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('VPC'), Tags: template.tagsFor(`PrivateRouteTable${i}`) } });
    // HighlyAvailable keeps each zone's egress in its zone; Single sends every zone through the first.
    const nat = natGateway === 'HighlyAvailable' ? natGateways[i - 1] : natGateways[0];
    if (nat) {
      template.add(`NATPrivateSubnetRoute${i}`, {
        Type: 'AWS::EC2::Route',
        Properties: { RouteTableId: ref(`PrivateRouteTable${i}`), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref(nat) },
      });
    }
    template.add(`RouteTableAssociationPrivate${i}`, {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { RouteTableId: ref(`PrivateRouteTable${i}`), SubnetId: ref(id) },
    });
    return ref(id);
  });

  // A fully private cluster's nodes reach AWS through VPC endpoints instead of a NAT gateway (vpc-endpoints.ts).
  if (getsVpcEndpoints(input.spec)) {
    renderVpcEndpoints(template, { vpc: ref('VPC'), vpcCidr: getAtt('VPC', 'CidrBlock'), privateSubnets, privateRouteTables: zones.map((i) => ref(`PrivateRouteTable${i}`)) });
  }

  // An EIP's Ref is its public address.
  return { vpc: ref('VPC'), publicSubnets, privateSubnets, natPublicIps: zones.slice(0, natCount).map((i) => ref(`NATIP${i}`)) };
}

// ── Security groups ──────────────────────────────────────────────────────────────────────────

const ALL_TRAFFIC = { IpProtocol: '-1' };
const clusterSecurityGroup = () => getAtt('ControlPlane', 'ClusterSecurityGroupId');

function renderSecurityGroups(template: TemplateBuilder, network: Network): void {
  template.add('ControlPlaneSecurityGroup', {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: { GroupDescription: 'Communication between the control plane and worker nodegroups', VpcId: network.vpc, Tags: template.tagsFor('ControlPlaneSecurityGroup') },
  });
  template.add('ClusterSharedNodeSecurityGroup', {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: { GroupDescription: 'Communication between all nodes in the cluster', VpcId: network.vpc, Tags: template.tagsFor('ClusterSharedNodeSecurityGroup') },
  });
  template.add('IngressInterNodeGroupSG', {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: { ...ALL_TRAFFIC, Description: 'Allow nodes to communicate with each other (all ports)', GroupId: ref('ClusterSharedNodeSecurityGroup'), SourceSecurityGroupId: ref('ClusterSharedNodeSecurityGroup') },
  });
  // Managed nodegroups join EKS's own cluster security group, self-managed ones the shared one:
  // these two rules let both kinds (and Fargate pods) reach each other.
  template.add('IngressDefaultClusterToNodeSG', {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: { ...ALL_TRAFFIC, Description: 'Allow managed and unmanaged nodes to communicate with each other (all ports)', GroupId: ref('ClusterSharedNodeSecurityGroup'), SourceSecurityGroupId: clusterSecurityGroup() },
  });
  template.add('IngressNodeToDefaultClusterSG', {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: { ...ALL_TRAFFIC, Description: 'Allow unmanaged nodes to communicate with control plane (all ports)', GroupId: clusterSecurityGroup(), SourceSecurityGroupId: ref('ClusterSharedNodeSecurityGroup') },
  });
}

// ── IAM roles ────────────────────────────────────────────────────────────────────────────────
// No RoleName: CloudFormation names them, so two clusters never collide and the stack needs only
// CAPABILITY_IAM. ROLE_PATH lets the service pass exactly these roles and no others.

const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy', 'AmazonEKSVPCResourceController'];
const NODE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore', 'AmazonEKS_CNI_Policy'];
const FARGATE_POLICIES = ['AmazonEKSFargatePodExecutionRolePolicy'];
/** The AWS managed policies the cluster role needs besides its own for Auto Mode (EKS user guide, "Amazon EKS Auto Mode cluster IAM role"). */
export const AUTO_MODE_CLUSTER_POLICIES: readonly string[] = ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'];
/** Those of the role Auto Mode's nodes run as ("Amazon EKS Auto Mode node IAM role"). */
export const AUTO_MODE_NODE_POLICIES: readonly string[] = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'];
// Its network interfaces in the VPC and its logs: nothing else.
const KUBE_AGENT_POLICIES = ['service-role/AWSLambdaVPCAccessExecutionRole'];

/**
 * The AWS managed policies (names under arn:<partition>:iam::aws:policy/) the templates attach on
 * their own, whatever the spec says: the CloudFormation execution role may attach these and the
 * allowedNodePolicyArns guardrail's, nothing else.
 */
export const TEMPLATE_MANAGED_POLICIES: readonly string[] = [...CLUSTER_POLICIES, ...NODE_POLICIES, ...FARGATE_POLICIES, ...KUBE_AGENT_POLICIES, ...AUTO_MODE_CLUSTER_POLICIES, ...AUTO_MODE_NODE_POLICIES];

function hasOwnRole(nodegroup: NodegroupIam): boolean {
  return Boolean(nodegroup.iam?.externalDNS) || (nodegroup.iam?.additionalPolicyArns?.length ?? 0) > 0;
}

function trustPolicy(service: string, actions: string[], condition?: Record<string, unknown>) {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: actions, ...(condition ? { Condition: condition } : {}) }],
  };
}

function renderRoles(template: TemplateBuilder, spec: Spec): void {
  template.role('ServiceRole', {
    // sts:TagSession: EKS tags the sessions it opens with this role (required for EKS Auto Mode, harmless otherwise).
    AssumeRolePolicyDocument: trustPolicy('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
    ManagedPolicyArns: [...CLUSTER_POLICIES, ...(autoModeOn(spec) ? AUTO_MODE_CLUSTER_POLICIES : [])].map(awsManagedPolicy),
  });
  if (autoModeOn(spec)) autoModeNodeRole(template);
  nodeRole(template, 'NodeInstanceRole', []);
  for (const nodegroup of spec.managedNodeGroups) {
    if (!hasOwnRole(nodegroup)) continue;
    nodeRole(template, `NodeInstanceRole${logicalIdPart(nodegroup.name)}`, nodegroup.iam?.additionalPolicyArns ?? [], nodegroup.iam?.externalDNS ?? false);
  }
  if (spec.fargateProfiles.length > 0) fargatePodExecutionRole(template, spec.name);
}

function fargatePodExecutionRole(template: TemplateBuilder, clusterName: string): void {
  template.role('FargatePodExecutionRole', {
    // Confused-deputy guard: only this cluster's Fargate profiles may use the role.
    AssumeRolePolicyDocument: trustPolicy('eks-fargate-pods.amazonaws.com', ['sts:AssumeRole'], {
      ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:eks:\${AWS::Region}:\${AWS::AccountId}:fargateprofile/${clusterName}/*` } },
    }),
    ManagedPolicyArns: FARGATE_POLICIES.map(awsManagedPolicy),
  });
}

export function nodeRole(template: TemplateBuilder, logicalId: string, additionalPolicyArns: string[], externalDNS = false): void {
  // IAM rejects a policy attached twice; the base policies win over a caller's copy of them.
  const extra = additionalPolicyArns.filter((arn) => !NODE_POLICIES.some((name) => arn.endsWith(`:iam::aws:policy/${name}`)));
  template.role(logicalId, {
    AssumeRolePolicyDocument: trustPolicy('ec2.amazonaws.com', ['sts:AssumeRole']),
    ManagedPolicyArns: [...NODE_POLICIES.map(awsManagedPolicy), ...extra],
    ...(externalDNS ? { Policies: [externalDnsPolicy()] } : {}),
  });
}

/** What external-dns needs (as eksctl's `iam.withAddonPolicies.externalDNS`): change records, find zones. */
function externalDnsPolicy() {
  return {
    PolicyName: 'ExternalDNS',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets'], Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/*' } },
        { Effect: 'Allow', Action: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource'], Resource: '*' },
      ],
    },
  };
}

// ── Control plane ────────────────────────────────────────────────────────────────────────────

function renderControlPlane(template: TemplateBuilder, input: ClusterTemplateInput, network: Network): void {
  const { spec } = input;
  const access = spec.endpointAccess;
  // A public-only endpoint restricted to CIDRs must admit the VPC's own NAT addresses, or nodes
  // (and the kube agent) in the private subnets could never reach it (spec-rules.ts refuses the
  // cases where the addresses cannot be known).
  const natCidrs = publicEndpointNeedsNodeEgress(access) ? network.natPublicIps.map((ip) => ({ 'Fn::Join': ['', [ip, '/32']] })) : [];
  template.add('ControlPlane', {
    Type: 'AWS::EKS::Cluster',
    Properties: {
      Name: spec.name,
      Version: spec.version,
      RoleArn: getAtt('ServiceRole', 'Arn'),
      ResourcesVpcConfig: {
        SecurityGroupIds: [ref('ControlPlaneSecurityGroup')],
        // EKS places its control-plane ENIs in these; public ones too, as eksctl does, so load
        // balancers and public nodegroups can use them.
        SubnetIds: [...network.publicSubnets, ...network.privateSubnets],
        EndpointPublicAccess: access.public,
        EndpointPrivateAccess: access.private,
        // EKS rejects CIDRs for a public endpoint that is switched off.
        ...(access.public && access.publicAccessCidrs.length > 0 ? { PublicAccessCidrs: [...access.publicAccessCidrs, ...natCidrs] } : {}),
      },
      AccessConfig: { AuthenticationMode: spec.authenticationMode, BootstrapClusterCreatorAdminPermissions: bootstrapsCreatorAdmin(spec.authenticationMode) },
      // The cluster's networking is the spec's add-ons alone, as eksctl makes its clusters: EKS does
      // not also install self-managed vpc-cni, kube-proxy and coredns (so nodes need the vpc-cni
      // add-on, which spec-rules.ts asks for). Set at creation only: changing it replaces a cluster.
      BootstrapSelfManagedAddons: false,
      ...(spec.logging.length > 0 ? { Logging: { ClusterLogging: { EnabledTypes: spec.logging.map((Type) => ({ Type })) } } } : {}),
      ...(spec.secretsEncryption ? { EncryptionConfig: [{ Resources: ['secrets'], Provider: { KeyArn: spec.secretsEncryption.kmsKeyArn } }] } : {}),
      ...lifecycleSettings(spec),
      ...autoModeSettings(spec),
      Tags: template.tagsFor('ControlPlane'),
    },
  });
}

/**
 * The running cluster's lifecycle settings, rendered only when the spec sets them: absent, EKS
 * applies its own defaults (extended support, no zonal shift, no deletion protection), and the
 * templates of clusters that never asked stay as they were, so re-rendering one changes nothing.
 */
function lifecycleSettings(spec: Spec): Record<string, unknown> {
  return {
    ...(spec.upgradePolicy ? { UpgradePolicy: { SupportType: spec.upgradePolicy.supportType } } : {}),
    ...(spec.zonalShift ? { ZonalShiftConfig: { Enabled: spec.zonalShift.enabled } } : {}),
    ...(spec.deletionProtection ? { DeletionProtection: true } : {}),
  };
}

// ── EKS Auto Mode ────────────────────────────────────────────────────────────────────────────
// Rendered only for a spec with Auto Mode on, so other clusters' templates stay as they were.

/** The logical id of the node role and the name of the output holding its ARN, wherever it lives (cluster stack, or the Auto Mode stack of a cluster switched on later). */
export const AUTO_MODE_NODE_ROLE = 'AutoModeNodeRole';
export const AUTO_MODE_NODE_ROLE_OUTPUT = 'AutoModeNodeRoleArn';

export function autoModeOn(spec: Pick<Spec, 'autoMode'>): boolean {
  return spec.autoMode?.enabled === true;
}

/**
 * Compute, block storage and load balancing together (EKS refuses them apart). EKS itself makes
 * the node role's access entry (type EC2, AmazonEKSAutoNodePolicy). Its networking add-ons are
 * built in (no cluster installs the self-managed ones: BootstrapSelfManagedAddons is false).
 */
function autoModeSettings(spec: Spec): Record<string, unknown> {
  if (!spec.autoMode?.enabled) return {};
  return {
    ComputeConfig: { Enabled: true, NodePools: [...spec.autoMode.nodePools], NodeRoleArn: getAtt(AUTO_MODE_NODE_ROLE, 'Arn') },
    StorageConfig: { BlockStorage: { Enabled: true } },
    KubernetesNetworkConfig: { ElasticLoadBalancing: { Enabled: true } },
  };
}

/** The role EKS launches Auto Mode nodes with (the default NodeClass's, so also custom NodePools'). */
function autoModeNodeRole(template: TemplateBuilder): void {
  template.role(AUTO_MODE_NODE_ROLE, {
    AssumeRolePolicyDocument: trustPolicy('ec2.amazonaws.com', ['sts:AssumeRole']),
    ManagedPolicyArns: AUTO_MODE_NODE_POLICIES.map(awsManagedPolicy),
  });
}

export interface AutoModeTemplateInput extends StackTemplateInput {
  clusterName: string;
  stackName: string; // eksp-<cluster>-automode
}

/**
 * The node role of a cluster whose Auto Mode is switched on after it was made: its own stack, as
 * the Fargate stack holds the pod execution role of a cluster made without profiles. The cluster
 * role's Auto Mode policies are not here: CloudFormation attaches AWS managed policies only
 * through the role's own declaration, so they come with an update of the cluster stack
 * (withAutoModeClusterPolicies).
 */
export function renderAutoModeTemplate(input: AutoModeTemplateInput): CloudFormationTemplate {
  const template = new TemplateBuilder(input);
  autoModeNodeRole(template);
  template.output(AUTO_MODE_NODE_ROLE_OUTPUT, 'Role EKS Auto Mode launches nodes with', getAtt(AUTO_MODE_NODE_ROLE, 'Arn'));
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `EKS Auto Mode node role of EKS cluster "${input.clusterName}" made by eks-provisioner, for Auto Mode switched on after the cluster was made.`,
    Resources: template.resources,
    Outputs: template.outputs,
  };
}

/**
 * The cluster stack's current template with the Auto Mode policies on its cluster role
 * (ServiceRole), so the running cluster can be switched to Auto Mode; undefined when they are
 * already there or the template has no such role (not one the service rendered). Only that one
 * declaration changes: CloudFormation updates the role in place and touches nothing else.
 */
export function withAutoModeClusterPolicies(template: Record<string, unknown>): Record<string, unknown> | undefined {
  const resources = template.Resources as Record<string, CloudFormationResource> | undefined;
  const role = resources?.ServiceRole;
  const attached = role?.Type === 'AWS::IAM::Role' ? role.Properties?.ManagedPolicyArns : undefined;
  if (!resources || !role || !Array.isArray(attached)) return undefined;
  const has = (name: string) => attached.some((arn) => JSON.stringify(arn) === JSON.stringify(awsManagedPolicy(name)));
  const missing = AUTO_MODE_CLUSTER_POLICIES.filter((name) => !has(name));
  if (missing.length === 0) return undefined;
  const next = structuredClone(template) as { Resources: Record<string, CloudFormationResource> };
  const properties = next.Resources.ServiceRole?.Properties ?? {};
  properties.ManagedPolicyArns = [...attached, ...missing.map(awsManagedPolicy)];
  return next;
}

/**
 * Whether EKS makes the cluster's creator (the service's CloudFormation role) a standing admin.
 * Not in API modes: the service keeps no standing access there; access entries need only the EKS
 * API, and for an aws-auth write it grants itself an entry for that time (temporary-admin.ts).
 * CONFIG_MAP mode has no access entries, so EKS requires the creator's bootstrap admin there: it
 * is how the service writes aws-auth at all.
 */
export function bootstrapsCreatorAdmin(mode: Spec['authenticationMode']): boolean {
  return mode === 'CONFIG_MAP';
}

// ── Kube agent ───────────────────────────────────────────────────────────────────────────────
// The cluster's own Lambda function (functions/kube-agent/handler.ts) through which the service
// reaches the Kubernetes API from inside the VPC. It depends on nothing of the control plane, so
// CloudFormation makes it while the control plane is being created: off the critical path.

/** The kube agent's deployment package: an S3 object, as Lambda takes code. */
export interface KubeAgentCode {
  s3Bucket: string;
  s3Key: string;
}

/** How long the agent's log group keeps its lines. */
const KUBE_AGENT_LOG_RETENTION_DAYS = 30;

function renderKubeAgent(template: TemplateBuilder, input: ClusterTemplateInput, network: Network): void {
  const functionName = kubeAgentFunctionName(input.spec.name);
  template.role('KubeAgentRole', {
    AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com', ['sts:AssumeRole']),
    ManagedPolicyArns: KUBE_AGENT_POLICIES.map(awsManagedPolicy),
  });
  template.add('KubeAgentSecurityGroup', {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: { GroupDescription: 'The kube agent: reaches the Kubernetes API on 443', VpcId: network.vpc, Tags: template.tagsFor('KubeAgentSecurityGroup') },
  });
  // The private endpoint's interfaces carry ControlPlaneSecurityGroup: admit the agent there, on 443 only.
  template.add('ControlPlaneIngressFromKubeAgent', {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'Allow the kube agent to reach the Kubernetes API', GroupId: ref('ControlPlaneSecurityGroup'), SourceSecurityGroupId: ref('KubeAgentSecurityGroup') },
  });
  // Made here rather than by Lambda on first use, so deleting the stack leaves no log group behind.
  template.add('KubeAgentLogGroup', {
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: `/aws/lambda/${functionName}`, RetentionInDays: KUBE_AGENT_LOG_RETENTION_DAYS, Tags: template.tagsFor('KubeAgentLogGroup') },
  });
  template.add('KubeAgentFunction', {
    Type: 'AWS::Lambda::Function',
    DependsOn: 'KubeAgentLogGroup',
    Properties: {
      FunctionName: functionName,
      Description: `eks-provisioner's way to the Kubernetes API of ${input.spec.name} from inside its VPC`,
      Role: getAtt('KubeAgentRole', 'Arn'),
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      Code: { S3Bucket: input.kubeAgentCode.s3Bucket, S3Key: input.kubeAgentCode.s3Key },
      // The private subnets: they reach a private endpoint directly and a public one through the NAT gateways.
      VpcConfig: { SubnetIds: [...network.privateSubnets], SecurityGroupIds: [ref('KubeAgentSecurityGroup')] },
      LoggingConfig: { LogGroup: ref('KubeAgentLogGroup') },
      Tags: template.tagsFor('KubeAgentFunction'),
    },
  });
}

// ── Launch templates ─────────────────────────────────────────────────────────────────────────
// One per nodegroup, as eksctl makes: the only way to give managed nodes a gp3/io volume, IMDSv2
// and an SSH key together. With a launch template EKS adds no security group of its own, so the
// cluster's and the shared node group are listed here.

export function launchTemplateOutputName(nodegroup: Pick<NodegroupSpec, 'name'>): string {
  return `LaunchTemplate${logicalIdPart(nodegroup.name)}`;
}

/**
 * The instance type a nodegroup's launch template carries: its only one. Several types can only be
 * given to CreateNodegroup (a launch template holds one), and EKS refuses a type in both places.
 */
export function launchTemplateInstanceType(nodegroup: Pick<NodegroupSpec, 'instanceTypes'>): string | undefined {
  return nodegroup.instanceTypes.length === 1 ? nodegroup.instanceTypes[0] : undefined;
}

/** Bottlerocket boots from a small OS volume and keeps data (images, pods) on the second device. */
function dataDevice(amiType: string): string {
  return amiType.startsWith('BOTTLEROCKET') ? '/dev/xvdb' : '/dev/xvda';
}

/** Where a nodegroup's launch template finds the cluster's security groups and VPC: in the same stack, or imported from it. */
interface NodeNetwork {
  clusterSecurityGroup: unknown;
  sharedNodeSecurityGroup: unknown;
  vpc: unknown;
}

function renderLaunchTemplates(template: TemplateBuilder, spec: Spec): void {
  const network = { clusterSecurityGroup: clusterSecurityGroup(), sharedNodeSecurityGroup: ref('ClusterSharedNodeSecurityGroup'), vpc: getAtt('ClusterSharedNodeSecurityGroup', 'VpcId') };
  for (const nodegroup of spec.managedNodeGroups) {
    const id = renderLaunchTemplate(template, nodegroup, network);
    template.output(id, `Launch template of nodegroup ${nodegroup.name}`, ref(id));
  }
}

/** The nodegroup's launch template (and its SSH security group, when asked for); returns the template's logical id. */
function renderLaunchTemplate(template: TemplateBuilder, nodegroup: NodegroupSpec, network: NodeNetwork): string {
  const id = launchTemplateOutputName(nodegroup);
  const securityGroups: unknown[] = [network.clusterSecurityGroup, network.sharedNodeSecurityGroup];
  const sshSources = nodegroup.ssh?.sourceSecurityGroupIds ?? [];
  if (sshSources.length > 0) {
    const sshGroup = template.add(`SSH${logicalIdPart(nodegroup.name)}`, {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `SSH to nodegroup ${nodegroup.name} from the given security groups`,
        VpcId: network.vpc,
        SecurityGroupIngress: sshSources.map((source) => ({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, SourceSecurityGroupId: source, Description: `SSH from ${source}` })),
        Tags: template.tagsFor(`SSH${logicalIdPart(nodegroup.name)}`),
      },
    });
    securityGroups.push(ref(sshGroup));
  }
  const tags = template.tagsFor(id, { 'eks-provisioner:nodegroup': nodegroup.name });
  template.add(id, {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateData: {
        BlockDeviceMappings: [{ DeviceName: dataDevice(nodegroup.amiType), Ebs: { VolumeSize: nodegroup.volumeSize, VolumeType: nodegroup.volumeType, Encrypted: true } }],
        // IMDSv2 only; hop limit 2 so pods on the node network can still reach it, as eksctl sets.
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        SecurityGroupIds: securityGroups,
        ...(nodegroup.ssh ? { KeyName: nodegroup.ssh.publicKeyName } : {}),
        // One type lives here, not in CreateNodegroup: only then can a new template version change it (EKS takes one or the other).
        ...(launchTemplateInstanceType(nodegroup) ? { InstanceType: launchTemplateInstanceType(nodegroup) } : {}),
        TagSpecifications: ['instance', 'volume', 'network-interface'].map((ResourceType) => ({ ResourceType, Tags: tags })),
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }],
    },
  });
  return id;
}

// ── Workload identity ────────────────────────────────────────────────────────────────────────
// Roles for service accounts (EKS Pod Identity) that the spec asks the service to make, and the
// IAM OIDC provider IRSA needs. The associations themselves are made with the EKS API after the
// stack (create-pod-identity-associations.ts), like nodegroups.

type PodIdentityRoleSpec = Pick<PodIdentityAssociationSpec, 'namespace' | 'serviceAccountName'>;

/** The output holding the role made for an association: `PodIdentityRoleArn<ns/sa as a logical id part>`. */
export function podIdentityRoleOutputName(association: PodIdentityRoleSpec): string {
  return `PodIdentityRoleArn${logicalIdPart(`${association.namespace}/${association.serviceAccountName}`)}`;
}

/** The output holding the IAM OIDC provider's ARN (iam.withOIDC), and the provider's logical id, in the cluster stack or the OIDC stack. */
export const OIDC_PROVIDER_OUTPUT = 'OIDCProviderArn';
export const OIDC_PROVIDER = 'OIDCProvider';

function renderWorkloadIdentity(template: TemplateBuilder, spec: Spec, podRoleBoundaryArn: string): void {
  for (const association of spec.podIdentityAssociations) {
    if (hasServiceRole(association)) podIdentityRole(template, spec.name, association, podRoleBoundaryArn);
  }
  if (spec.iam?.withOIDC) oidcProvider(template, getAtt('ControlPlane', 'OpenIdConnectIssuerUrl'));
}

/** The IAM OIDC provider IRSA needs, for the cluster's issuer `url`, and the output of its ARN: the one declaration of both stacks that hold it. */
function oidcProvider(template: TemplateBuilder, url: unknown): void {
  template.add(OIDC_PROVIDER, {
    Type: 'AWS::IAM::OIDCProvider',
    // No ThumbprintList: IAM trusts the issuer's certificate through its own root CAs for EKS issuers.
    Properties: { Url: url, ClientIdList: ['sts.amazonaws.com'], Tags: template.tagsFor(OIDC_PROVIDER) },
  });
  // An OIDC provider's Ref is its ARN.
  template.output(OIDC_PROVIDER_OUTPUT, 'IAM OIDC identity provider of the cluster (IAM roles for service accounts)', ref(OIDC_PROVIDER));
}

export interface OidcTemplateInput extends StackTemplateInput {
  clusterName: string;
  stackName: string; // eksp-<cluster>-oidc
  /** The cluster's OIDC issuer as DescribeCluster reports it (identity.oidc.issuer). */
  issuerUrl: string;
}

/**
 * The IAM OIDC provider of a cluster whose iam.withOIDC is switched on after it was made, in a
 * stack of its own like eksctl's `associate-iam-oidc-provider`: the cluster stack is not touched.
 */
export function renderOidcTemplate(input: OidcTemplateInput): CloudFormationTemplate {
  const template = new TemplateBuilder(input);
  oidcProvider(template, input.issuerUrl);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `IAM OIDC identity provider of EKS cluster "${input.clusterName}" made by eks-provisioner, for IAM roles for service accounts switched on after the cluster was made.`,
    Resources: template.resources,
    Outputs: template.outputs,
  };
}

/**
 * The cluster stack's current template without its IAM OIDC provider and that provider's output,
 * so switching withOIDC off deletes it (CloudFormation deletes a resource removed by an update);
 * undefined when the template holds none. Nothing else in the template refers to the provider.
 */
export function withoutOidcProvider(template: Record<string, unknown>): Record<string, unknown> | undefined {
  const resources = template.Resources as Record<string, CloudFormationResource> | undefined;
  if (resources?.[OIDC_PROVIDER]?.Type !== 'AWS::IAM::OIDCProvider') return undefined;
  const next = structuredClone(template) as { Resources: Record<string, CloudFormationResource>; Outputs?: Record<string, unknown> };
  delete next.Resources[OIDC_PROVIDER];
  if (next.Outputs) delete next.Outputs[OIDC_PROVIDER_OUTPUT];
  return next;
}

/**
 * A role pods of one service account assume through EKS Pod Identity, with the association's
 * policies. Confused-deputy guard, as AWS recommends: only EKS acting for this account and this
 * cluster may assume it. Bounded by the pod role boundary, so what the allowedPodPolicyArns
 * guardrail lets it attach works (the node boundary would cap it to the nodes' services).
 */
function podIdentityRole(template: TemplateBuilder, clusterName: string, association: PodIdentityAssociationSpec, podRoleBoundaryArn: string): void {
  const output = podIdentityRoleOutputName(association);
  const logicalId = output.replace(/^PodIdentityRoleArn/, 'PodIdentityRole');
  template.role(logicalId, {
    AssumeRolePolicyDocument: trustPolicy(POD_IDENTITY_PRINCIPAL, ['sts:AssumeRole', 'sts:TagSession'], {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:eks:\${AWS::Region}:\${AWS::AccountId}:cluster/${clusterName}` } },
    }),
    ManagedPolicyArns: [...(association.permissionPolicyArns ?? [])],
  }, { path: POD_ROLE_PATH, boundaryArn: podRoleBoundaryArn });
  template.output(output, `Role of service account ${association.namespace}/${association.serviceAccountName} (EKS Pod Identity)`, getAtt(logicalId, 'Arn'));
}

export interface PodIdentityTemplateInput extends StackTemplateInput, PodRoleInput {
  clusterName: string;
  association: PodIdentityAssociationSpec;
  stackName: string; // eksp-<cluster>-podidentity-<ns>-<sa>-<hash>
}

/** The role of an association added after provisioning, in a stack of its own (the cluster stack is never updated for it). */
export function renderPodIdentityTemplate(input: PodIdentityTemplateInput): CloudFormationTemplate {
  const template = new TemplateBuilder(input);
  podIdentityRole(template, input.clusterName, input.association, input.podRoleBoundaryArn);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Pod Identity role of service account ${input.association.namespace}/${input.association.serviceAccountName} in EKS cluster "${input.clusterName}" made by eks-provisioner. The association itself is made with the EKS API.`,
    Resources: template.resources,
    Outputs: template.outputs,
  };
}

// ── Outputs ──────────────────────────────────────────────────────────────────────────────────

const joined = (items: unknown[]) => ({ 'Fn::Join': [',', items] });

function renderOutputs(template: TemplateBuilder, spec: Spec, network: Network): void {
  template.output('ClusterName', 'Name of the EKS cluster', ref('ControlPlane'));
  template.output('ClusterArn', 'ARN of the EKS cluster', getAtt('ControlPlane', 'Arn'));
  template.output('Endpoint', 'Kubernetes API server endpoint', getAtt('ControlPlane', 'Endpoint'));
  template.output('CertificateAuthorityData', 'Base64 certificate authority of the API server', getAtt('ControlPlane', 'CertificateAuthorityData'));
  template.output('ClusterSecurityGroupId', 'Security group EKS made for the cluster (managed nodes and Fargate pods join it)', clusterSecurityGroup());
  template.output('ServiceRoleArn', 'Role the EKS control plane uses', getAtt('ServiceRole', 'Arn'));
  template.output('NodeInstanceRoleArn', 'Node role shared by nodegroups without their own IAM extras', getAtt('NodeInstanceRole', 'Arn'));
  template.output('SecurityGroup', 'Control plane security group', ref('ControlPlaneSecurityGroup'));
  template.output('ClusterSharedNodeSecurityGroup', 'Security group shared by all nodes', ref('ClusterSharedNodeSecurityGroup'));
  template.output('SubnetsPrivate', 'Private subnets, comma-separated', joined(network.privateSubnets));
  // CloudFormation refuses to export an empty value, and existing VPCs may have no public subnets.
  if (network.publicSubnets.length > 0) template.output('SubnetsPublic', 'Public subnets, comma-separated', joined(network.publicSubnets));
  template.output('VPC', 'VPC of the cluster', network.vpc);
  template.output('KubeAgentFunctionName', 'The kube agent: the Lambda function in the VPC the service reaches the Kubernetes API through', ref('KubeAgentFunction'));
  if (network.natPublicIps.length > 0) template.output('NatPublicIps', "The NAT gateways' public addresses (what private subnets reach the internet from), comma-separated", joined(network.natPublicIps));
  if (autoModeOn(spec)) template.output(AUTO_MODE_NODE_ROLE_OUTPUT, 'Role EKS Auto Mode launches nodes with', getAtt(AUTO_MODE_NODE_ROLE, 'Arn'));
  if (spec.fargateProfiles.length > 0) {
    template.output('FargatePodExecutionRoleArn', 'Pod execution role for the Fargate profiles', getAtt('FargatePodExecutionRole', 'Arn'));
  }
  for (const nodegroup of spec.managedNodeGroups) {
    if (!hasOwnRole(nodegroup)) continue;
    template.output(nodeRoleOutputName(nodegroup), `Node role of nodegroup ${nodegroup.name}`, getAtt(`NodeInstanceRole${logicalIdPart(nodegroup.name)}`, 'Arn'));
  }
}

// ── Logical ids ──────────────────────────────────────────────────────────────────────────────

/**
 * A logical-id fragment for a user-chosen name: PascalCase for readers, plus a hash of the exact
 * name whenever PascalCase lost something ("ng-1", "ng_1" and "ng1" are distinct nodegroups).
 * Depends on the name alone, so nodeRoleOutputName agrees with the template without seeing it.
 */
function logicalIdPart(name: string): string {
  const pascal = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
  return pascal === name ? pascal : `${pascal}${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}
