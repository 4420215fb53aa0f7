/**
 * awsServiceReachable: whether a subnet's routes (an internet gateway from public addresses, a
 * public NAT gateway) or its VPC's endpoints (interface with private DNS, gateway on its route
 * table) lead to an AWS service, over a network CloudFormation built in the emulator.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { awsServiceReachable, createEc2Service, seedDefaultNetwork } from '../../local/emulator/services/ec2';
import { createVpcEndpoint, deleteVpcEndpoint } from '../../local/emulator/services/ec2/vpc-endpoints';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { until } from '../support/until';

const SCALE = 0.001;
const STACK = 'reach';

let emulator: RunningEmulator;
let world: World;
let ids: Record<string, string>;

const ref = (id: string) => ({ Ref: id });
const subnet = (cidr: string, zone: string, mapPublicIp = false) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: ref('VPC'), CidrBlock: cidr, AvailabilityZone: `us-east-1${zone}`, MapPublicIpOnLaunch: mapPublicIp } });
const table = () => ({ Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('VPC') } });
const associate = (tableId: string, subnetId: string) => ({ Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { RouteTableId: ref(tableId), SubnetId: ref(subnetId) } });

/** Public subnets (with and without public IPs) on the internet gateway, a private one behind a NAT gateway, an isolated one, and one with no table. */
const NETWORK = {
  AWSTemplateFormatVersion: '2010-09-09',
  Resources: {
    VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.60.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true } },
    Gateway: { Type: 'AWS::EC2::InternetGateway' },
    Attachment: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: ref('VPC'), InternetGatewayId: ref('Gateway') } },
    PublicTable: table(),
    PublicRoute: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: ref('PublicTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('Gateway') }, DependsOn: 'Attachment' },
    Public: subnet('10.60.0.0/20', 'a', true),
    PublicAssociation: associate('PublicTable', 'Public'),
    PublicNoAddresses: subnet('10.60.16.0/20', 'b'),
    PublicNoAddressesAssociation: associate('PublicTable', 'PublicNoAddresses'),
    NatAddress: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' }, DependsOn: 'Attachment' },
    Nat: { Type: 'AWS::EC2::NatGateway', Properties: { AllocationId: { 'Fn::GetAtt': ['NatAddress', 'AllocationId'] }, SubnetId: ref('Public') } },
    PrivateTable: table(),
    PrivateRoute: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: ref('PrivateTable'), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref('Nat') } },
    Private: subnet('10.60.32.0/20', 'a'),
    PrivateAssociation: associate('PrivateTable', 'Private'),
    IsolatedTable: table(),
    Isolated: subnet('10.60.48.0/20', 'a'),
    IsolatedAssociation: associate('IsolatedTable', 'Isolated'),
    OtherTable: table(),
  },
};

beforeAll(async () => {
  world = new World({ timeScale: SCALE, seed: 5 });
  emulator = await startEmulator({ timeScale: SCALE, services: [createCloudFormationService(world), createEc2Service(world)] }, world);
  const cloudFormation = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  await cloudFormation.send(new CreateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(NETWORK) }));
  const stack = await until(() => cloudFormation.send(new DescribeStacksCommand({ StackName: STACK })).then((r) => r.Stacks![0]!), (s) => !s.StackStatus?.endsWith('_IN_PROGRESS'), 'network stack', 30_000);
  expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  const { StackResources } = await cloudFormation.send(new DescribeStackResourcesCommand({ StackName: STACK }));
  ids = Object.fromEntries((StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  cloudFormation.destroy();
}, 60_000);

afterAll(async () => {
  emulator.server.closeAllConnections();
  await emulator.close();
});

describe('awsServiceReachable', () => {
  it.each<[string, string, boolean]>([
    ['a public subnet (internet gateway, public addresses)', 'Public', true],
    ['a subnet routed to the internet gateway without public addresses', 'PublicNoAddresses', false],
    ['a private subnet behind a NAT gateway in a public subnet', 'Private', true],
    ['an isolated subnet (no default route, no endpoint)', 'Isolated', false],
  ])('%s (%s)', (_, logicalId, expected) => {
    expect(awsServiceReachable(world, ids[logicalId]!, 'sqs')).toBe(expected);
    expect(awsServiceReachable(world, ids[logicalId]!, 'com.amazonaws.us-east-1.sqs')).toBe(expected);
  });

  it('answers true for the default VPC’s subnets (its main route table leads to its internet gateway) and false for an unknown subnet', () => {
    const defaults = seedDefaultNetwork(world);

    expect(awsServiceReachable(world, defaults.subnets[0]!.subnetId, 'ec2')).toBe(true);
    expect(awsServiceReachable(world, 'subnet-0000000000000000', 'ec2')).toBe(false);
  });

  it('reaches a service from an isolated subnet through an interface endpoint with private DNS, and only that service', () => {
    const vpcId = ids.VPC!;
    const withDns = createVpcEndpoint(world, { vpcId, serviceName: 'com.amazonaws.us-east-1.sqs', type: 'Interface', subnetIds: [ids.Isolated!], privateDnsEnabled: true });
    const withoutDns = createVpcEndpoint(world, { vpcId, serviceName: 'com.amazonaws.us-east-1.sns', type: 'Interface', subnetIds: [ids.Isolated!] });
    try {
      expect(awsServiceReachable(world, ids.Isolated!, 'sqs')).toBe(true);
      // Without private DNS, sns.us-east-1.amazonaws.com still resolves to the public endpoint, out of reach.
      expect(awsServiceReachable(world, ids.Isolated!, 'sns')).toBe(false);
      expect(awsServiceReachable(world, ids.Isolated!, 'ec2')).toBe(false);
    } finally {
      deleteVpcEndpoint(world, withDns.id);
      deleteVpcEndpoint(world, withoutDns.id);
    }
    expect(awsServiceReachable(world, ids.Isolated!, 'sqs')).toBe(false);
  });

  it('reaches S3 through a gateway endpoint only from subnets whose route table it is on', () => {
    const onIsolated = createVpcEndpoint(world, { vpcId: ids.VPC!, serviceName: 'com.amazonaws.us-east-1.s3', type: 'Gateway', routeTableIds: [ids.IsolatedTable!] });
    try {
      expect(awsServiceReachable(world, ids.Isolated!, 's3')).toBe(true);
      expect(awsServiceReachable(world, ids.PublicNoAddresses!, 's3')).toBe(false);
      expect(awsServiceReachable(world, ids.Isolated!, 'dynamodb')).toBe(false);
    } finally {
      deleteVpcEndpoint(world, onIsolated.id);
    }
    const elsewhere = createVpcEndpoint(world, { vpcId: ids.VPC!, serviceName: 'com.amazonaws.us-east-1.s3', type: 'Gateway', routeTableIds: [ids.OtherTable!] });
    expect(awsServiceReachable(world, ids.Isolated!, 's3')).toBe(false);
    deleteVpcEndpoint(world, elsewhere.id);
  });
});
