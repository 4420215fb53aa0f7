/**
 * VPC endpoints in the emulator: a fully private cluster's stack (no NAT gateway, private-only
 * endpoint) deploys its interface and gateway endpoints; EC2 describes them (DescribeVpcEndpoints,
 * their requester-managed interfaces) as AWS does, to a signed query and to the AWS CLI; they
 * survive a save and restore and go with the stack. awsServiceReachable answers, for a subnet,
 * whether its routes or its VPC's endpoints lead to an AWS service.
 */
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStackResourcesCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { renderClusterTemplate } from '../../functions/domain/cluster-template';
import { PERMISSIONS_BOUNDARY_DOCUMENT } from '../../functions/domain/permissions-boundary';
import { INTERFACE_ENDPOINT_SERVICES } from '../../functions/domain/vpc-endpoints';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { awsServiceReachable, createEc2Service } from '../../local/emulator/services/ec2';
import { vpcEndpoints } from '../../local/emulator/services/ec2/vpc-endpoints';
import { createEksService } from '../../local/emulator/services/eks';
import { createIamService } from '../../local/emulator/services/iam';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { awsCli } from '../support/aws-tools';
import { ec2Call, filters, items, type Xml } from '../support/ec2-query';
import { PERMISSIONS_BOUNDARY_ARN } from '../support/fake-aws';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';
import { clusterTemplateInput } from '../unit/domain/cluster-template-inputs';

const SCALE = 0.001;
const SERVICE = (name: string) => `com.amazonaws.us-east-1.${name}`;

let emulator: RunningEmulator;
let world: World;
let cloudFormation: CloudFormationClient;

const call = (params: Record<string, string>) => ec2Call(emulator.url, params);
const stackOf = (name: string) => cloudFormation.send(new DescribeStacksCommand({ StackName: name })).then((r) => r.Stacks![0]!);

async function deploy(stackName: string, template: unknown): Promise<Stack> {
  await cloudFormation.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template), Capabilities: ['CAPABILITY_NAMED_IAM'] }));
  return until(() => stackOf(stackName), (s) => !s.StackStatus?.endsWith('_IN_PROGRESS'), `stack ${stackName} settled`, 30_000);
}

/** Physical ids of the stack's resources by logical id. */
async function physicalIds(stackName: string): Promise<Record<string, string>> {
  const { StackResources } = await cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  return Object.fromEntries((StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
}

beforeAll(async () => {
  world = new World({ timeScale: SCALE, seed: 11 });
  const eksService = createEksService(world, { baseUrl: () => emulator.url });
  world.eks = eksService.state;
  emulator = await startEmulator({ timeScale: SCALE, services: [createCloudFormationService(world), eksService, createEc2Service(world), createStsService(world), createIamService(world)] }, world);
  world.iam.policies.set(PERMISSIONS_BOUNDARY_ARN, { arn: PERMISSIONS_BOUNDARY_ARN, document: PERMISSIONS_BOUNDARY_DOCUMENT });
  cloudFormation = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  cloudFormation?.destroy();
  emulator.server.closeAllConnections();
  await emulator.close();
});

describe('a fully private cluster stack', () => {
  const input = clusterTemplateInput({ name: 'sealed', network: { vpc: { cidr: '10.40.0.0/16', azCount: 2, natGateway: 'Disable' } }, endpointAccess: { public: false, private: true } });
  let ids: Record<string, string>;
  let vpcId: string;
  let privateSubnets: string[];

  beforeAll(async () => {
    const stack = await deploy(input.stackName, renderClusterTemplate(input));
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    ids = await physicalIds(input.stackName);
    vpcId = ids.VPC!;
    privateSubnets = [ids.SubnetPrivate1!, ids.SubnetPrivate2!];
  }, 60_000);

  it('makes an interface endpoint per service in the private subnets and the S3 gateway endpoint on their route tables', async () => {
    const { status, xml } = await call({ Action: 'DescribeVpcEndpoints', ...filters(['vpc-id', vpcId]) });

    expect(status).toBe(200);
    const endpoints = items(xml, 'DescribeVpcEndpoints', 'vpcEndpointSet');
    expect(endpoints.map((e) => e.serviceName).sort()).toEqual([...INTERFACE_ENDPOINT_SERVICES, 's3'].map(SERVICE).sort());
    const ec2 = endpoints.find((e) => e.serviceName === SERVICE('ec2'))!;
    expect(ec2).toMatchObject({ vpcEndpointId: ids.VPCEndpointEC2, vpcEndpointType: 'Interface', vpcId, state: 'available', privateDnsEnabled: 'true', requesterManaged: 'false', ownerId: world.account });
    expect(ec2.subnetIdSet.item.sort()).toEqual([...privateSubnets].sort());
    expect(ec2.groupSet.item).toEqual([expect.objectContaining({ groupId: ids.VPCEndpointSecurityGroup })]);
    expect(ec2.networkInterfaceIdSet.item).toHaveLength(2);
    const names = ec2.dnsEntrySet.item.map((entry: Xml) => entry.dnsName);
    expect(names[0]).toMatch(new RegExp(`^${ids.VPCEndpointEC2}-[a-z0-9]+\\.ec2\\.us-east-1\\.vpce\\.amazonaws\\.com$`));
    expect(names).toContain('ec2.us-east-1.amazonaws.com');
    const s3 = endpoints.find((e) => e.serviceName === SERVICE('s3'))!;
    expect(s3).toMatchObject({ vpcEndpointId: ids.VPCEndpointS3, vpcEndpointType: 'Gateway' });
    expect(s3.routeTableIdSet.item.sort()).toEqual([ids.PrivateRouteTable1, ids.PrivateRouteTable2].sort());
    expect(s3.networkInterfaceIdSet ?? '').toBe('');
    expect(JSON.parse(s3.policyDocument)).toMatchObject({ Statement: [{ Effect: 'Allow', Action: '*' }] });
  });

  it('filters by service name and endpoint type, and names unknown ids as EC2 does', async () => {
    const [byService, byType, unknown] = await Promise.all([
      call({ Action: 'DescribeVpcEndpoints', ...filters(['service-name', SERVICE('ecr.dkr'), SERVICE('sts')]) }),
      call({ Action: 'DescribeVpcEndpoints', ...filters(['vpc-endpoint-type', 'Gateway'], ['vpc-id', vpcId]) }),
      call({ Action: 'DescribeVpcEndpoints', 'VpcEndpointId.1': 'vpce-0000000000000000' }),
    ]);

    expect(items(byService.xml, 'DescribeVpcEndpoints', 'vpcEndpointSet').map((e) => e.vpcEndpointId).sort()).toEqual([ids.VPCEndpointECRDKR, ids.VPCEndpointSTS].sort());
    expect(items(byType.xml, 'DescribeVpcEndpoints', 'vpcEndpointSet').map((e) => e.vpcEndpointId)).toEqual([ids.VPCEndpointS3]);
    expect(unknown.status).toBe(400);
    expect(unknown.xml.Response.Errors.Error[0].Code).toBe('InvalidVpcEndpointId.NotFound');
  });

  it("gives each interface endpoint a requester-managed vpc_endpoint interface in each private subnet, with the endpoints' group", async () => {
    const { xml } = await call({ Action: 'DescribeNetworkInterfaces', ...filters(['interface-type', 'vpc_endpoint'], ['vpc-id', vpcId]) });

    const interfaces = items(xml, 'DescribeNetworkInterfaces', 'networkInterfaceSet');
    expect(interfaces).toHaveLength(INTERFACE_ENDPOINT_SERVICES.length * 2);
    const ofEc2 = interfaces.filter((eni) => eni.description === `VPC Endpoint Interface ${ids.VPCEndpointEC2}`);
    expect(ofEc2.map((eni) => eni.subnetId).sort()).toEqual([...privateSubnets].sort());
    for (const eni of ofEc2) {
      expect(eni).toMatchObject({ requesterManaged: 'true', status: 'in-use', interfaceType: 'vpc_endpoint' });
      expect(eni.groupSet.item).toEqual([expect.objectContaining({ groupId: ids.VPCEndpointSecurityGroup })]);
      expect(eni.attachment).toBeUndefined();
    }
    const managed = await call({ Action: 'DescribeNetworkInterfaces', ...filters(['requester-managed', 'true'], ['vpc-id', vpcId]) });
    expect(items(managed.xml, 'DescribeNetworkInterfaces', 'networkInterfaceSet').length).toBeGreaterThanOrEqual(interfaces.length);
  });

  it('tags the endpoints with the template’s and CloudFormation’s tags', () => {
    const endpoint = vpcEndpoints(world).find((e) => e.id === ids.VPCEndpointEKS)!;

    expect(endpoint.tags).toMatchObject({ Name: `${input.stackName}/VPCEndpointEKS`, 'aws:cloudformation:logical-id': 'VPCEndpointEKS', 'aws:cloudformation:stack-name': input.stackName });
  });

  it('lets the private subnets reach the AWS services through the endpoints, and no other service', () => {
    for (const subnet of privateSubnets) {
      for (const service of [...INTERFACE_ENDPOINT_SERVICES, 's3']) expect([service, awsServiceReachable(world, subnet, service)]).toEqual([service, true]);
      expect(awsServiceReachable(world, subnet, 'sqs')).toBe(false);
    }
  });

  it('keeps the endpoints and their interfaces through a save and restore of the world', () => {
    const restored = new World({ timeScale: SCALE });
    restoreWorld(restored, JSON.parse(JSON.stringify(snapshotWorld(world))));

    expect(vpcEndpoints(restored)).toEqual(vpcEndpoints(world));
    expect(restored.ec2.networkInterfaces).toEqual(world.ec2.networkInterfaces);
    expect(awsServiceReachable(restored, privateSubnets[0]!, 'ecr.dkr')).toBe(true);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws ec2 describe-vpc-endpoints prints them as AWS’s', async () => {
    const run = await awsCli(emulator.url, 'ec2', 'describe-vpc-endpoints', '--filters', `Name=vpc-id,Values=${vpcId}`, 'Name=vpc-endpoint-type,Values=Interface');

    expect(run.stderr).toBe('');
    const endpoints = (run.json as { VpcEndpoints: Array<Record<string, unknown>> }).VpcEndpoints;
    expect(endpoints).toHaveLength(INTERFACE_ENDPOINT_SERVICES.length);
    const eks = endpoints.find((e) => e.ServiceName === SERVICE('eks'))!;
    expect(eks).toMatchObject({ VpcEndpointId: ids.VPCEndpointEKS, VpcEndpointType: 'Interface', State: 'available', PrivateDnsEnabled: true, VpcId: vpcId });
    expect(eks.SubnetIds).toHaveLength(2);
    expect(eks.DnsEntries).toContainEqual({ DnsName: 'eks.us-east-1.amazonaws.com', HostedZoneId: expect.stringMatching(/^Z[0-9A-Z]+$/) });
    expect(typeof eks.CreationTimestamp).toBe('string');
  });

  it('goes with the stack: endpoints and their interfaces are deleted, then the subnets and the VPC', async () => {
    await cloudFormation.send(new DeleteStackCommand({ StackName: input.stackName }));
    await until(() => cloudFormation.send(new DescribeStacksCommand({ StackName: input.stackName })).then((r) => r.Stacks?.[0]).catch(() => undefined), (s) => s === undefined || s.StackStatus === 'DELETE_COMPLETE' || s.StackStatus === 'DELETE_FAILED', 'stack deleted', 30_000);

    expect(vpcEndpoints(world).filter((e) => e.vpcId === vpcId)).toEqual([]);
    expect([...world.ec2.networkInterfaces.values()].filter((eni) => eni.vpcId === vpcId)).toEqual([]);
    expect(world.ec2.vpcs.has(vpcId)).toBe(false);
  }, 40_000);
});

describe('endpoints EC2 refuses', () => {
  const network = {
    VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.50.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true } },
    SubnetA: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: '10.50.0.0/20', AvailabilityZone: 'us-east-1a' } },
    SubnetB: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: '10.50.16.0/20', AvailabilityZone: 'us-east-1a' } },
  };

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a gateway endpoint for a service that has only interface endpoints', { VpcEndpointType: 'Gateway', ServiceName: SERVICE('ec2'), VpcId: { Ref: 'VPC' } }, /Endpoint type \(Gateway\) does not match available service types/],
    ["another region's service", { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.eu-west-1.ec2', VpcId: { Ref: 'VPC' }, SubnetIds: [{ Ref: 'SubnetA' }] }, /The Vpc Endpoint Service 'com.amazonaws.eu-west-1.ec2' does not exist/],
    ['two subnets in one zone', { VpcEndpointType: 'Interface', ServiceName: SERVICE('sts'), VpcId: { Ref: 'VPC' }, SubnetIds: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }] }, /Found another VPC endpoint subnet in the availability zone/],
  ])('fails the resource, and rolls the stack back, for %s', async (name, properties, reason) => {
    const stackName = `refused-${name.length}`;
    const stack = await deploy(stackName, { AWSTemplateFormatVersion: '2010-09-09', Resources: { ...network, Endpoint: { Type: 'AWS::EC2::VPCEndpoint', Properties: properties } } });

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const { StackEvents } = await cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackName }));
    const failed = (StackEvents ?? []).find((e) => e.LogicalResourceId === 'Endpoint' && e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toMatch(reason);
    expect(vpcEndpoints(world).filter((e) => world.ec2.vpcs.get(e.vpcId)?.cidrBlock === '10.50.0.0/16')).toEqual([]);
  }, 40_000);
});
