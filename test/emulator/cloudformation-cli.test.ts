/**
 * Conformance: the AWS CLI (v1, botocore — a client written independently of the SDK v3) against
 * the local CloudFormation endpoint. Each test shows as skipped, with its reason, when its tool is not
 * installed; required under CI=true.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { tools, itWith } from '../support/third-party';

const run = promisify(execFile);

let emulator: RunningEmulator;
let world: World;
let dir: string;

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  emulator = await startEmulator({ timeScale: 0.001, services: [createCloudFormationService(world)] }, world);
  dir = mkdtempSync(join(tmpdir(), 'cfn-cli-'));
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // The caller's environment (PATH, pyenv) minus any AWS settings, plus local credentials.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  const env = {
    ...inherited,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_MAX_ATTEMPTS: '1',
  };
  try {
    const { stdout, stderr } = await run('aws', ['cloudformation', ...args, '--endpoint-url', emulator.url, '--output', 'json'], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const template = {
  Parameters: { Cidr: { Type: 'String', Default: '10.7.0.0/16' } },
  Resources: {
    VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'Cidr' }, Tags: [{ Key: 'Name', Value: 'cli' }] } },
    Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: { 'Fn::Select': [0, { 'Fn::Cidr': [{ 'Fn::GetAtt': ['VPC', 'CidrBlock'] }, 2, '8'] }] } } },
  },
  Outputs: { SubnetId: { Value: { Ref: 'Subnet' }, Export: { Name: 'cli-subnet' } } },
};

describe('the AWS CLI against the local CloudFormation endpoint', () => {
  itWith(tools.awsCli, 'the AWS CLI')('create-stack, describe-stacks, describe-stack-events, list-exports and errors parse as AWS’s', async () => {
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template));

    const created = await aws('create-stack', '--stack-name', 'cli-stack', '--template-body', `file://${file}`, '--tags', 'Key=team,Value=platform', '--client-request-token', 'cli-token');
    expect(created).toMatchObject({ code: 0 });
    const { StackId } = JSON.parse(created.stdout) as { StackId: string };
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/cli-stack\//);

    let stack: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      const described = await aws('describe-stacks', '--stack-name', 'cli-stack');
      expect(described).toMatchObject({ code: 0 });
      stack = (JSON.parse(described.stdout) as { Stacks: Array<Record<string, unknown>> }).Stacks[0] ?? {};
      if (!String(stack.StackStatus).endsWith('_IN_PROGRESS')) break;
    }
    expect(stack).toMatchObject({
      StackId,
      StackName: 'cli-stack',
      StackStatus: 'CREATE_COMPLETE',
      Parameters: [{ ParameterKey: 'Cidr', ParameterValue: '10.7.0.0/16' }],
      Tags: [{ Key: 'team', Value: 'platform' }],
      Outputs: [{ OutputKey: 'SubnetId', OutputValue: expect.stringMatching(/^subnet-0[0-9a-f]{16}$/), ExportName: 'cli-subnet' }],
      EnableTerminationProtection: false,
      DisableRollback: false,
    });
    expect(new Date(String(stack.CreationTime)).getTime()).not.toBeNaN();

    // Each CLI start takes about a second: the read-only checks run side by side.
    const [all, events, exported, missing, duplicate] = await Promise.all([
      aws('describe-stacks'),
      aws('describe-stack-events', '--stack-name', 'cli-stack'),
      aws('list-exports'),
      aws('describe-stacks', '--stack-name', 'no-such-stack'),
      aws('create-stack', '--stack-name', 'cli-stack', '--template-body', `file://${file}`),
    ]);

    expect((JSON.parse(all.stdout) as { Stacks: unknown[] }).Stacks).toHaveLength(1);
    const stackEvents = (JSON.parse(events.stdout) as { StackEvents: Array<Record<string, string>> }).StackEvents;
    expect(stackEvents[0]).toMatchObject({ LogicalResourceId: 'cli-stack', ResourceStatus: 'CREATE_COMPLETE', ClientRequestToken: 'cli-token' });
    expect(stackEvents.at(-1)).toMatchObject({ ResourceStatus: 'CREATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated' });
    expect(JSON.parse(exported.stdout)).toEqual({ Exports: [{ ExportingStackId: StackId, Name: 'cli-subnet', Value: expect.stringMatching(/^subnet-/) }] });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id no-such-stack does not exist');
    expect(duplicate.stderr).toContain('An error occurred (AlreadyExistsException) when calling the CreateStack operation: Stack [cli-stack] already exists');

    expect(await aws('delete-stack', '--stack-name', 'cli-stack')).toMatchObject({ code: 0 });
  }, 60_000);
});

describe('boto3 waiters against the local CloudFormation endpoint', () => {
  itWith(tools.boto3, 'python3 with boto3')('stack_create_complete succeeds on a complete stack and stops with an error on a rolled-back one', async () => {
    // botocore's own acceptors read our DescribeStacks: CREATE_COMPLETE is success, ROLLBACK_COMPLETE a failure state.
    const body = JSON.stringify({
      Resources: {
        VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.9.0.0/16' } },
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: '10.9.0.0/24' } },
        EIP: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
        NAT: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: 'Subnet' }, AllocationId: { 'Fn::GetAtt': ['EIP', 'AllocationId'] } } },
      },
    });
    world.faults.add([{ kind: 'stack-resource-failure', stack: 'waiter-broken', logicalId: 'NAT', reason: 'The maximum number of addresses has been reached.' }]);
    const script = `
import boto3, json, sys
from botocore.exceptions import WaiterError
cfn = boto3.client('cloudformation', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='local', aws_secret_access_key='local')
results = {}
for name in ('waiter-ok', 'waiter-broken'):
    cfn.create_stack(StackName=name, TemplateBody=sys.argv[2])
    try:
        cfn.get_waiter('stack_create_complete').wait(StackName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 60})
        results[name] = cfn.describe_stacks(StackName=name)['Stacks'][0]['StackStatus']
    except WaiterError as error:
        results[name] = 'WaiterError: ' + str(error.last_response['Stacks'][0]['StackStatus'])
print(json.dumps(results))
`;
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
    const { stdout } = await run('python3', ['-c', script, emulator.url, body], { env: inherited, timeout: 60_000 });

    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ 'waiter-ok': 'CREATE_COMPLETE', 'waiter-broken': 'WaiterError: ROLLBACK_COMPLETE' });
  });
});
