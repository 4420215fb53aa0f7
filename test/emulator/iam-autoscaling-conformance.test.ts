/**
 * Differential check of the local IAM and Auto Scaling against moto_server: the same role,
 * policies, instance profile and Auto Scaling groups made in moto with boto3 and in our world
 * (by a CloudFormation stack, and by hand for the groups, as the EKS emulator makes them), then
 * the same boto3 reads of both. Every field moto returns, we return, with the same type; a
 * missing entity is the same error code and status. Shows as skipped, with its reason, without
 * moto; required under CI=true.
 */
import { createAutoScalingService } from '../../local/emulator/services/autoscaling';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { createIamService } from '../../local/emulator/services/iam';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { python } from '../support/aws-tools';
import { startMoto, type RunningMoto } from '../support/moto';
import { commonShape, keyPaths } from '../support/shapes';
import { tools, itWith } from '../support/third-party';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
const BOUNDARY = 'arn:aws:iam::000000000000:policy/eks-provisioner/boundary';
const LAUNCH_TEMPLATE = { id: 'lt-0123456789abcdef0', name: 'eks-node-template', version: '1' };

/** What both sides are made of, in the same names. */
const TEMPLATE = {
  Resources: {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: { RoleName: 'node', Path: '/eks-provisioner/', Description: 'd', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: BOUNDARY, Tags: [{ Key: 'a', Value: 'b' }], Policies: [{ PolicyName: 'inline', PolicyDocument: POLICY }] },
    },
    Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { ManagedPolicyName: 'nodes', Path: '/eks-provisioner/', PolicyDocument: POLICY, Roles: [{ Ref: 'Role' }] } },
    Profile: { Type: 'AWS::IAM::InstanceProfile', Properties: { InstanceProfileName: 'ip', Path: '/eks-provisioner/', Roles: [{ Ref: 'Role' }] } },
  },
};

const SCRIPT = `
import boto3, json, sys, botocore.exceptions
moto_url, ours_url = sys.argv[1:3]
def clients(url):
  kw = dict(endpoint_url=url, region_name='us-east-1', aws_access_key_id='local', aws_secret_access_key='local')
  return boto3.client('iam', **kw), boto3.client('autoscaling', **kw)
def error_of(call):
  try:
    call()
  except botocore.exceptions.ClientError as e:
    return {'Code': e.response['Error']['Code'], 'Status': e.response['ResponseMetadata']['HTTPStatusCode']}
  return None
def strip(r):
  r.pop('ResponseMetadata', None)
  return r

trust, policy = ${JSON.stringify(JSON.stringify(TRUST))}, ${JSON.stringify(JSON.stringify(POLICY))}
m_iam, m_asg = clients(moto_url)
kw = dict(endpoint_url=moto_url, region_name='us-east-1', aws_access_key_id='local', aws_secret_access_key='local')
ec2 = boto3.client('ec2', **kw)
boundary = m_iam.create_policy(PolicyName='boundary', Path='/eks-provisioner/', PolicyDocument=policy)['Policy']['Arn']
m_iam.create_role(RoleName='node', Path='/eks-provisioner/', Description='d', AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary, Tags=[{'Key': 'a', 'Value': 'b'}])
m_iam.put_role_policy(RoleName='node', PolicyName='inline', PolicyDocument=policy)
managed = m_iam.create_policy(PolicyName='nodes', Path='/eks-provisioner/', PolicyDocument=policy)['Policy']['Arn']
m_iam.attach_role_policy(RoleName='node', PolicyArn=managed)
m_iam.create_instance_profile(InstanceProfileName='ip', Path='/eks-provisioner/')
m_iam.add_role_to_instance_profile(InstanceProfileName='ip', RoleName='node')
vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']
subnet = ec2.create_subnet(VpcId=vpc['VpcId'], CidrBlock='10.0.1.0/24', AvailabilityZone='us-east-1a')['Subnet']
lt = ec2.create_launch_template(LaunchTemplateName='eks-node-template', LaunchTemplateData={'ImageId': 'ami-12c6146b', 'InstanceType': 't3.medium'})['LaunchTemplate']
tags = lambda ng: [{'Key': 'eks:nodegroup-name', 'Value': ng, 'PropagateAtLaunch': True}]
m_asg.create_auto_scaling_group(AutoScalingGroupName='eks-standard', MinSize=1, MaxSize=3, DesiredCapacity=1, VPCZoneIdentifier=subnet['SubnetId'],
  LaunchTemplate={'LaunchTemplateId': lt['LaunchTemplateId'], 'Version': '1'}, Tags=tags('standard'))
m_asg.create_auto_scaling_group(AutoScalingGroupName='eks-spot', MinSize=1, MaxSize=3, DesiredCapacity=1, VPCZoneIdentifier=subnet['SubnetId'],
  MixedInstancesPolicy={'LaunchTemplate': {'LaunchTemplateSpecification': {'LaunchTemplateId': lt['LaunchTemplateId'], 'Version': '1'}, 'Overrides': [{'InstanceType': 't3.large'}, {'InstanceType': 't3a.large'}]},
    'InstancesDistribution': {'OnDemandBaseCapacity': 0, 'OnDemandPercentageAboveBaseCapacity': 0, 'SpotAllocationStrategy': 'capacity-optimized'}}, Tags=tags('spot'))

result = {}
for side, url in (('moto', moto_url), ('ours', ours_url)):
  iam, asg = clients(url)
  account = iam.get_role(RoleName='node')['Role']['Arn'].split(':')[4]
  managed_arn = 'arn:aws:iam::%s:policy/eks-provisioner/nodes' % account
  result[side] = {
    'getRole': iam.get_role(RoleName='node')['Role'],
    'listRoles': strip(iam.list_roles(PathPrefix='/eks-provisioner/')),
    'attached': strip(iam.list_attached_role_policies(RoleName='node')),
    'rolePolicies': strip(iam.list_role_policies(RoleName='node')),
    'getRolePolicy': strip(iam.get_role_policy(RoleName='node', PolicyName='inline')),
    'instanceProfile': iam.get_instance_profile(InstanceProfileName='ip')['InstanceProfile'],
    'profilesForRole': strip(iam.list_instance_profiles_for_role(RoleName='node')),
    'policy': iam.get_policy(PolicyArn=managed_arn)['Policy'],
    'errors': {
      'GetRole': error_of(lambda: iam.get_role(RoleName='nobody')),
      'ListAttachedRolePolicies': error_of(lambda: iam.list_attached_role_policies(RoleName='nobody')),
      'GetRolePolicy': error_of(lambda: iam.get_role_policy(RoleName='node', PolicyName='nope')),
      'GetInstanceProfile': error_of(lambda: iam.get_instance_profile(InstanceProfileName='nope')),
      'GetPolicy': error_of(lambda: iam.get_policy(PolicyArn='arn:aws:iam::%s:policy/nope' % account)),
    },
    'standardGroup': asg.describe_auto_scaling_groups(AutoScalingGroupNames=['eks-standard'])['AutoScalingGroups'][0],
    'spotGroup': asg.describe_auto_scaling_groups(Filters=[{'Name': 'tag:eks:nodegroup-name', 'Values': ['spot']}])['AutoScalingGroups'][0],
    'unknownGroup': strip(asg.describe_auto_scaling_groups(AutoScalingGroupNames=['nope'])),
    'firstPage': [g['AutoScalingGroupName'] for g in asg.describe_auto_scaling_groups(MaxRecords=1)['AutoScalingGroups']],
    'instances': strip(asg.describe_auto_scaling_instances()),
    'launchConfigurations': strip(asg.describe_launch_configurations()),
  }
print(json.dumps(result, default=str))
`;

let world: World;
let emulator: RunningEmulator;
let moto: RunningMoto | undefined;
let diff: { moto: Record<string, Json>; ours: Record<string, Json> } | undefined;

/** Our side: the stack's IAM resources, and the groups with one running instance each. */
async function buildOurs(): Promise<void> {
  world.iam.policies.set(BOUNDARY, { arn: BOUNDARY, document: POLICY });
  const cloudFormation = createCloudFormationService(world);
  await cloudFormation.engine.warmUp();
  const stack = cloudFormation.engine.createStack({ stackName: 'conformance', templateBody: JSON.stringify(TEMPLATE), parameters: [], tags: [], capabilities: ['CAPABILITY_NAMED_IAM'], notificationArns: [], enableTerminationProtection: false });
  await stack.work;
  if (stack.status !== 'CREATE_COMPLETE') throw new Error(`the conformance stack ended ${stack.status}: ${stack.statusReason ?? ''}`);
  for (const [nodegroup, mixed] of [['standard', undefined], ['spot', ['t3.large', 't3a.large']]] as const) {
    const name = `eks-${nodegroup}`;
    const instanceId = world.newId('i');
    world.ec2.instances.set(instanceId, {
      instanceId,
      instanceType: mixed ? 't3.large' : 't3.medium',
      imageId: 'ami-12c6146b',
      vpcId: 'vpc-0123456789abcdef0',
      subnetId: 'subnet-0123456789abcdef0',
      availabilityZone: 'us-east-1a',
      privateIpAddress: '10.0.1.10',
      privateDnsName: 'ip-10-0-1-10.ec2.internal',
      securityGroupIds: [],
      networkInterfaceId: world.newId('eni'),
      launchTemplate: LAUNCH_TEMPLATE,
      autoScalingGroupName: name,
      launchTime: world.clock.now(),
      state: 'running',
      architecture: 'x86_64',
      capacityType: mixed ? 'SPOT' : 'ON_DEMAND',
      tags: {},
    });
    world.autoScaling.groups.set(name, {
      name,
      arn: `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:6f2e1c7a-0000-4000-8000-000000000000:autoScalingGroupName/${name}`,
      minSize: 1,
      maxSize: 3,
      desiredCapacity: 1,
      subnetIds: ['subnet-0123456789abcdef0'],
      availabilityZones: ['us-east-1a'],
      launchTemplate: LAUNCH_TEMPLATE,
      ...(mixed ? { mixedInstanceTypes: [...mixed] } : {}),
      instanceIds: [instanceId],
      createdTime: world.clock.now(),
      tags: { 'eks:nodegroup-name': nodegroup },
    });
  }
}

beforeAll(async () => {
  if (!tools.moto) return;
  world = new World({ timeScale: 0.001 });
  emulator = await startEmulator({ timeScale: 0.001, services: [createIamService(world), createAutoScalingService(world)] }, world);
  await buildOurs();
  const environment = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  moto = await startMoto(environment);
  diff = await python(emulator.url, SCRIPT, moto.url, emulator.url);
}, 60_000);

afterAll(async () => {
  moto?.stop();
  await emulator?.close();
});

const itWithMoto = itWith(tools.moto, 'moto_server (moto) with boto3');

describe('IAM and Auto Scaling, differential against moto_server', () => {
  itWithMoto.each(['getRole', 'listRoles', 'attached', 'rolePolicies', 'getRolePolicy', 'instanceProfile', 'profilesForRole', 'policy', 'standardGroup', 'spotGroup', 'unknownGroup', 'instances', 'launchConfigurations'])(
    '%s: every field moto returns, we return, with the same type',
    (answer) => {
      const theirs = diff!.moto[answer];
      const ours = diff!.ours[answer];

      expect(keyPaths(ours)).toEqual(expect.arrayContaining(keyPaths(theirs)));
      expect(commonShape(ours, theirs)).toEqual(commonShape(theirs, ours));
    },
  );

  itWithMoto('the values that do not depend on ids, accounts or dates agree', () => {
    // Our role was made by a stack, which adds its aws:cloudformation:* tags.
    const ownTags = (tags: Json[]) => tags.filter((t) => !String(t.Key).startsWith('aws:'));
    const role = (r: Json) => ({ Path: r.Path, RoleName: r.RoleName, AssumeRolePolicyDocument: r.AssumeRolePolicyDocument, Description: r.Description, MaxSessionDuration: r.MaxSessionDuration, Tags: ownTags(r.Tags), RoleLastUsed: r.RoleLastUsed });
    const group = (g: Json) => ({ MinSize: g.MinSize, MaxSize: g.MaxSize, DesiredCapacity: g.DesiredCapacity, AvailabilityZones: g.AvailabilityZones, HealthCheckType: g.HealthCheckType, Tags: g.Tags, Overrides: g.MixedInstancesPolicy?.LaunchTemplate?.Overrides });

    expect(role(diff!.ours.getRole)).toEqual(role(diff!.moto.getRole));
    expect(diff!.ours.getRolePolicy).toEqual(diff!.moto.getRolePolicy);
    expect(diff!.ours.rolePolicies).toEqual(diff!.moto.rolePolicies);
    expect(diff!.ours.attached.AttachedPolicies.map((p: Json) => p.PolicyName)).toEqual(diff!.moto.attached.AttachedPolicies.map((p: Json) => p.PolicyName));
    expect(group(diff!.ours.standardGroup)).toEqual(group(diff!.moto.standardGroup));
    expect(group(diff!.ours.spotGroup)).toEqual(group(diff!.moto.spotGroup));
    // One group per page on both sides (moto lists in creation order, we in name order as Auto Scaling does).
    expect(diff!.ours.firstPage).toHaveLength(diff!.moto.firstPage.length);
  });

  itWithMoto('a missing role, role policy, instance profile or policy is the same error code and status', () => {
    expect(diff!.ours.errors).toEqual(diff!.moto.errors);
  });
});
