/**
 * The kube agent's resources through the local CloudFormation: an AWS::Lambda::Function attached
 * to a VPC is Pending while Lambda makes its ENIs (one per subnet, shown by EC2), Active after —
 * and the stack completes only then; its code is an S3 location the local runtime registered, an
 * unregistered one fails as Lambda's GetObject does; a delete removes the function, its log group
 * and its ENIs; a saved world brings the function back, invocable once its code is registered.
 */
import { CloudFormationClient, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, type StackEvent } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { restoreWorld, snapshotWorld, type WorldSnapshot } from '../../local/emulator/persistence';
import { createCloudFormationService, type CloudFormationService } from '../../local/emulator/services/cloudformation';
import { createEc2Service } from '../../local/emulator/services/ec2';
import { createIamService } from '../../local/emulator/services/iam';
import { createLambdaService } from '../../local/emulator/services/lambda';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { awsCli } from '../support/aws-tools';
import { queryPost } from '../support/aws-tools';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';
import { AGENT_CODE, NETWORK_TEMPLATE, agentTemplate, deployStack, outputOf } from '../support/vpc-stacks';

// Slow enough that the 30–90 emulated seconds of Pending last 0.3–0.9 s: long enough to be seen.
const SCALE = 0.01;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Cloud {
  world: World;
  emulator: RunningEmulator;
  cloudFormation: CloudFormationClient;
  lambda: LambdaClient;
  stop(): Promise<void>;
}

async function startCloud(restore?: WorldSnapshot): Promise<Cloud> {
  const world = new World({ timeScale: SCALE, ...(restore ? { emulatedStart: restore.emulatedNow } : {}) });
  const cfn: CloudFormationService = createCloudFormationService(world);
  const emulator = await startEmulator({ timeScale: SCALE, services: [cfn, createEc2Service(world), createIamService(world), createLambdaService(world)] }, world);
  await cfn.warmUp();
  if (restore) {
    restoreWorld(world, restore);
    cfn.engine.resume();
  }
  const cloudFormation = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
  const lambda = new LambdaClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  return {
    world,
    emulator,
    cloudFormation,
    lambda,
    async stop() {
      cloudFormation.destroy();
      lambda.destroy();
      emulator.server.closeAllConnections();
      await emulator.close();
    },
  };
}

const echo = async (event: unknown) => ({ echoed: event });

let cloud: Cloud;
let vpcId: string;
let subnetIds: string[];
let controlPlaneSecurityGroupId: string;

beforeAll(async () => {
  cloud = await startCloud();
  cloud.world.functions.registerCode(AGENT_CODE, echo);
  const network = await deployStack(cloud.cloudFormation, 'network', NETWORK_TEMPLATE);
  vpcId = outputOf(network, 'VpcId');
  subnetIds = outputOf(network, 'PrivateSubnets').split(',');
  // Stands for the cluster security group EKS makes (the agent's stack adds its 443 rule to it).
  controlPlaneSecurityGroupId = cloud.world.newId('sg');
  cloud.world.ec2.securityGroups.set(controlPlaneSecurityGroupId, { groupId: controlPlaneSecurityGroupId, vpcId, description: 'EKS created security group', tags: {} });
}, 60_000);

afterAll(() => cloud?.stop());

function lambdaInterfaces(world: World, functionName: string) {
  return [...world.ec2.networkInterfaces.values()].filter((eni) => eni.interfaceType === 'lambda' && eni.description.startsWith(`AWS Lambda VPC ENI-${functionName}-`));
}

describe('a VPC function deployed by a stack', () => {
  const name = 'eksp-kube-agent-demo';
  let states: string[];
  let pendingInvoke: { name?: string; message?: string; status?: number } | undefined;

  beforeAll(async () => {
    states = [];
    const template = agentTemplate({ functionName: name, vpcId, subnetIds, controlPlaneSecurityGroupId });
    const creating = deployStack(cloud.cloudFormation, 'agent', template);
    // Watch the function while the stack creates it.
    await until(
      async () => {
        const found = await cloud.lambda.send(new GetFunctionCommand({ FunctionName: name })).catch(() => undefined);
        const state = found?.Configuration?.State;
        if (state && states.at(-1) !== state) states.push(state);
        if (state === 'Pending' && !pendingInvoke) {
          pendingInvoke = await cloud.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') })).then(
            () => ({}),
            (error: { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }),
          );
        }
        return state;
      },
      (state) => state === 'Active',
      `${name} Active`,
      20_000,
    );
    const stack = await creating;
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  }, 60_000);

  it('is Pending while Lambda makes its ENIs, then Active, sampled from 30–90 emulated seconds', () => {
    expect(states).toEqual(['Pending', 'Active']);
    const sample = cloud.world.durations.samples.find((s) => s.kind === 'lambdaVpcFunctionActive' && s.resource === `lambda/${name}`);
    expect(sample!.seconds).toBeGreaterThanOrEqual(30);
    expect(sample!.seconds).toBeLessThanOrEqual(90);
  });

  it('refuses invocations while Pending, in Lambda’s words', () => {
    expect(pendingInvoke).toEqual({ name: 'ResourceConflictException', status: 409, message: 'The operation cannot be performed at this time. The function is currently in the following state: Pending' });
  });

  it('completes in CloudFormation only once Active', async () => {
    const events: StackEvent[] = (await cloud.cloudFormation.send(new DescribeStackEventsCommand({ StackName: 'agent' }))).StackEvents ?? [];
    const complete = events.find((e) => e.LogicalResourceId === 'KubeAgentFunction' && e.ResourceStatus === 'CREATE_COMPLETE')!;
    const deployed = cloud.world.functions.deployed.get(cloud.world.functions.arnOf(name)!)!;
    expect(complete.Timestamp!.getTime()).toBeGreaterThanOrEqual(deployed.activeAt);
    expect(complete.PhysicalResourceId).toBe(name);
  });

  it('answers GetFunction and ListFunctions with its state, VpcConfig and role', async () => {
    const { Configuration: configuration } = await cloud.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const roleArn = cloud.world.iam.byArn(configuration!.Role!)?.arn;

    expect(configuration).toMatchObject({ FunctionName: name, State: 'Active', Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 256, Timeout: 30, LoggingConfig: { LogGroup: `/aws/lambda/${name}` } });
    expect(configuration!.VpcConfig).toMatchObject({ VpcId: vpcId, SubnetIds: subnetIds });
    expect(roleArn).toBe(configuration!.Role);
    const listed = (await cloud.lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
    expect(listed.map((f) => f.FunctionName)).toContain(name);
  });

  it('has one requester-managed lambda ENI per subnet, in use, with an address of the subnet and the function’s security group', async () => {
    const interfaces = lambdaInterfaces(cloud.world, name);
    const answer = await queryPost(cloud.emulator.url, 'ec2', { Action: 'DescribeNetworkInterfaces', Version: '2016-11-15', 'Filter.1.Name': 'interface-type', 'Filter.1.Value.1': 'lambda' });

    expect(interfaces.map((eni) => eni.subnetId).sort()).toEqual([...subnetIds].sort());
    const agentGroup = cloud.world.functions.deployed.get(cloud.world.functions.arnOf(name)!)!.vpc!.securityGroupIds;
    for (const eni of interfaces) {
      expect(eni).toMatchObject({ status: 'in-use', securityGroupIds: agentGroup });
      expect(eni.description).toMatch(new RegExp(`^AWS Lambda VPC ENI-${name}-[0-9a-f-]{36}$`));
      expect(eni.privateIpAddress.startsWith(cloud.world.ec2.subnets.get(eni.subnetId)!.cidrBlock.split('.').slice(0, 3).join('.'))).toBe(true);
    }
    expect(answer.all('networkInterfaceId')).toEqual(expect.arrayContaining(interfaces.map((eni) => eni.networkInterfaceId)));
    expect(answer.all('requesterManaged')).toContain('true');
  });

  itWith(tools.awsCli, 'the AWS CLI')('shows the ENIs to `aws ec2 describe-network-interfaces`', async () => {
    const run = await awsCli(cloud.emulator.url, 'ec2', 'describe-network-interfaces', '--filters', 'Name=interface-type,Values=lambda', '--region', 'us-east-1');

    const found = (run.json as { NetworkInterfaces: Array<{ Description: string; InterfaceType: string; RequesterManaged: boolean; Status: string }> }).NetworkInterfaces.filter((eni) => eni.Description.startsWith(`AWS Lambda VPC ENI-${name}-`));
    expect(found).toHaveLength(subnetIds.length);
    for (const eni of found) expect(eni).toMatchObject({ InterfaceType: 'lambda', RequesterManaged: true, Status: 'in-use' });
  });

  it('runs its registered code when invoked', async () => {
    const result = await cloud.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"ping":1}') }));

    expect(JSON.parse(Buffer.from(result.Payload!).toString())).toEqual({ echoed: { ping: 1 } });
  });

  it('is removed with its log group and ENIs when the stack is deleted', async () => {
    await cloud.cloudFormation.send(new DeleteStackCommand({ StackName: 'agent' }));
    await until(
      async () => (await cloud.cloudFormation.send(new DescribeStacksCommand({ StackName: 'agent' })).catch(() => ({ Stacks: [] }))).Stacks?.[0]?.StackStatus,
      (status) => status === undefined || status === 'DELETE_COMPLETE',
      'agent stack deleted',
      20_000,
    );

    await expect(cloud.lambda.send(new GetFunctionCommand({ FunctionName: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(cloud.world.logs.groups.has(`/aws/lambda/${name}`)).toBe(false);
    expect(lambdaInterfaces(cloud.world, name)).toEqual([]);
  });
});

describe('a function whose code location nobody registered', () => {
  it('fails to create with Lambda’s message for a missing S3 object, and the stack rolls back', async () => {
    const template = agentTemplate({ functionName: 'eksp-kube-agent-missing', vpcId, subnetIds, code: { s3Bucket: 'eksp-local-assets', s3Key: 'kube-agent/missing.zip' } });

    await deployStack(cloud.cloudFormation, 'agent-missing-code', template);

    const events = (await cloud.cloudFormation.send(new DescribeStackEventsCommand({ StackName: 'agent-missing-code' }))).StackEvents ?? [];
    const failed = events.find((e) => e.LogicalResourceId === 'KubeAgentFunction' && e.ResourceStatus === 'CREATE_FAILED')!;
    expect(failed.ResourceStatusReason).toMatch(/^Resource handler returned message: "Error occurred while GetObject\. S3 Error Code: NoSuchKey\. S3 Error Message: The specified key does not exist\. \(Service: Lambda, Status Code: 400, Request ID: [0-9a-f-]+\)"/);
    expect(cloud.world.functions.get('eksp-kube-agent-missing')).toBeUndefined();
    expect(lambdaInterfaces(cloud.world, 'eksp-kube-agent-missing')).toEqual([]);
  });
});

describe('a stack-made function across a restart', () => {
  it('comes back from the saved world and runs once the runtime registers its code again', async () => {
    const name = 'eksp-kube-agent-saved';
    const stack = await deployStack(cloud.cloudFormation, 'agent-saved', agentTemplate({ functionName: name, vpcId, subnetIds }));
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const saved = JSON.parse(JSON.stringify(snapshotWorld(cloud.world))) as WorldSnapshot;

    const next = await startCloud(saved);
    try {
      const before = await next.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') })).catch((error: Error) => error);
      next.world.functions.registerCode(AGENT_CODE, async (event) => ({ restored: event }));
      const result = await next.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"n":2}') }));
      const { Configuration: configuration } = await next.lambda.send(new GetFunctionCommand({ FunctionName: name }));

      expect(before).toMatchObject({ name: 'ServiceException', message: expect.stringContaining('no code registered for s3://eksp-local-assets/kube-agent/index.zip') });
      expect(JSON.parse(Buffer.from(result.Payload!).toString())).toEqual({ restored: { n: 2 } });
      expect(configuration).toMatchObject({ State: 'Active', VpcConfig: { VpcId: vpcId } });
      expect(lambdaInterfaces(next.world, name)).toHaveLength(subnetIds.length);
      expect(next.world.logs.groups.get(`/aws/lambda/${name}`)).toMatchObject({ retentionInDays: 30 });
    } finally {
      await next.stop();
    }
  }, 60_000);
});
