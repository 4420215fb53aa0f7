/**
 * The local CloudFormation endpoint through the real SDK v3 client: the service's own cluster
 * template deploys (new VPC and existing subnets), and the rules the service depends on hold as in
 * AWS — events, rollbacks and their root cause, ClientRequestToken, names blocked by
 * ROLLBACK_COMPLETE, termination protection, exports and imports, resource-spec validation, faults.
 */
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStacksCommand,
  paginateDescribeStackEvents,
  UpdateTerminationProtectionCommand,
  ValidateTemplateCommand,
  type CreateStackCommandInput,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { renderClusterTemplate } from '../../functions/domain/cluster-template';
import { rootCauseFromStackEvents } from '../../functions/domain/diagnosis';
import { SdkCloudFormation } from '../../functions/ports/cloudformation';
import { createCloudFormationService, type CloudFormationService } from '../../local/emulator/services/cloudformation';
import { EmulatorError } from '../../local/emulator/protocol';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type EksBackend } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';
import { clusterTemplateInput, EXISTING_PRIVATE_SUBNETS, EXISTING_PUBLIC_SUBNETS, EXISTING_VPC_ID } from '../unit/domain/cluster-template-inputs';
import { PERMISSIONS_BOUNDARY_DOCUMENT } from '../../functions/domain/permissions-boundary';
import { KUBE_AGENT_CODE, PERMISSIONS_BOUNDARY_ARN } from '../support/fake-aws';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A stand-in for the EKS emulator: checks the subnets, takes the control plane's time, can refuse deletes. */
class FakeEks implements EksBackend {
  readonly clusters = new Map<string, { securityGroup: string; properties: Record<string, unknown> }>();
  deleteRefusal?: string;

  constructor(private readonly world: World) {}

  async createClusterForStack(properties: Record<string, unknown>) {
    const name = String(properties.Name);
    const subnetIds = ((properties.ResourcesVpcConfig as { SubnetIds?: string[] }).SubnetIds ?? []).map(String);
    const missing = subnetIds.find((id) => !this.world.ec2.subnets.has(id));
    if (missing) throw new EmulatorError(400, 'InvalidParameterException', `The subnet ID '${missing}' does not exist`);
    const vpcId = this.world.ec2.subnets.get(subnetIds[0] ?? '')?.vpcId ?? '';
    await this.world.clock.sleep(this.world.durations.sample('controlPlaneCreate', name));
    const securityGroup = this.world.newId('sg');
    this.world.ec2.securityGroups.set(securityGroup, { groupId: securityGroup, vpcId, description: 'EKS created security group', tags: {} });
    this.clusters.set(name, { securityGroup, properties });
    return {
      name,
      arn: this.world.arn('eks', `cluster/${name}`),
      endpoint: `https://0123456789ABCDEF.gr7.${this.world.region}.eks.amazonaws.com`,
      certificateAuthorityData: Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64'),
      clusterSecurityGroupId: securityGroup,
      openIdConnectIssuerUrl: `https://oidc.eks.${this.world.region}.amazonaws.com/id/0123456789ABCDEF`,
      id: 'a1b2c3d4-e5f6',
    };
  }

  async deleteClusterForStack(name: string) {
    if (this.deleteRefusal) throw new EmulatorError(409, 'ResourceInUseException', this.deleteRefusal);
    await this.world.clock.sleep(this.world.durations.sample('controlPlaneDelete', name));
    const cluster = this.clusters.get(name);
    if (cluster) this.world.ec2.securityGroups.delete(cluster.securityGroup);
    this.clusters.delete(name);
  }
}

let world: World;
let eks: FakeEks;
let service: CloudFormationService;
let emulator: RunningEmulator;
let cfn: CloudFormationClient;

beforeAll(async () => {
  world = new World({ timeScale: 0.001, seed: 7 });
  eks = new FakeEks(world);
  world.eks = eks;
  // The boundary the service deploys, which every role of the rendered templates names.
  world.iam.policies.set(PERMISSIONS_BOUNDARY_ARN, { arn: PERMISSIONS_BOUNDARY_ARN, document: PERMISSIONS_BOUNDARY_DOCUMENT });
  // The kube agent's code, where the rendered template's function finds it (as local mode registers it).
  world.functions.registerCode(KUBE_AGENT_CODE, () => ({}));
  service = createCloudFormationService(world);
  emulator = await startEmulator({ timeScale: 0.001, services: [service] }, world);
  await service.warmUp();
  cfn = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
});

afterAll(async () => {
  cfn.destroy();
  await emulator.close();
});

beforeEach(() => {
  world.faults.clear();
  eks.deleteRefusal = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls DescribeStacks (by name or id) until the stack leaves *_IN_PROGRESS. */
async function settled(nameOrId: string): Promise<Stack> {
  for (let i = 0; i < 1000; i++) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: nameOrId }));
    const stack = Stacks?.[0];
    if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) return stack;
    await sleep(20);
  }
  throw new Error(`${nameOrId} never settled`);
}

/** Oldest first, every page. */
async function eventsOf(nameOrId: string): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  for await (const page of paginateDescribeStackEvents({ client: cfn }, { StackName: nameOrId })) events.push(...(page.StackEvents ?? []));
  return events.reverse();
}

function createStack(input: Partial<CreateStackCommandInput> & { StackName: string; TemplateBody: string }) {
  return cfn.send(new CreateStackCommand({ Capabilities: ['CAPABILITY_IAM'], ...input }));
}

/** A small template: a VPC plus whatever the test adds. */
function vpcTemplate(extra: Record<string, unknown> = {}, outputs: Record<string, unknown> = {}): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: { VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } }, ...extra },
    ...(Object.keys(outputs).length > 0 ? { Outputs: outputs } : {}),
  });
}

const statusesOf = (events: StackEvent[], logicalId: string) => events.filter((e) => e.LogicalResourceId === logicalId).map((e) => e.ResourceStatus);
const indexOf = (events: StackEvent[], logicalId: string, status: string) => events.findIndex((e) => e.LogicalResourceId === logicalId && e.ResourceStatus === status);

describe('the cluster template', () => {
  it('a new VPC reaches CREATE_COMPLETE with real subnets, roles, the control plane, outputs and exports', async () => {
    const input = clusterTemplateInput({ name: 'newvpc', network: { vpc: { cidr: '10.20.0.0/16', azCount: 2, natGateway: 'Single' } }, fargate: true });
    const template = renderClusterTemplate(input);
    const tags = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));

    const { StackId } = await createStack({ StackName: input.stackName, TemplateBody: JSON.stringify(template), Tags: tags, ClientRequestToken: 'create-newvpc', EnableTerminationProtection: true });
    const stack = await settled(input.stackName);

    expect(StackId).toMatch(new RegExp(`^arn:aws:cloudformation:us-east-1:000000000000:stack/${input.stackName}/[0-9a-f-]{36}$`));
    expect(stack).toMatchObject({ StackId, StackName: input.stackName, StackStatus: 'CREATE_COMPLETE', EnableTerminationProtection: true, Capabilities: ['CAPABILITY_IAM'] });
    expect(stack.CreationTime).toBeInstanceOf(Date);
    expect(stack.Tags).toEqual(expect.arrayContaining(tags));
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o]));
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(template.Outputs).sort());
    expect(outputs.ClusterName?.OutputValue).toBe('newvpc');
    expect(outputs.Endpoint?.OutputValue).toMatch(/^https:\/\/.+\.eks\.amazonaws\.com$/);
    expect(outputs.VPC).toMatchObject({ OutputValue: expect.stringMatching(/^vpc-0[0-9a-f]{16}$/), ExportName: `${input.stackName}::VPC` });

    // The subnets are real EC2 state: carved from the VPC by Fn::Cidr, one AZ each by Fn::GetAZs.
    const privateSubnets = (outputs.SubnetsPrivate?.OutputValue ?? '').split(',');
    const publicSubnets = (outputs.SubnetsPublic?.OutputValue ?? '').split(',');
    const subnets = [...publicSubnets, ...privateSubnets].map((id) => world.ec2.subnets.get(id));
    expect(subnets.map((s) => s?.cidrBlock)).toEqual(['10.20.0.0/19', '10.20.32.0/19', '10.20.64.0/19', '10.20.96.0/19']);
    expect(subnets.map((s) => s?.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1a', 'us-east-1b']);
    expect(subnets.map((s) => s?.mapPublicIpOnLaunch)).toEqual([true, true, false, false]);
    expect(subnets[0]?.tags).toMatchObject({ 'kubernetes.io/role/elb': '1', 'aws:cloudformation:stack-name': input.stackName, 'aws:cloudformation:logical-id': 'SubnetPublic1', ...input.tags });

    // Roles: CloudFormation-generated names under the service's path, as iam:PassRole expects.
    const roleArn = outputs.ServiceRoleArn?.OutputValue ?? '';
    const role = world.iam.byArn(roleArn);
    expect(roleArn).toMatch(/^arn:aws:iam::000000000000:role\/eks-provisioner\/eksp-newvpc-cluster-ServiceRole-[A-Z0-9]{12}$/);
    expect(role?.managedPolicyArns).toEqual(['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy', 'arn:aws:iam::aws:policy/AmazonEKSVPCResourceController']);
    expect(role?.permissionsBoundary).toBe(PERMISSIONS_BOUNDARY_ARN);
    expect([...world.iam.roles.keys()].every((name) => name.length <= 64)).toBe(true);

    // The control plane got the resolved properties, with every subnet and the role.
    expect(eks.clusters.get('newvpc')?.properties).toMatchObject({ Name: 'newvpc', RoleArn: roleArn, ResourcesVpcConfig: { SubnetIds: [...publicSubnets, ...privateSubnets] } });

    const { Exports } = await cfn.send(new ListExportsCommand({}));
    expect(Exports).toEqual(expect.arrayContaining([{ ExportingStackId: StackId, Name: `${input.stackName}::ClusterName`, Value: 'newvpc' }]));

    // Events: the stack's first and last, each resource IN_PROGRESS then COMPLETE, dependencies first.
    const events = await eventsOf(input.stackName);
    expect(events[0]).toMatchObject({ LogicalResourceId: input.stackName, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'CREATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated', ClientRequestToken: 'create-newvpc' });
    expect(events.at(-1)).toMatchObject({ LogicalResourceId: input.stackName, ResourceStatus: 'CREATE_COMPLETE', PhysicalResourceId: StackId });
    for (const logicalId of Object.keys(template.Resources)) expect(statusesOf(events, logicalId)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect(indexOf(events, 'VPC', 'CREATE_COMPLETE')).toBeLessThan(indexOf(events, 'SubnetPublic1', 'CREATE_IN_PROGRESS'));
    expect(indexOf(events, 'ServiceRole', 'CREATE_COMPLETE')).toBeLessThan(indexOf(events, 'ControlPlane', 'CREATE_IN_PROGRESS'));
    expect(indexOf(events, 'VPCGatewayAttachment', 'CREATE_COMPLETE')).toBeLessThan(indexOf(events, 'PublicSubnetRoute', 'CREATE_IN_PROGRESS'));
    expect(indexOf(events, 'ControlPlane', 'CREATE_COMPLETE')).toBeLessThan(indexOf(events, 'IngressDefaultClusterToNodeSG', 'CREATE_IN_PROGRESS'));
    // Independent resources run in parallel: both roles start before either completes.
    expect(indexOf(events, 'NodeInstanceRole', 'CREATE_IN_PROGRESS')).toBeLessThan(indexOf(events, 'ServiceRole', 'CREATE_COMPLETE'));
    const timestamps = events.map((e) => e.Timestamp?.getTime() ?? 0);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));

    // No waits of its own: the stack took its critical path of sampled durations, plus the real
    // milliseconds of processing, which at this scale (0.001) are emulated seconds — so the bound
    // leaves room for a loaded machine; it still catches lost parallelism (creating the resources
    // one after another takes several times the path).
    const critical = service.engine.criticalPath(input.stackName);
    expect(critical.resources).toEqual(expect.arrayContaining(['ServiceRole', 'ControlPlane']));
    const elapsed = ((timestamps.at(-1) ?? 0) - (timestamps[0] ?? 0)) / 1000;
    expect(elapsed).toBeGreaterThanOrEqual(critical.seconds - 1);
    expect(elapsed).toBeLessThan(critical.seconds * 1.5);

    const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: input.stackName }));
    expect(StackResources).toHaveLength(Object.keys(template.Resources).length);
    expect(StackResources?.find((r) => r.LogicalResourceId === 'ControlPlane')).toMatchObject({ PhysicalResourceId: 'newvpc', ResourceType: 'AWS::EKS::Cluster', ResourceStatus: 'CREATE_COMPLETE' });

    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: input.stackName }));
    expect(JSON.parse(TemplateBody ?? '')).toEqual(template);

    // Termination protection holds; once off, the stack deletes in reverse order and disappears.
    const refused = await rejectionOf(cfn.send(new DeleteStackCommand({ StackName: input.stackName })));
    expect(refused).toMatchObject({ name: 'ValidationError', message: `Stack [${input.stackName}] cannot be deleted while TerminationProtection is enabled` });
    await cfn.send(new UpdateTerminationProtectionCommand({ StackName: input.stackName, EnableTerminationProtection: false }));
    await cfn.send(new DeleteStackCommand({ StackName: input.stackName, ClientRequestToken: 'delete-newvpc' }));
    const deleted = await settled(StackId ?? '');

    expect(deleted.StackStatus).toBe('DELETE_COMPLETE');
    expect(deleted.DeletionTime).toBeInstanceOf(Date);
    const missing = await rejectionOf(cfn.send(new DescribeStacksCommand({ StackName: input.stackName })));
    expect(missing).toBeInstanceOf(CloudFormationServiceException);
    expect(missing).toMatchObject({ name: 'ValidationError', message: `Stack with id ${input.stackName} does not exist`, $metadata: { httpStatusCode: 400 } });
    expect([...world.ec2.vpcs.keys()]).not.toContain(outputs.VPC?.OutputValue);
    expect([...publicSubnets, ...privateSubnets].some((id: string) => world.ec2.subnets.has(id))).toBe(false);
    expect(world.iam.byArn(roleArn)).toBeUndefined();
    expect(eks.clusters.has('newvpc')).toBe(false);
    expect((await cfn.send(new ListExportsCommand({}))).Exports?.some((e) => e.ExportingStackId === StackId)).toBe(false);
    const allEvents = await eventsOf(StackId ?? '');
    expect(allEvents.length).toBeGreaterThan(100); // more than one page
    expect(indexOf(allEvents, 'SubnetPublic1', 'DELETE_COMPLETE')).toBeLessThan(indexOf(allEvents, 'VPC', 'DELETE_IN_PROGRESS'));
    expect(indexOf(allEvents, 'ControlPlane', 'DELETE_COMPLETE')).toBeLessThan(indexOf(allEvents, 'ServiceRole', 'DELETE_IN_PROGRESS'));
    expect(allEvents.at(-1)).toMatchObject({ ResourceStatus: 'DELETE_COMPLETE', LogicalResourceId: input.stackName, ClientRequestToken: 'delete-newvpc' });
    // Deleting what is gone succeeds, as in AWS.
    await expect(cfn.send(new DeleteStackCommand({ StackName: input.stackName }))).resolves.toBeDefined();
  });

  it('existing subnets: the template reuses the caller’s VPC and subnets', async () => {
    world.ec2.vpcs.set(EXISTING_VPC_ID, { vpcId: EXISTING_VPC_ID, cidrBlock: '10.50.0.0/16', tags: {} });
    [...EXISTING_PRIVATE_SUBNETS, ...EXISTING_PUBLIC_SUBNETS].forEach((subnetId, i) => {
      world.ec2.subnets.set(subnetId, { subnetId, vpcId: EXISTING_VPC_ID, cidrBlock: `10.50.${i * 16}.0/20`, availabilityZone: `us-east-1${'ab'[i % 2]}`, mapPublicIpOnLaunch: false, tags: {} });
    });
    const input = clusterTemplateInput({ name: 'existing', network: { subnets: { private: EXISTING_PRIVATE_SUBNETS, public: EXISTING_PUBLIC_SUBNETS } } });
    const template = renderClusterTemplate(input);

    await createStack({ StackName: input.stackName, TemplateBody: JSON.stringify(template) });
    const stack = await settled(input.stackName);

    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toMatchObject({ VPC: EXISTING_VPC_ID, SubnetsPrivate: EXISTING_PRIVATE_SUBNETS.join(','), SubnetsPublic: EXISTING_PUBLIC_SUBNETS.join(','), ClusterName: 'existing' });
    expect([...world.ec2.securityGroups.values()].filter((g) => g.vpcId === EXISTING_VPC_ID).length).toBeGreaterThanOrEqual(3);
  });
});

describe('CreateStack rules', () => {
  const template = vpcTemplate();

  it('the same ClientRequestToken returns the same stack; another token gets AlreadyExistsException', async () => {
    const first = await createStack({ StackName: 'token-stack', TemplateBody: template, ClientRequestToken: 'token-1' });
    const again = await createStack({ StackName: 'token-stack', TemplateBody: template, ClientRequestToken: 'token-1' });
    const other = await rejectionOf(createStack({ StackName: 'token-stack', TemplateBody: template, ClientRequestToken: 'token-2' }));
    const none = await rejectionOf(createStack({ StackName: 'token-stack', TemplateBody: template }));

    expect(again.StackId).toBe(first.StackId);
    expect(other).toMatchObject({ name: 'AlreadyExistsException', message: 'Stack [token-stack] already exists', $fault: 'client' });
    expect(none.name).toBe('AlreadyExistsException');
    const { StackSummaries } = await cfn.send(new ListStacksCommand({}));
    expect(StackSummaries?.filter((s) => s.StackName === 'token-stack')).toHaveLength(1);
    expect((await settled('token-stack')).StackStatus).toBe('CREATE_COMPLETE');
  });

  it('templates and parameters are checked before anything is created', async () => {
    const cases: Array<[string, Partial<CreateStackCommandInput>, string, string]> = [
      ['bad JSON', { TemplateBody: '{"Resources": ' }, 'ValidationError', 'Template format error: JSON not well-formed.'],
      ['no resources', { TemplateBody: '{"Resources": {}}' }, 'ValidationError', 'Template format error: At least one Resources member must be defined.'],
      ['a Ref to nothing', { TemplateBody: vpcTemplate({ Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: { Ref: 'Nope' } } } }) }, 'ValidationError', 'Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template'],
      ['a cycle', { TemplateBody: JSON.stringify({ Resources: { A: { Type: 'AWS::EC2::VPC', DependsOn: 'B', Properties: { CidrBlock: '10.0.0.0/16' } }, B: { Type: 'AWS::EC2::VPC', DependsOn: 'A', Properties: { CidrBlock: '10.1.0.0/16' } } } }) }, 'ValidationError', 'Circular dependency between resources: [A, B]'],
      ['a missing parameter', { TemplateBody: JSON.stringify({ Parameters: { Cidr: { Type: 'String' } }, Resources: { V: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'Cidr' } } } } }) }, 'ValidationError', 'Parameters: [Cidr] must have values'],
      ['an unknown parameter', { TemplateBody: template, Parameters: [{ ParameterKey: 'Extra', ParameterValue: 'x' }] }, 'ValidationError', 'Parameters: [Extra] do not exist in the template'],
      ['IAM without the capability', { TemplateBody: JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } } }), Capabilities: [] }, 'InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]'],
      ['a RoleARN that does not exist', { RoleARN: 'arn:aws:iam::000000000000:role/never-made' }, 'ValidationError', 'Role arn:aws:iam::000000000000:role/never-made is invalid or cannot be assumed'],
      ['a RoleARN that does not trust CloudFormation', { RoleARN: 'arn:aws:iam::000000000000:role/lambda-only' }, 'ValidationError', 'Role arn:aws:iam::000000000000:role/lambda-only is invalid or cannot be assumed'],
      ['a bad stack name', { StackName: '1-bad_name' }, 'ValidationError', "1 validation error detected: Value '1-bad_name' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"],
    ];
    const lambdaTrust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    world.iam.roles.set('lambda-only', { arn: 'arn:aws:iam::000000000000:role/lambda-only', roleName: 'lambda-only', path: '/', assumeRolePolicyDocument: lambdaTrust, managedPolicyArns: [], tags: {} });
    for (const [what, input, code, message] of cases) {
      const error = await rejectionOf(createStack({ StackName: 'checked', TemplateBody: template, ...input }));
      expect({ what, name: error.name, message: error.message }).toEqual({ what, name: code, message });
    }
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'checked' }))).rejects.toThrow('Stack with id checked does not exist');
  });

  it('a role whose permissions boundary does not exist fails as in IAM, and the stack rolls back', async () => {
    const missing = 'arn:aws:iam::000000000000:policy/eks-provisioner/never-deployed';
    const role = (boundary: string) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] }, PermissionsBoundary: boundary } });

    await createStack({ StackName: 'unbounded', TemplateBody: vpcTemplate({ Role: role(missing) }) });
    const stack = await settled('unbounded');

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect((await eventsOf('unbounded')).find((e) => e.LogicalResourceId === 'Role' && e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toContain(`Scope ARN: ${missing} does not exist or is not attachable.`);
  });

  it('ValidateTemplate reports parameters and capabilities; YAML short forms are understood', async () => {
    const yaml = [
      'Description: yaml',
      'Parameters:',
      '  Cidr: {Type: String, Default: 10.9.0.0/16}',
      'Resources:',
      '  VPC: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}',
      '  Role:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      AssumeRolePolicyDocument: {Statement: []}',
      'Outputs:',
      '  Block: {Value: !Select [1, !Cidr [!GetAtt VPC.CidrBlock, 4, 8]]}',
      '  Named: {Value: !Sub "${AWS::StackName}-${VPC}"}',
    ].join('\n');

    const validated = await cfn.send(new ValidateTemplateCommand({ TemplateBody: yaml }));
    await createStack({ StackName: 'yaml-stack', TemplateBody: yaml });
    const stack = await settled('yaml-stack');

    expect(validated).toMatchObject({ Description: 'yaml', Capabilities: ['CAPABILITY_IAM'], CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]', Parameters: [{ ParameterKey: 'Cidr', DefaultValue: '10.9.0.0/16', NoEcho: false }] });
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs.Block).toBe('10.9.1.0/24');
    expect(outputs.Named).toMatch(/^yaml-stack-vpc-0[0-9a-f]{16}$/);
  });
});

describe('intrinsic functions, parameters and conditions', () => {
  it('evaluates Ref, GetAtt, Sub, Join, Select, Split, If, Equals, Not, And, Or, GetAZs, Cidr, Base64, FindInMap and NoValue', async () => {
    const template = {
      Parameters: {
        Env: { Type: 'String', AllowedValues: ['dev', 'prod'] },
        Zones: { Type: 'Number', Default: 3 },
        Names: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
        Secret: { Type: 'String', NoEcho: true, Default: 'hunter2' },
      },
      Mappings: { Sizes: { dev: { Cidr: '10.1.0.0/16' }, prod: { Cidr: '10.2.0.0/16' } } },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        DevInUsEast1: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }] },
        Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
      },
      Resources: {
        VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Cidr'] }, EnableDnsSupport: { 'Fn::If': ['IsProd', true, { Ref: 'AWS::NoValue' }] } } },
        Subnet: {
          Type: 'AWS::EC2::Subnet',
          Properties: {
            VpcId: { Ref: 'VPC' },
            CidrBlock: { 'Fn::Select': [2, { 'Fn::Cidr': [{ 'Fn::GetAtt': ['VPC', 'CidrBlock'] }, 4, '12'] }] },
            AvailabilityZone: { 'Fn::Select': [{ 'Fn::Sub': '${Zones}' }, { 'Fn::GetAZs': { Ref: 'AWS::Region' } }] },
          },
        },
        OnlyInProd: { Type: 'AWS::EC2::InternetGateway', Condition: 'IsProd' },
        Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' },
      },
      Outputs: {
        Cidr: { Value: { 'Fn::GetAtt': ['Subnet', 'CidrBlock'] } },
        Zone: { Value: { 'Fn::GetAtt': 'Subnet.AvailabilityZone' } },
        Joined: { Value: { 'Fn::Join': ['|', { 'Fn::Split': [',', { 'Fn::Join': [',', { Ref: 'Names' }] }] }] } },
        Second: { Value: { 'Fn::Select': ['1', { Ref: 'Names' }] } },
        Sub: { Value: { 'Fn::Sub': ['${AWS::StackName}/${AWS::Region}/${AWS::AccountId}/${AWS::Partition}/${AWS::URLSuffix}/${X}/${!Literal}', { X: { Ref: 'Env' } }] } },
        Encoded: { Value: { 'Fn::Base64': { 'Fn::Sub': 'echo ${Env}' } } },
        Picked: { Value: { 'Fn::If': ['DevInUsEast1', 'dev-here', 'elsewhere'] } },
        Either: { Value: { 'Fn::If': ['Either', 'yes', 'no'] } },
        ProdOnly: { Condition: 'IsProd', Value: { Ref: 'OnlyInProd' } },
        Handle: { Value: { Ref: 'Handle' } },
      },
    };

    const { StackId } = await createStack({ StackName: 'intrinsics', TemplateBody: JSON.stringify(template), Parameters: [{ ParameterKey: 'Env', ParameterValue: 'dev' }] });
    const stack = await settled('intrinsics');

    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toEqual({
      Cidr: '10.1.32.0/20',
      Zone: 'us-east-1d',
      Joined: 'a|b|c',
      Second: 'b',
      Sub: `intrinsics/us-east-1/000000000000/aws/amazonaws.com/dev/\${Literal}`,
      Encoded: Buffer.from('echo dev').toString('base64'),
      Picked: 'dev-here',
      Either: 'yes',
      Handle: expect.stringMatching(/^intrinsics-Handle-[A-Z0-9]{12}$/),
    });
    expect(stack.Parameters).toEqual(expect.arrayContaining([{ ParameterKey: 'Secret', ParameterValue: '****' }, { ParameterKey: 'Zones', ParameterValue: '3' }]));
    const events = await eventsOf(StackId ?? '');
    expect(events.some((e) => e.LogicalResourceId === 'OnlyInProd')).toBe(false);
    expect(JSON.parse(events.find((e) => e.LogicalResourceId === 'VPC')?.ResourceProperties ?? '{}')).toEqual({ CidrBlock: '10.1.0.0/16' });
  });
});

describe('failures and rollbacks', () => {
  it('a stack-resource-failure fault rolls back: the root cause first, in-flight resources cancelled, the name blocked until deleted', async () => {
    const input = clusterTemplateInput({ name: 'faulty' });
    const body = JSON.stringify(renderClusterTemplate(input));
    const reason = 'Resource handler returned message: "Subnets specified must be in at least two different AZs" (HandlerErrorCode: InvalidRequest)';
    world.faults.add([{ kind: 'stack-resource-failure', logicalId: 'ControlPlane', reason }]);
    const vpcsBefore = world.ec2.vpcs.size;
    const rolesBefore = world.iam.roles.size;

    const { StackId } = await createStack({ StackName: input.stackName, TemplateBody: body, EnableTerminationProtection: true });
    const stack = await settled(input.stackName);
    const events = await eventsOf(input.stackName);

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const failed = events.filter((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failed[0]).toMatchObject({ LogicalResourceId: 'ControlPlane', ResourceStatusReason: reason });
    expect(failed.length).toBeGreaterThan(1);
    for (const event of failed.slice(1)) expect(event.ResourceStatusReason).toBe('Resource creation cancelled');
    const rollback = events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS');
    expect(rollback?.ResourceStatusReason).toBe(`The following resource(s) failed to create: [${failed.map((e) => e.LogicalResourceId).join(', ')}]. Rollback requested by user.`);
    expect(events.at(-1)).toMatchObject({ LogicalResourceId: input.stackName, ResourceStatus: 'ROLLBACK_COMPLETE' });
    expect(indexOf(events, 'VPC', 'DELETE_COMPLETE')).toBeGreaterThan(indexOf(events, 'SubnetPublic1', 'DELETE_COMPLETE'));
    expect(rootCauseFromStackEvents(events.map((e) => ({ logicalResourceId: e.LogicalResourceId, resourceType: e.ResourceType, resourceStatus: e.ResourceStatus, resourceStatusReason: e.ResourceStatusReason, timestamp: e.Timestamp })))).toEqual({
      resource: 'ControlPlane (AWS::EKS::Cluster)',
      message: `ControlPlane (AWS::EKS::Cluster) CREATE_FAILED: ${reason}`,
    });
    // Nothing is left behind.
    expect(world.ec2.vpcs.size).toBe(vpcsBefore);
    expect(world.iam.roles.size).toBe(rolesBefore);

    // ROLLBACK_COMPLETE keeps the name until the stack is deleted (termination protection first).
    world.faults.clear();
    await expect(createStack({ StackName: input.stackName, TemplateBody: body })).rejects.toMatchObject({ name: 'AlreadyExistsException' });
    await expect(cfn.send(new DeleteStackCommand({ StackName: input.stackName }))).rejects.toMatchObject({ name: 'ValidationError' });
    await cfn.send(new UpdateTerminationProtectionCommand({ StackName: input.stackName, EnableTerminationProtection: false }));
    await cfn.send(new DeleteStackCommand({ StackName: input.stackName }));
    expect((await settled(StackId ?? '')).StackStatus).toBe('DELETE_COMPLETE');
    const { StackId: secondId } = await createStack({ StackName: input.stackName, TemplateBody: body });
    expect(secondId).not.toBe(StackId);
    expect((await settled(input.stackName)).StackStatus).toBe('CREATE_COMPLETE');
  });

  it('OnFailure DO_NOTHING leaves CREATE_FAILED with what was created; DELETE deletes the stack', async () => {
    world.faults.add([{ kind: 'stack-resource-failure', logicalId: 'Sg', reason: 'boom', stack: 'keep-it' }, { kind: 'stack-resource-failure', logicalId: 'Sg', reason: 'boom', stack: 'drop-it' }]);
    const template = vpcTemplate({ Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: { Ref: 'VPC' } } } });

    await createStack({ StackName: 'keep-it', TemplateBody: template, OnFailure: 'DO_NOTHING' });
    const { StackId: dropId } = await createStack({ StackName: 'drop-it', TemplateBody: template, OnFailure: 'DELETE' });
    const kept = await settled('keep-it');
    const dropped = await settled(dropId ?? '');

    expect(kept).toMatchObject({ StackStatus: 'CREATE_FAILED', StackStatusReason: 'The following resource(s) failed to create: [Sg]. ', DisableRollback: true });
    const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'keep-it' }));
    expect(StackResources?.map((r) => [r.LogicalResourceId, r.ResourceStatus])).toEqual([
      ['VPC', 'CREATE_COMPLETE'],
      ['Sg', 'CREATE_FAILED'],
    ]);
    expect(world.ec2.vpcs.has(StackResources?.[0]?.PhysicalResourceId ?? '')).toBe(true);
    expect(dropped.StackStatus).toBe('DELETE_COMPLETE');
    expect(statusesOf(await eventsOf(dropId ?? ''), 'drop-it')).toEqual(['CREATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  });

  it.each([
    ['an unsupported property', { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: { Ref: 'VPC' }, Foo: 'bar' } }, 'Encountered unsupported property Foo'],
    ['a missing required property', { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { Ref: 'VPC' } } }, 'Properties validation failed for resource Broken with message: [#: required key [GroupDescription] not found]'],
    ['an unknown resource type', { Type: 'AWS::EC2::Vpcc', Properties: {} }, 'Template format error: Unrecognized resource types: [AWS::EC2::Vpcc]'],
    ['an unknown GetAtt attribute', { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: { 'Fn::GetAtt': ['VPC', 'Id'] } } }, 'Template error: resource VPC does not support attribute type Id in Fn::GetAtt'],
    ['a nested value of the wrong shape', { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: { Ref: 'VPC' }, Tags: { k: 'v' } } }, 'Properties validation failed for resource Broken with message: [#.Tags: expected a list, got {"k":"v"}]'],
    ['an import of a missing export', { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: { 'Fn::ImportValue': 'no-such-export' } } }, 'No export named no-such-export found'],
    ['a subnet outside its VPC', { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: '10.9.0.0/24' } }, /^Resource handler returned message: "The CIDR '10\.9\.0\.0\/24' is invalid\. \(Service: Ec2, Status Code: 400, Request ID: .+\)" \(RequestToken: .+, HandlerErrorCode: InvalidRequest\)$/],
  ])('%s fails that resource with the reason and rolls the stack back', async (_, broken, reason) => {
    const name = `broken-${Math.random().toString(36).slice(2, 8)}`;
    await createStack({ StackName: name, TemplateBody: vpcTemplate({ Broken: { ...broken, DependsOn: 'VPC' } }) });
    const stack = await settled(name);
    const events = await eventsOf(name);

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const failure = events.find((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failure?.LogicalResourceId).toBe('Broken');
    expect(failure?.ResourceStatusReason).toEqual(typeof reason === 'string' ? reason : expect.stringMatching(reason));
    expect(statusesOf(events, 'VPC')).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  });

  it('exports are unique per region, imports resolve, and an imported export blocks its stack’s deletion', async () => {
    const exporting = vpcTemplate({}, { Id: { Value: { Ref: 'VPC' }, Export: { Name: 'shared-vpc' } } });
    const importing = JSON.stringify({ Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: { 'Fn::ImportValue': 'shared-vpc' } } } } });

    await createStack({ StackName: 'exporter', TemplateBody: exporting });
    expect((await settled('exporter')).StackStatus).toBe('CREATE_COMPLETE');
    await createStack({ StackName: 'duplicate-exporter', TemplateBody: exporting });
    await createStack({ StackName: 'importer', TemplateBody: importing });
    const duplicate = await settled('duplicate-exporter');
    const importer = await settled('importer');

    expect(duplicate).toMatchObject({ StackStatus: 'ROLLBACK_COMPLETE' });
    const duplicateEvents = await eventsOf('duplicate-exporter');
    expect(duplicateEvents.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason).toBe('Export with name shared-vpc is already exported by stack exporter. Rollback requested by user.');
    expect(importer.StackStatus).toBe('CREATE_COMPLETE');

    await cfn.send(new DeleteStackCommand({ StackName: 'exporter' }));
    expect(await settled('exporter')).toMatchObject({ StackStatus: 'DELETE_FAILED', StackStatusReason: 'Export shared-vpc cannot be deleted as it is in use by importer' });
    await cfn.send(new DeleteStackCommand({ StackName: 'importer' }));
    await expect(settled('importer')).rejects.toThrow('Stack with id importer does not exist');
    await cfn.send(new DeleteStackCommand({ StackName: 'exporter' }));
    await expect(settled('exporter')).rejects.toThrow('Stack with id exporter does not exist');
    const { StackSummaries } = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }));
    expect(StackSummaries?.map((s) => s.StackName)).toEqual(expect.arrayContaining(['importer', 'exporter']));
    expect((await cfn.send(new ListExportsCommand({}))).Exports?.map((e) => e.Name)).not.toContain('shared-vpc');
  });

  it('DELETE_FAILED when the EKS backend refuses (nodegroups remain); a later delete succeeds', async () => {
    const input = clusterTemplateInput({ name: 'stuck' });
    await createStack({ StackName: input.stackName, TemplateBody: JSON.stringify(renderClusterTemplate(input)) });
    expect((await settled(input.stackName)).StackStatus).toBe('CREATE_COMPLETE');
    eks.deleteRefusal = 'Cluster has nodegroups attached';

    await cfn.send(new DeleteStackCommand({ StackName: input.stackName, ClientRequestToken: 'delete-1' }));
    const failed = await settled(input.stackName);
    const events = await eventsOf(input.stackName);

    expect(failed).toMatchObject({ StackStatus: 'DELETE_FAILED', StackStatusReason: 'The following resource(s) failed to delete: [ControlPlane]. ' });
    expect(events.find((e) => e.ResourceStatus === 'DELETE_FAILED' && e.LogicalResourceId === 'ControlPlane')?.ResourceStatusReason).toMatch(/^Resource handler returned message: "Cluster has nodegroups attached \(Service: Eks, Status Code: 409/);
    // Resources the cluster depends on stay; those depending on it are gone.
    expect(statusesOf(events, 'ServiceRole').at(-1)).toBe('CREATE_COMPLETE');
    expect(statusesOf(events, 'IngressNodeToDefaultClusterSG').at(-1)).toBe('DELETE_COMPLETE');

    eks.deleteRefusal = undefined;
    await cfn.send(new DeleteStackCommand({ StackName: input.stackName, ClientRequestToken: 'delete-1' })); // same token: already handled
    expect((await cfn.send(new DescribeStacksCommand({ StackName: input.stackName }))).Stacks?.[0]?.StackStatus).toBe('DELETE_FAILED');
    await cfn.send(new DeleteStackCommand({ StackName: input.stackName, ClientRequestToken: 'delete-2' }));
    await expect(settled(input.stackName)).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('TimeoutInMinutes: a create that outlasts it fails and rolls back', async () => {
    const template = vpcTemplate({
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: '10.0.0.0/24' } },
      Ip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
      Nat: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: 'Subnet' }, AllocationId: { 'Fn::GetAtt': ['Ip', 'AllocationId'] } } },
    });

    await createStack({ StackName: 'slow', TemplateBody: template, TimeoutInMinutes: 1 });
    const stack = await settled('slow');
    const events = await eventsOf('slow');

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(events.find((e) => e.LogicalResourceId === 'Nat' && e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toBe('Resource creation cancelled');
    expect(events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason).toBe('Stack creation time exceeded the specified timeout. Rollback requested by user.');
  });

  it('DeleteStack while creating cancels what is in flight and deletes what was made', async () => {
    const input = clusterTemplateInput({ name: 'impatient' });
    const { StackId } = await createStack({ StackName: input.stackName, TemplateBody: JSON.stringify(renderClusterTemplate(input)) });
    await sleep(30);

    await cfn.send(new DeleteStackCommand({ StackName: input.stackName }));
    const deleted = await settled(StackId ?? '');

    expect(deleted.StackStatus).toBe('DELETE_COMPLETE');
    const events = await eventsOf(StackId ?? '');
    expect(events.some((e) => e.ResourceStatusReason === 'Resource creation cancelled')).toBe(true);
    expect(events.some((e) => e.ResourceStatus === 'CREATE_COMPLETE' && e.LogicalResourceId === input.stackName)).toBe(false);
    expect(eks.clusters.has('impatient')).toBe(false);
  });
});

describe('ListStacks', () => {
  it('filters by status and pages through every stack, so the service’s listStacks finds them all', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `listed-${i}`);
    for (const name of names) await createStack({ StackName: name, TemplateBody: vpcTemplate() });
    await cfn.send(new DeleteStackCommand({ StackName: 'listed-0' }));
    await expect(settled('listed-0')).rejects.toThrow('does not exist');

    const deleted = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }));
    const found = await new SdkCloudFormation(() => cfn).listStacks('listed-');

    expect(deleted.StackSummaries?.map((s) => s.StackName)).toContain('listed-0');
    expect(found.map((s) => s.stackName).sort()).toEqual(names.slice(1).sort());
    expect(world.calls.filter((c) => c === 'cloudformation:ListStacks').length).toBeGreaterThanOrEqual(3);
  });
});

describe('the wire protocol', () => {
  it('an action the emulator lacks is a proper InvalidAction service exception', async () => {
    const error = await rejectionOf(cfn.send(new CreateChangeSetCommand({ StackName: 'x', ChangeSetName: 'y', TemplateBody: vpcTemplate() })));

    expect(error).toBeInstanceOf(CloudFormationServiceException);
    expect(error).toMatchObject({ name: 'InvalidAction', message: 'Could not find operation CreateChangeSet for version 2010-05-15', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect((error.$metadata as { requestId?: string }).requestId).toBeTruthy();
  });

  it('a throttle fault at rate 1 reaches the SDK as Throttling', async () => {
    world.faults.add([{ kind: 'throttle', service: 'cloudformation', rate: 1 }]);
    const once = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const error = await rejectionOf(once.send(new DescribeStacksCommand({})));

      expect(error).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    } finally {
      once.destroy();
    }
  });

  it('every served call is counted', async () => {
    const before = world.calls.length;
    await cfn.send(new DescribeStacksCommand({}));
    await cfn.send(new DescribeStackEventsCommand({ StackName: 'token-stack' }));

    expect(world.calls.slice(before)).toEqual(['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents']);
  });
});
