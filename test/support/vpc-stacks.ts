/**
 * CloudFormation templates for the emulator's in-VPC tests: a VPC whose private subnets leave for
 * the internet through a NAT gateway, and the kube agent's resources as the cluster template
 * declares them (role, security group, the control plane's 443 ingress from it, log group, the
 * VPC function), deployed through the local CloudFormation API.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, type Capability, type Stack } from '@aws-sdk/client-cloudformation';
import { until } from './until';

/** The bucket and key the tests register stand-in code for. */
export const AGENT_CODE = { s3Bucket: 'eksp-local-assets', s3Key: 'kube-agent/index.zip' };

export const NETWORK_TEMPLATE = {
  Resources: {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    PublicSubnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1a', MapPublicIpOnLaunch: true } },
    PrivateSubnetA: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' } },
    PrivateSubnetB: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' } },
    Gateway: { Type: 'AWS::EC2::InternetGateway' },
    Attachment: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: { Ref: 'Vpc' }, InternetGatewayId: { Ref: 'Gateway' } } },
    PublicRoutes: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
    PublicDefault: { Type: 'AWS::EC2::Route', DependsOn: 'Attachment', Properties: { RouteTableId: { Ref: 'PublicRoutes' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Gateway' } } },
    PublicAssociation: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: { Ref: 'PublicSubnet' }, RouteTableId: { Ref: 'PublicRoutes' } } },
    NatAddress: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
    Nat: { Type: 'AWS::EC2::NatGateway', Properties: { AllocationId: { 'Fn::GetAtt': ['NatAddress', 'AllocationId'] }, SubnetId: { Ref: 'PublicSubnet' } } },
    PrivateRoutes: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
    PrivateDefault: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: { Ref: 'PrivateRoutes' }, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: 'Nat' } } },
    PrivateAssociationA: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: { Ref: 'PrivateSubnetA' }, RouteTableId: { Ref: 'PrivateRoutes' } } },
    PrivateAssociationB: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: { Ref: 'PrivateSubnetB' }, RouteTableId: { Ref: 'PrivateRoutes' } } },
  },
  Outputs: {
    VpcId: { Value: { Ref: 'Vpc' } },
    PrivateSubnets: { Value: { 'Fn::Join': [',', [{ Ref: 'PrivateSubnetA' }, { Ref: 'PrivateSubnetB' }]] } },
    PublicSubnet: { Value: { Ref: 'PublicSubnet' } },
    NatIp: { Value: { Ref: 'NatAddress' } },
  },
};

export interface AgentStackOptions {
  functionName: string;
  vpcId: string;
  subnetIds: string[];
  /** The security group the agent's 443 ingress goes on; absent: no ingress rule at all. */
  controlPlaneSecurityGroupId?: string;
  code?: { s3Bucket: string; s3Key: string };
}

/** The kube agent's five resources (six with the ingress rule), in the cluster template's shapes. */
export function agentTemplate(options: AgentStackOptions): Record<string, unknown> {
  const code = options.code ?? AGENT_CODE;
  return {
    Resources: {
      KubeAgentRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
          Tags: [{ Key: 'eksp:cluster', Value: options.functionName }],
        },
      },
      KubeAgentSecurityGroup: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'kube agent', VpcId: options.vpcId, Tags: [{ Key: 'eksp:cluster', Value: options.functionName }] } },
      ...(options.controlPlaneSecurityGroupId
        ? {
            ControlPlaneIngressFromKubeAgent: {
              Type: 'AWS::EC2::SecurityGroupIngress',
              Properties: { GroupId: options.controlPlaneSecurityGroupId, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { Ref: 'KubeAgentSecurityGroup' }, Description: 'kube agent to the API server' },
            },
          }
        : {}),
      KubeAgentLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: `/aws/lambda/${options.functionName}`, RetentionInDays: 30 } },
      KubeAgentFunction: {
        Type: 'AWS::Lambda::Function',
        DependsOn: 'KubeAgentLogGroup',
        Properties: {
          FunctionName: options.functionName,
          Role: { 'Fn::GetAtt': ['KubeAgentRole', 'Arn'] },
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Architectures: ['arm64'],
          MemorySize: 256,
          Timeout: 30,
          Code: { S3Bucket: code.s3Bucket, S3Key: code.s3Key },
          VpcConfig: { SubnetIds: options.subnetIds, SecurityGroupIds: [{ Ref: 'KubeAgentSecurityGroup' }] },
          LoggingConfig: { LogGroup: { Ref: 'KubeAgentLogGroup' } },
          Tags: [{ Key: 'eksp:cluster', Value: options.functionName }],
        },
      },
    },
    Outputs: { FunctionArn: { Value: { 'Fn::GetAtt': ['KubeAgentFunction', 'Arn'] } }, LogGroupArn: { Value: { 'Fn::GetAtt': ['KubeAgentLogGroup', 'Arn'] } } },
  };
}

/** Creates the stack and waits for it to leave CREATE_IN_PROGRESS (a template naming its IAM resources needs CAPABILITY_NAMED_IAM). */
export async function deployStack(client: CloudFormationClient, stackName: string, template: object, timeoutMs = 20_000, capabilities: Capability[] = ['CAPABILITY_IAM']): Promise<Stack> {
  await client.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template), Capabilities: capabilities }));
  return until(
    async () => (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0]!,
    (stack) => stack.StackStatus !== 'CREATE_IN_PROGRESS',
    `stack ${stackName} created`,
    timeoutMs,
  );
}

export function outputOf(stack: Stack, key: string): string {
  const value = stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  if (value === undefined) throw new Error(`stack ${stack.StackName} has no output ${key}`);
  return value;
}
