/**
 * A self-managed nodegroup's stack `eksp-<cluster>-nodegroup-<ng>`, modelled on the stack eksctl
 * makes for `nodeGroups[]` (pkg/cfn/builder/nodegroup.go): a node role and its instance profile,
 * a security group with the control plane rules, a launch template whose user data joins the
 * cluster with nodeadm (Amazon Linux 2023), and the Auto Scaling group that runs the instances.
 * EKS knows nothing of these nodes: they join because their role is admitted (an EC2_LINUX access
 * entry or an aws-auth mapping, made by the Check step once the stack is complete).
 *
 * The cluster's name, endpoint, CA and service CIDR are rendered into the user data (nodeadm
 * needs them before it can ask anything), as is the AMI the Create step resolved: the same inputs
 * render the same template, so a retried step re-submits it byte for byte.
 */
import { clusterStackName, exportName } from './naming';
import { nodeRole, ROLE_PATH, TemplateBuilder, type CloudFormationTemplate, type StackTemplateInput } from './cluster-template';
import type { SelfManagedNodegroupSpec } from './spec';

/** What nodeadm's NodeConfig needs of the cluster: DescribeCluster's name, endpoint, CA and service CIDR. */
export interface NodeadmCluster {
  name: string;
  apiServerEndpoint: string;
  /** Base64 PEM, as DescribeCluster's certificateAuthority.data. */
  certificateAuthority: string;
  /** The Kubernetes service CIDR (kubernetesNetworkConfig.serviceIpv4Cidr), from which nodeadm derives the cluster DNS address. */
  cidr: string;
}

export interface SelfManagedNodegroupTemplateInput extends StackTemplateInput {
  nodegroup: SelfManagedNodegroupSpec;
  stackName: string; // eksp-<cluster>-nodegroup-<ng>
  cluster: NodeadmCluster;
  /** The AMI the instances boot: the spec's, or the EKS optimized AL2023 one resolved from SSM. */
  imageId: string;
}

/** The label every node of a self-managed nodegroup carries (kubelet --node-labels), naming its nodegroup. */
export const SELF_MANAGED_NODEGROUP_LABEL = 'eks-provisioner/nodegroup';

/** Outputs of a self-managed nodegroup stack: the Check step admits the node role, kubectl users find the group. */
/** The logical ids of the resources day-2 changes edit in the stack's template (self-managed-change.ts). */
export const SELF_MANAGED_LOGICAL_IDS = { launchTemplate: 'NodeGroupLaunchTemplate', autoScalingGroup: 'NodeGroup' } as const;

export const SELF_MANAGED_STACK_OUTPUTS = { nodeRole: 'NodeInstanceRoleArn', autoScalingGroup: 'AutoScalingGroupName', instanceProfile: 'InstanceProfileArn' } as const;

/** Graviton families carry a "g" after the generation digit (m6g, c7gn, t4g): their AMI is arm64. */
export function selfManagedArchitecture(nodegroup: Pick<SelfManagedNodegroupSpec, 'instanceTypes'>): 'x86_64' | 'arm64' {
  return /^[a-z]+\d+g[a-z]*\./.test(nodegroup.instanceTypes[0] ?? '') ? 'arm64' : 'x86_64';
}

/** The public SSM parameter holding the recommended EKS optimized AL2023 AMI of a Kubernetes version and architecture. */
export function eksOptimizedAmiParameter(kubernetesVersion: string, architecture: 'x86_64' | 'arm64'): string {
  return `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${architecture}/standard/recommended/image_id`;
}

/** Several types, Spot, or an explicit distribution: the group needs a MixedInstancesPolicy (a launch template holds one type). */
export function usesMixedInstances(nodegroup: Pick<SelfManagedNodegroupSpec, 'instanceTypes' | 'spot' | 'instancesDistribution'>): boolean {
  return nodegroup.instanceTypes.length > 1 || nodegroup.spot || nodegroup.instancesDistribution !== undefined;
}

const MIME_BOUNDARY = '//';

/**
 * The instances' user data: a MIME multi-part document with one part nodeadm reads
 * (application/node.eks.aws), a NodeConfig naming the cluster, plus the kubelet flags that put
 * the nodegroup's labels and taints on the node as it registers (EKS does this for managed
 * nodegroups; here nobody else would).
 */
export function nodeadmUserData(cluster: NodeadmCluster, nodegroup: Pick<SelfManagedNodegroupSpec, 'name' | 'labels' | 'taints'>): string {
  const labels: Record<string, string> = { [SELF_MANAGED_NODEGROUP_LABEL]: nodegroup.name, ...nodegroup.labels };
  const labelFlag = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
  const taintFlag = nodegroup.taints.map((t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`).join(',');
  const flags = [`--node-labels=${labelFlag}`, ...(taintFlag ? [`--register-with-taints=${taintFlag}`] : [])];
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
    '',
    `--${MIME_BOUNDARY}`,
    'Content-Type: application/node.eks.aws',
    '',
    '---',
    'apiVersion: node.eks.aws/v1alpha1',
    'kind: NodeConfig',
    'spec:',
    '  cluster:',
    `    name: ${cluster.name}`,
    `    apiServerEndpoint: ${cluster.apiServerEndpoint}`,
    `    certificateAuthority: ${cluster.certificateAuthority}`,
    `    cidr: ${cluster.cidr}`,
    '  kubelet:',
    '    flags:',
    ...flags.map((flag) => `      - ${JSON.stringify(flag)}`),
    '',
    `--${MIME_BOUNDARY}--`,
    '',
  ].join('\n');
}

const ref = (logicalId: string) => ({ Ref: logicalId });
const getAtt = (logicalId: string, attribute: string) => ({ 'Fn::GetAtt': [logicalId, attribute] });

export function renderSelfManagedNodegroupTemplate(input: SelfManagedNodegroupTemplateInput): CloudFormationTemplate {
  const { nodegroup, cluster } = input;
  const template = new TemplateBuilder(input);
  const imported = (output: string) => ({ 'Fn::ImportValue': exportName(clusterStackName(cluster.name), output) });

  nodeRole(template, 'NodeInstanceRole', nodegroup.iam?.additionalPolicyArns ?? [], nodegroup.iam?.externalDNS ?? false);
  template.add('NodeInstanceProfile', { Type: 'AWS::IAM::InstanceProfile', Properties: { Path: ROLE_PATH, Roles: [ref('NodeInstanceRole')] } });

  // eksctl's per-nodegroup group: the control plane reaches kubelets and extension API servers
  // (1025-65535) and webhooks on 443; the nodes reach the API server on 443.
  template.add('SG', {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: { GroupDescription: `Communication between the control plane and worker nodes in group ${nodegroup.name}`, VpcId: imported('VPC'), Tags: template.tagsFor('SG', { [`kubernetes.io/cluster/${cluster.name}`]: 'owned' }) },
  });
  const controlPlane = imported('SecurityGroup');
  const rule = (id: string, type: 'Ingress' | 'Egress', properties: Record<string, unknown>) => template.add(id, { Type: `AWS::EC2::SecurityGroup${type}`, Properties: { IpProtocol: 'tcp', ...properties } });
  rule('IngressInterCluster', 'Ingress', { Description: `Allow worker nodes in group ${nodegroup.name} to communicate with control plane (kubelet and workload TCP ports)`, FromPort: 1025, ToPort: 65535, GroupId: ref('SG'), SourceSecurityGroupId: controlPlane });
  rule('IngressInterClusterAPI', 'Ingress', { Description: `Allow worker nodes in group ${nodegroup.name} to communicate with control plane (workloads using HTTPS port, commonly used with extension API servers)`, FromPort: 443, ToPort: 443, GroupId: ref('SG'), SourceSecurityGroupId: controlPlane });
  rule('IngressInterClusterCP', 'Ingress', { Description: 'Allow control plane to receive API requests from worker nodes in group ' + nodegroup.name, FromPort: 443, ToPort: 443, GroupId: controlPlane, SourceSecurityGroupId: ref('SG') });
  rule('EgressInterCluster', 'Egress', { Description: `Allow control plane to communicate with worker nodes in group ${nodegroup.name} (kubelet and workload TCP ports)`, FromPort: 1025, ToPort: 65535, GroupId: controlPlane, DestinationSecurityGroupId: ref('SG') });
  rule('EgressInterClusterAPI', 'Egress', { Description: `Allow control plane to communicate with worker nodes in group ${nodegroup.name} (workloads using HTTPS port, commonly used with extension API servers)`, FromPort: 443, ToPort: 443, GroupId: controlPlane, DestinationSecurityGroupId: ref('SG') });

  const securityGroups: unknown[] = [imported('ClusterSecurityGroupId'), imported('ClusterSharedNodeSecurityGroup'), ref('SG')];
  const sshSources = nodegroup.ssh?.sourceSecurityGroupIds ?? [];
  if (sshSources.length > 0) {
    template.add('SSH', {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `SSH to nodegroup ${nodegroup.name} from the given security groups`,
        VpcId: imported('VPC'),
        SecurityGroupIngress: sshSources.map((source) => ({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, SourceSecurityGroupId: source, Description: `SSH from ${source}` })),
        Tags: template.tagsFor('SSH'),
      },
    });
    securityGroups.push(ref('SSH'));
  }

  const mixed = usesMixedInstances(nodegroup);
  const instanceTags = template.tagsFor('NodeGroup', { Name: `${cluster.name}-${nodegroup.name}-Node`, [`kubernetes.io/cluster/${cluster.name}`]: 'owned', 'eks-provisioner:nodegroup': nodegroup.name });
  template.add(SELF_MANAGED_LOGICAL_IDS.launchTemplate, {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateData: {
        ImageId: input.imageId,
        // With a MixedInstancesPolicy the overrides name the types; a launch template holds one.
        ...(mixed ? {} : { InstanceType: nodegroup.instanceTypes[0] }),
        IamInstanceProfile: { Arn: getAtt('NodeInstanceProfile', 'Arn') },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: nodegroup.volumeSize, VolumeType: nodegroup.volumeType, ...provisionedIops(nodegroup.volumeType), Encrypted: true } }],
        // IMDSv2 only; hop limit 2 so pods on the node network can still reach it, as eksctl sets.
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        SecurityGroupIds: securityGroups,
        ...(nodegroup.ssh ? { KeyName: nodegroup.ssh.publicKeyName } : {}),
        UserData: { 'Fn::Base64': nodeadmUserData(cluster, nodegroup) },
        TagSpecifications: ['volume', 'network-interface'].map((ResourceType) => ({ ResourceType, Tags: template.tagsFor('NodeGroupLaunchTemplate', { 'eks-provisioner:nodegroup': nodegroup.name }) })),
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: template.tagsFor('NodeGroupLaunchTemplate', { 'eks-provisioner:nodegroup': nodegroup.name }) }],
    },
  });

  const launchTemplate = { LaunchTemplateId: ref(SELF_MANAGED_LOGICAL_IDS.launchTemplate), Version: getAtt(SELF_MANAGED_LOGICAL_IDS.launchTemplate, 'LatestVersionNumber') };
  const subnets = nodegroup.subnets ?? { 'Fn::Split': [',', imported(nodegroup.privateNetworking ? 'SubnetsPrivate' : 'SubnetsPublic')] };
  template.add(SELF_MANAGED_LOGICAL_IDS.autoScalingGroup, {
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    Properties: {
      MinSize: String(nodegroup.minSize),
      MaxSize: String(nodegroup.maxSize),
      DesiredCapacity: String(nodegroup.desiredSize),
      VPCZoneIdentifier: subnets,
      ...(mixed ? { MixedInstancesPolicy: mixedInstancesPolicy(nodegroup, launchTemplate) } : { LaunchTemplate: launchTemplate }),
      // Every tag goes on the instances too: the cluster tag is how the cloud provider and the
      // cluster autoscaler find the nodes, Name how people do.
      Tags: instanceTags.map((tag) => ({ ...tag, PropagateAtLaunch: true })),
    },
  });

  template.output(SELF_MANAGED_STACK_OUTPUTS.nodeRole, `Node role of nodegroup ${nodegroup.name}: admitted to the cluster as EC2_LINUX`, getAtt('NodeInstanceRole', 'Arn'));
  template.output(SELF_MANAGED_STACK_OUTPUTS.instanceProfile, `Instance profile of nodegroup ${nodegroup.name}`, getAtt('NodeInstanceProfile', 'Arn'));
  template.output(SELF_MANAGED_STACK_OUTPUTS.autoScalingGroup, `Auto Scaling group of nodegroup ${nodegroup.name}`, ref(SELF_MANAGED_LOGICAL_IDS.autoScalingGroup));
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Self-managed nodegroup "${nodegroup.name}" of EKS cluster "${cluster.name}" made by eks-provisioner: node role, instance profile, security group, launch template (Amazon Linux 2023, nodeadm) and Auto Scaling group.`,
    Resources: template.resources,
    Outputs: template.outputs,
  };
}

/** io1 and io2 volumes must say their IOPS (EC2 and CloudFormation require it); 3000 is gp3's baseline, so a node's disk is no slower than the default's. */
function provisionedIops(volumeType: SelfManagedNodegroupSpec['volumeType']): { Iops?: number } {
  return volumeType === 'io1' || volumeType === 'io2' ? { Iops: 3000 } : {};
}

/**
 * eksctl's instancesDistribution as Auto Scaling takes it: `spot` is every instance Spot
 * (capacity-optimized), no distribution is every instance On-Demand over the types in order.
 */
function mixedInstancesPolicy(nodegroup: SelfManagedNodegroupSpec, launchTemplate: unknown): Record<string, unknown> {
  const distribution = nodegroup.instancesDistribution ?? { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: nodegroup.spot ? 0 : 100, spotAllocationStrategy: 'capacity-optimized' };
  return {
    LaunchTemplate: { LaunchTemplateSpecification: launchTemplate, Overrides: nodegroup.instanceTypes.map((InstanceType) => ({ InstanceType })) },
    InstancesDistribution: {
      OnDemandAllocationStrategy: 'prioritized',
      OnDemandBaseCapacity: distribution.onDemandBaseCapacity,
      OnDemandPercentageAboveBaseCapacity: distribution.onDemandPercentageAboveBaseCapacity,
      SpotAllocationStrategy: distribution.spotAllocationStrategy,
    },
  };
}
