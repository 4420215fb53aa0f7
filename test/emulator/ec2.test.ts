/**
 * The local EC2 (ec2Query) through the service's own client — QueryEc2 from functions/ports/ec2.ts,
 * a signed DescribeSubnets reaching the emulator via AWS_ENDPOINT_URL_EC2 — and through raw
 * signed form posts for the filters and the other Describe operations.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { availabilityZoneId, createEc2Service, seedDefaultNetwork } from '../../local/emulator/services/ec2';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { InvalidSpecError, ThrottlingError } from '../../functions/shared/errors';
import { QueryEc2 } from '../../functions/ports/ec2';
import { rejectionOf } from '../support/rejection';

/** Parsed XML, navigated freely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Xml = Record<string, any>;

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'item' || name === 'Error' });

let emulator: RunningEmulator;
let world: World;
let previousEndpoint: string | undefined;
const ec2 = new QueryEc2({ region: () => 'us-east-1', credentials: async () => credentials });

/** A SigV4-signed ec2Query POST, as any SDK sends it. */
async function ec2Call(params: Record<string, string>): Promise<{ status: number; xml: Xml; headers: Headers }> {
  const url = new URL(emulator.url);
  const body = new URLSearchParams({ Version: '2016-11-15', ...params }).toString();
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'ec2', sha256: Sha256 });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  const response = await fetch(emulator.url, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, xml: parser.parse(await response.text()), headers: response.headers };
}

let vpcId: string;
let subnetA: string;
let subnetB: string;

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  emulator = await startEmulator({ timeScale: 0.001, services: [createEc2Service(world)] }, world);
  previousEndpoint = process.env.AWS_ENDPOINT_URL_EC2;
  process.env.AWS_ENDPOINT_URL_EC2 = emulator.url;
  // What the CloudFormation engine leaves behind for a cluster stack.
  vpcId = world.newId('vpc');
  world.ec2.vpcs.set(vpcId, { vpcId, cidrBlock: '10.0.0.0/16', tags: { Name: 'eksp-demo', 'eks-provisioner:cluster': 'demo' } });
  subnetA = world.newId('subnet');
  subnetB = world.newId('subnet');
  world.ec2.subnets.set(subnetA, { subnetId: subnetA, vpcId, cidrBlock: '10.0.0.0/19', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false, tags: { Name: 'eksp-demo-private-a', 'kubernetes.io/role/internal-elb': '1' } });
  world.ec2.subnets.set(subnetB, { subnetId: subnetB, vpcId, cidrBlock: '10.0.32.0/19', availabilityZone: 'us-east-1b', mapPublicIpOnLaunch: true, tags: { Name: 'eksp-demo-public-b', 'kubernetes.io/role/elb': '1' } });
  const sg = world.newId('sg');
  world.ec2.securityGroups.set(sg, { groupId: sg, vpcId, description: 'EKS control plane', tags: { Name: 'eksp-demo-cp' } });
});

afterAll(async () => {
  if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_EC2;
  else process.env.AWS_ENDPOINT_URL_EC2 = previousEndpoint;
  await emulator.close();
});

beforeEach(() => world.faults.clear());

describe('DescribeSubnets through the service’s own EC2 client (QueryEc2)', () => {
  it('returns the subnets CloudFormation made, with VPC, AZ and CIDR', async () => {
    const subnets = await ec2.describeSubnets([subnetA, subnetB]);

    expect(subnets).toEqual([
      { subnetId: subnetA, vpcId, availabilityZone: 'us-east-1a', cidrBlock: '10.0.0.0/19' },
      { subnetId: subnetB, vpcId, availabilityZone: 'us-east-1b', cidrBlock: '10.0.32.0/19' },
    ]);
    expect(world.calls).toContain('ec2:DescribeSubnets');
  });

  it('names the unknown subnet in an InvalidSpecError, as against AWS', async () => {
    const error = await rejectionOf(ec2.describeSubnets([subnetA, 'subnet-0123456789abcdef0']));

    expect(error).toBeInstanceOf(InvalidSpecError);
    expect(error.message).toContain('subnet-0123456789abcdef0');
    expect(error.message).not.toContain(subnetA);
  });

  it('throttles with RequestLimitExceeded (503), which the port classifies as ThrottlingError', async () => {
    world.faults.add([{ kind: 'throttle', service: 'ec2', operation: 'DescribeSubnets', rate: 1 }]);

    const error = await rejectionOf(ec2.describeSubnets([subnetA]));

    expect(error).toBeInstanceOf(ThrottlingError);
    expect(error.message).toContain('RequestLimitExceeded');
  });
});

describe('DescribeSubnets on the wire', () => {
  it('answers lowerCamel XML with items, tagSet and no Result wrapper', async () => {
    const { status, xml, headers } = await ec2Call({ Action: 'DescribeSubnets', 'SubnetId.1': subnetA });

    expect(status).toBe(200);
    expect(headers.get('x-amzn-requestid')).toBeTruthy();
    expect(xml.DescribeSubnetsResponse.requestId).toBeTruthy();
    const [item] = xml.DescribeSubnetsResponse.subnetSet.item;
    expect(item).toMatchObject({
      subnetId: subnetA,
      vpcId,
      cidrBlock: '10.0.0.0/19',
      availabilityZone: 'us-east-1a',
      availabilityZoneId: 'use1-az1',
      availableIpAddressCount: '8187',
      state: 'available',
      defaultForAz: 'false',
      mapPublicIpOnLaunch: 'false',
      ownerId: world.account,
      subnetArn: `arn:aws:ec2:us-east-1:${world.account}:subnet/${subnetA}`,
    });
    expect(item.tagSet.item).toEqual(expect.arrayContaining([{ key: 'Name', value: 'eksp-demo-private-a' }]));
  });

  it('an unknown id is 400 InvalidSubnetID.NotFound in <Response><Errors>', async () => {
    const { status, xml } = await ec2Call({ Action: 'DescribeSubnets', 'SubnetId.1': 'subnet-x' });

    expect(status).toBe(400);
    expect(xml.Response.Errors.Error[0]).toEqual({ Code: 'InvalidSubnetID.NotFound', Message: "The subnet ID 'subnet-x' does not exist" });
    expect(xml.Response.RequestID).toBeTruthy();
  });

  it('an id that is not a subnet id is InvalidSubnetID.Malformed', async () => {
    const { status, xml } = await ec2Call({ Action: 'DescribeSubnets', 'SubnetId.1': 'vpc-123' });

    expect(status).toBe(400);
    expect(xml.Response.Errors.Error[0].Code).toBe('InvalidSubnetID.Malformed');
  });

  it.each([
    ['vpc-id', () => [vpcId], () => [subnetA, subnetB]],
    ['availability-zone', () => ['us-east-1b'], () => [subnetB]],
    ['tag:Name', () => ['eksp-demo-private-a'], () => [subnetA]],
    ['tag:Name', () => ['eksp-demo-*'], () => [subnetA, subnetB]],
    ['tag-key', () => ['kubernetes.io/role/elb'], () => [subnetB]],
    ['map-public-ip-on-launch', () => ['true'], () => [subnetB]],
  ])('filters by %s', async (name, values, expected) => {
    const params: Record<string, string> = { Action: 'DescribeSubnets', 'Filter.1.Name': name };
    values().forEach((value, i) => (params[`Filter.1.Value.${i + 1}`] = value));

    const { xml } = await ec2Call(params);

    const ids = (xml.DescribeSubnetsResponse.subnetSet?.item ?? []).map((s: { subnetId: string }) => s.subnetId);
    expect(ids.sort()).toEqual(expected().sort());
  });

  it('ANDs filters and ORs the values of one filter', async () => {
    const { xml } = await ec2Call({
      Action: 'DescribeSubnets',
      'Filter.1.Name': 'vpc-id',
      'Filter.1.Value.1': vpcId,
      'Filter.2.Name': 'availability-zone',
      'Filter.2.Value.1': 'us-east-1a',
      'Filter.2.Value.2': 'us-east-1c',
    });

    expect(xml.DescribeSubnetsResponse.subnetSet.item.map((s: { subnetId: string }) => s.subnetId)).toEqual([subnetA]);
  });

  it('no match is an empty subnetSet, not an error', async () => {
    const { status, xml } = await ec2Call({ Action: 'DescribeSubnets', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': 'vpc-0000000000000000' });

    expect(status).toBe(200);
    expect(xml.DescribeSubnetsResponse.subnetSet).toBe('');
  });

  it('an unknown filter is InvalidParameterValue', async () => {
    const { status, xml } = await ec2Call({ Action: 'DescribeSubnets', 'Filter.1.Name': 'colour', 'Filter.1.Value.1': 'blue' });

    expect(status).toBe(400);
    expect(xml.Response.Errors.Error[0]).toEqual({ Code: 'InvalidParameterValue', Message: "The filter 'colour' is invalid" });
  });

  it('pages with MaxResults and NextToken', async () => {
    const pagedVpc = world.newId('vpc');
    world.ec2.vpcs.set(pagedVpc, { vpcId: pagedVpc, cidrBlock: '10.9.0.0/16', tags: {} });
    const ids = Array.from({ length: 7 }, (_, i) => {
      const subnetId = world.newId('subnet');
      world.ec2.subnets.set(subnetId, { subnetId, vpcId: pagedVpc, cidrBlock: `10.9.${i}.0/24`, availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false, tags: {} });
      return subnetId;
    });
    const filter = { Action: 'DescribeSubnets', MaxResults: '5', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': pagedVpc };

    const first = (await ec2Call(filter)).xml.DescribeSubnetsResponse;
    const second = (await ec2Call({ ...filter, NextToken: first.nextToken })).xml.DescribeSubnetsResponse;

    expect(first.subnetSet.item).toHaveLength(5);
    expect(second.nextToken).toBeUndefined();
    expect([...first.subnetSet.item, ...second.subnetSet.item].map((s: { subnetId: string }) => s.subnetId)).toEqual(ids);
    for (const id of ids) world.ec2.subnets.delete(id);
  });

  it('DryRun answers DryRunOperation', async () => {
    const { status, xml } = await ec2Call({ Action: 'DescribeSubnets', DryRun: 'true' });

    expect(status).toBe(412);
    expect(xml.Response.Errors.Error[0].Code).toBe('DryRunOperation');
  });
});

describe('other EC2 reads', () => {
  it('DescribeVpcs returns the VPC with its CIDR association and tags; unknown id is InvalidVpcID.NotFound', async () => {
    const { xml } = await ec2Call({ Action: 'DescribeVpcs', 'VpcId.1': vpcId });
    const [vpc] = xml.DescribeVpcsResponse.vpcSet.item;
    expect(vpc).toMatchObject({ vpcId, cidrBlock: '10.0.0.0/16', state: 'available', isDefault: 'false', instanceTenancy: 'default' });
    expect(vpc.cidrBlockAssociationSet.item[0]).toMatchObject({ cidrBlock: '10.0.0.0/16', cidrBlockState: { state: 'associated' } });
    expect(vpc.tagSet.item).toContainEqual({ key: 'Name', value: 'eksp-demo' });

    const missing = await ec2Call({ Action: 'DescribeVpcs', 'VpcId.1': 'vpc-0000000000000000' });
    expect(missing.status).toBe(400);
    expect(missing.xml.Response.Errors.Error[0]).toEqual({ Code: 'InvalidVpcID.NotFound', Message: "The vpc ID 'vpc-0000000000000000' does not exist" });
  });

  it('DescribeAvailabilityZones lists the region’s zones as available, with ids, and filters them', async () => {
    const { xml } = await ec2Call({ Action: 'DescribeAvailabilityZones' });
    const zones = xml.DescribeAvailabilityZonesResponse.availabilityZoneInfo.item;
    expect(zones.map((z: { zoneName: string }) => z.zoneName)).toEqual(world.availabilityZones());
    expect(zones[0]).toMatchObject({ zoneName: 'us-east-1a', zoneId: 'use1-az1', zoneState: 'available', regionName: 'us-east-1', zoneType: 'availability-zone' });

    const filtered = await ec2Call({ Action: 'DescribeAvailabilityZones', 'ZoneName.1': 'us-east-1c' });
    expect(filtered.xml.DescribeAvailabilityZonesResponse.availabilityZoneInfo.item).toHaveLength(1);
  });

  it('DescribeSecurityGroups returns groups with groupDescription; unknown id is InvalidGroup.NotFound', async () => {
    const { xml } = await ec2Call({ Action: 'DescribeSecurityGroups', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpcId });
    const [group] = xml.DescribeSecurityGroupsResponse.securityGroupInfo.item;
    expect(group).toMatchObject({ vpcId, groupDescription: 'EKS control plane', ownerId: world.account });

    const missing = await ec2Call({ Action: 'DescribeSecurityGroups', 'GroupId.1': 'sg-0000000000000000' });
    expect(missing.xml.Response.Errors.Error[0].Code).toBe('InvalidGroup.NotFound');
  });

  it('an operation the emulator does not implement is 400 InvalidAction, well-formed', async () => {
    const { status, xml } = await ec2Call({ Action: 'RunInstances' });

    expect(status).toBe(400);
    expect(xml.Response.Errors.Error[0]).toEqual({ Code: 'InvalidAction', Message: 'The action RunInstances is not valid for this web service.' });
  });
});

describe('seedDefaultNetwork', () => {
  it('makes a default VPC with public subnets in three AZs, once', async () => {
    const seeded = seedDefaultNetwork(world);
    const again = seedDefaultNetwork(world);

    expect(again.vpc.vpcId).toBe(seeded.vpc.vpcId);
    expect(seeded.subnets.map((s) => s.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const described = await ec2.describeSubnets(seeded.subnets.map((s) => s.subnetId));
    expect(described.map((s) => s.vpcId)).toEqual([seeded.vpc.vpcId, seeded.vpc.vpcId, seeded.vpc.vpcId]);

    const { xml } = await ec2Call({ Action: 'DescribeVpcs', 'Filter.1.Name': 'is-default', 'Filter.1.Value.1': 'true' });
    expect(xml.DescribeVpcsResponse.vpcSet.item).toEqual([expect.objectContaining({ vpcId: seeded.vpc.vpcId, isDefault: 'true' })]);
    const subnets = await ec2Call({ Action: 'DescribeSubnets', 'Filter.1.Name': 'default-for-az', 'Filter.1.Value.1': 'true' });
    expect(subnets.xml.DescribeSubnetsResponse.subnetSet.item).toHaveLength(3);
  });
});

describe('availabilityZoneId', () => {
  it.each([
    ['us-east-1a', 'use1-az1'],
    ['eu-west-1c', 'euw1-az3'],
    ['ap-southeast-2b', 'apse2-az2'],
    ['eu-central-1a', 'euc1-az1'],
  ])('%s → %s', (zone, id) => expect(availabilityZoneId(zone)).toBe(id));
});
