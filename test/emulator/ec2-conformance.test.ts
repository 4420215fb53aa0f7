/**
 * Differential conformance of the local EC2 against moto_server: the same boto3 reads of an
 * instance, its network interface, a security group with rules, a launch template and a NAT
 * gateway must give every field moto gives, with the same type (botocore parses both, so this is
 * the wire shape as the SDKs see it). Resources are made in moto with boto3 and in the emulator
 * with the code CloudFormation and EKS use.
 *
 * Needs python3 with boto3 and moto_server; skipped with the reason otherwise, required under CI=true.
 */
import { spawnCollect } from '../support/aws-tools';
import { createEc2Service } from '../../local/emulator/services/ec2';
import { launchInstance } from '../../local/emulator/services/ec2/instances';
import { authorize } from '../../local/emulator/services/ec2/security-group-rules';
import { createLaunchTemplate, createNetworkInterface, NAT_GATEWAY_TYPE } from '../../local/emulator/services/ec2/state';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { startMoto, type RunningMoto } from '../support/moto';
import { commonShape, keyPaths } from '../support/shapes';
import { emulatorOnlyEnvironment, tools, itWith } from '../support/third-party';

/** Parsed JSON from the script, navigated freely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SCRIPT = `
import boto3, json, sys, botocore.exceptions
moto_url, ours_url, ours = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
def client(url):
  return boto3.client('ec2', endpoint_url=url, region_name='us-east-1')
def error_of(call):
  try:
    call()
  except botocore.exceptions.ClientError as e:
    return {'Code': e.response['Error']['Code'], 'Status': e.response['ResponseMetadata']['HTTPStatusCode']}
  return None
m = client(moto_url)
vpc = m.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
subnet = m.create_subnet(VpcId=vpc, CidrBlock='10.0.1.0/24', AvailabilityZone='us-east-1a')['Subnet']['SubnetId']
sg = m.create_security_group(GroupName='web', Description='web servers', VpcId=vpc)['GroupId']
m.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
  {'IpProtocol': 'tcp', 'FromPort': 443, 'ToPort': 443, 'IpRanges': [{'CidrIp': '10.0.0.0/16', 'Description': 'https'}]},
  {'IpProtocol': '-1', 'UserIdGroupPairs': [{'GroupId': sg, 'Description': 'members'}]},
])
image = next(i['ImageId'] for i in m.describe_images(Owners=['amazon'])['Images'] if 'Platform' not in i)
lt = m.create_launch_template(LaunchTemplateName='nodes', LaunchTemplateData={
  'ImageId': image, 'InstanceType': 't3.medium', 'SecurityGroupIds': [sg],
  'MetadataOptions': {'HttpTokens': 'required', 'HttpPutResponseHopLimit': 2},
  'TagSpecifications': [{'ResourceType': 'instance', 'Tags': [{'Key': 'team', 'Value': 'x'}]}],
}, TagSpecifications=[{'ResourceType': 'launch-template', 'Tags': [{'Key': 'Name', 'Value': 'nodes'}]}])['LaunchTemplate']['LaunchTemplateId']
instance = m.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType='t3.medium', SubnetId=subnet, SecurityGroupIds=[sg],
  TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'node'}]}])['Instances'][0]
eip = m.allocate_address(Domain='vpc')['AllocationId']
nat = m.create_nat_gateway(SubnetId=subnet, AllocationId=eip)['NatGateway']['NatGatewayId']
theirs = {'instance': instance['InstanceId'], 'eni': instance['NetworkInterfaces'][0]['NetworkInterfaceId'], 'sg': sg, 'lt': lt, 'nat': nat}
result = {}
for side, ec2, ids in (('moto', m, theirs), ('ours', client(ours_url), ours)):
  result[side] = {
    'reservation': ec2.describe_instances(InstanceIds=[ids['instance']])['Reservations'][0],
    'byTag': [i['InstanceId'] for r in ec2.describe_instances(Filters=[{'Name': 'tag:Name', 'Values': ['node']}])['Reservations'] for i in r['Instances']],
    'networkInterface': ec2.describe_network_interfaces(NetworkInterfaceIds=[ids['eni']])['NetworkInterfaces'][0],
    'securityGroup': ec2.describe_security_groups(GroupIds=[ids['sg']])['SecurityGroups'][0],
    'securityGroupRules': ec2.describe_security_group_rules(Filters=[{'Name': 'group-id', 'Values': [ids['sg']]}])['SecurityGroupRules'],
    'launchTemplate': ec2.describe_launch_templates(LaunchTemplateIds=[ids['lt']])['LaunchTemplates'][0],
    'launchTemplateVersion': ec2.describe_launch_template_versions(LaunchTemplateId=ids['lt'])['LaunchTemplateVersions'][0],
    'natGateway': ec2.describe_nat_gateways(NatGatewayIds=[ids['nat']])['NatGateways'][0],
    'instanceNotFound': error_of(lambda: ec2.describe_instances(InstanceIds=['i-0123456789abcdef0'])),
    'groupNotFound': error_of(lambda: ec2.describe_security_groups(GroupIds=['sg-0123456789abcdef0'])),
    'eniNotFound': error_of(lambda: ec2.describe_network_interfaces(NetworkInterfaceIds=['eni-0123456789abcdef0'])),
  }
  result[side]['byTag'] = result[side]['byTag'] == [ids['instance']]
print(json.dumps(result, default=str))
`;

/**
 * Fields moto gives where EC2 gives none, for these resources: each with why we follow EC2.
 */
const MOTO_ONLY: Record<string, string> = {
  'Instances[].SriovNetSupport': 'moto always says "simple" (Intel 82599 VF); Nitro types such as t3 use ENA, reported as EnaSupport',
  'Instances[].StateReason': 'moto gives running instances an empty one; EC2 gives one after a state change with a reason (we do, on termination)',
  'Instances[].NetworkInterfaces[].Association': 'moto gives {} to an interface without a public address; EC2 omits it (we give it when there is one)',
  'RequesterId': 'moto puts a requester on every interface; EC2 only on those a service made for the account (we do: EKS’s)',
};

let world: World;
let emulator: RunningEmulator;
let moto: RunningMoto | undefined;
let diff: { moto: Record<string, Json>; ours: Record<string, Json> } | undefined;

/** The same resources in the emulator, made by the code CloudFormation's providers and EKS's hooks use. */
function seedOurs(): Record<string, string> {
  const vpcId = world.newId('vpc');
  world.ec2.vpcs.set(vpcId, { vpcId, cidrBlock: '10.0.0.0/16', tags: {} });
  const subnetId = world.newId('subnet');
  const subnet = { subnetId, vpcId, cidrBlock: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false, tags: {} };
  world.ec2.subnets.set(subnetId, subnet);
  const sg = world.newId('sg');
  const group = { groupId: sg, vpcId, description: 'web servers', groupName: 'web', tags: {} };
  world.ec2.securityGroups.set(sg, group);
  authorize(world, group, 'ingress', [
    { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '10.0.0.0/16', description: 'https' },
    { ipProtocol: '-1', groupId: sg, description: 'members' },
  ]);
  const imageId = 'ami-0123456789abcdef0';
  const template = createLaunchTemplate(world, {
    name: 'nodes',
    createdBy: `arn:aws:iam::${world.account}:root`,
    data: { ImageId: imageId, InstanceType: 't3.medium', SecurityGroupIds: [sg], MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 }, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'x' }] }] },
    tags: { Name: 'nodes' },
  });
  const instance = launchInstance(world, { subnet, instanceType: 't3.medium', imageId, architecture: 'x86_64', securityGroupIds: [sg], tags: { Name: 'node' }, capacityType: 'ON_DEMAND' });
  const eipId = world.newId('eipalloc');
  world.ec2.other.set(eipId, { id: eipId, type: 'AWS::EC2::EIP', properties: { PublicIp: '54.1.2.3' }, tags: {} });
  const nat = world.newId('nat');
  const eni = createNetworkInterface(world, { subnet, description: `Interface for NAT Gateway ${nat}`, interfaceType: 'nat_gateway', securityGroupIds: [], status: 'in-use' });
  world.ec2.other.set(nat, { id: nat, type: NAT_GATEWAY_TYPE, properties: { SubnetId: subnetId, VpcId: vpcId, AllocationId: eipId, PublicIp: '54.1.2.3', NetworkInterfaceId: eni.networkInterfaceId, PrivateIp: eni.privateIpAddress, CreateTime: world.clock.now() }, tags: {} });
  return { instance: instance.instanceId, eni: instance.networkInterfaceId, sg, lt: template.id, nat };
}

function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnCollect('python3', ['-c', SCRIPT, ...args], emulatorOnlyEnvironment(''));
}

beforeAll(async () => {
  world = new World({ timeScale: 0.001, seed: 3 });
  emulator = await startEmulator({ timeScale: 0.001, services: [createEc2Service(world)] }, world);
  if (!tools.moto) return;
  const ours = seedOurs();
  const env = emulatorOnlyEnvironment('');
  delete env.AWS_ENDPOINT_URL;
  moto = await startMoto(env);
  const { code, stdout, stderr } = await runScript([moto.url, emulator.url, JSON.stringify(ours)]);
  if (code !== 0) throw new Error(`the differential script failed: ${stderr}`);
  diff = JSON.parse(stdout);
}, 60_000);

afterAll(async () => {
  moto?.stop();
  await emulator.close();
});

describe('EC2 against moto_server', () => {
  const itWithMoto = itWith(tools.moto, 'moto_server (moto) with boto3');

  itWithMoto.each(['reservation', 'networkInterface', 'securityGroup', 'securityGroupRules', 'launchTemplate', 'launchTemplateVersion', 'natGateway'])('%s: every field moto returns, we return, with the same type', (what) => {
    const theirs = diff!.moto[what];
    const ours = diff!.ours[what];

    const ourPaths = new Set(keyPaths(ours));
    expect(keyPaths(theirs).filter((path) => !ourPaths.has(path) && !Object.keys(MOTO_ONLY).some((only) => path === only || path.startsWith(`${only}.`)))).toEqual([]);
    expect(commonShape(ours, theirs)).toEqual(commonShape(theirs, ours));
  });

  itWithMoto('the security group’s permissions agree, once ids are set aside', () => {
    const permissions = (group: Json) =>
      group.IpPermissions.map((p: Json) => ({ ...p, UserIdGroupPairs: p.UserIdGroupPairs.map((g: Json) => ({ Description: g.Description, self: g.GroupId === group.GroupId })) })).sort((a: Json, b: Json) => a.IpProtocol.localeCompare(b.IpProtocol));

    expect(permissions(diff!.ours.securityGroup)).toEqual(permissions(diff!.moto.securityGroup));
    expect(diff!.ours.securityGroup.IpPermissionsEgress).toEqual(diff!.moto.securityGroup.IpPermissionsEgress);
  });

  itWithMoto('tag filters find the instance; unknown ids are the same errors', () => {
    expect(diff!.ours.byTag).toBe(true);
    expect(diff!.moto.byTag).toBe(true);
    for (const error of ['instanceNotFound', 'groupNotFound', 'eniNotFound']) expect(diff!.ours[error]).toEqual(diff!.moto[error]);
  });
});
