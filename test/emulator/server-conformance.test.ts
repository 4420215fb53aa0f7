/**
 * Conformance of the local EC2, EventBridge and Step Functions with third-party clients: the AWS
 * CLI v1 and boto3 (botocore's own parsers, not our SDK), and a differential check against
 * moto_server — the same boto3 calls against moto and against the emulator must return the same
 * response shapes (keys and value types) for the fields both return.
 *
 * Needs `aws`, `python3` with boto3, and `moto_server` on PATH. Without them these tests are
 * skipped with a warning, except under CI=true where they fail.
 */
import { spawnCollect } from '../support/aws-tools';
import { createEc2Service, seedDefaultNetwork } from '../../local/emulator/services/ec2';
import { createEventBridgeService } from '../../local/emulator/services/eventbridge';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { createStepFunctionsService } from '../../local/emulator/services/stepfunctions';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type ExecutionBackend, type ExecutionRecord } from '../../local/emulator/world';
import { startMoto, type RunningMoto } from '../support/moto';
import { commonShape, shapeOf } from '../support/shapes';
import { tools, itWith } from '../support/third-party';

/** Parsed JSON from the tools, navigated freely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:eksp-provision';


/** Isolated from any real AWS configuration on the machine. */
const toolEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PROFILE: '',
  AWS_SESSION_TOKEN: '',
  AWS_ENDPOINT_URL: '',
};
delete (toolEnv as Record<string, string | undefined>).AWS_PROFILE;
delete (toolEnv as Record<string, string | undefined>).AWS_SESSION_TOKEN;
delete (toolEnv as Record<string, string | undefined>).AWS_ENDPOINT_URL;

/** Runs a tool without blocking the event loop (the emulator answers from this process). */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnCollect(command, args, toolEnv);
}

async function aws(...args: string[]): Promise<{ code: number | null; json: Json; stderr: string }> {
  const { code, stdout, stderr } = await run('aws', [...args, '--endpoint-url', emulator.url, '--output', 'json']);
  return { code, json: stdout.trim() ? JSON.parse(stdout) : undefined, stderr };
}

class FakeExecutions implements ExecutionBackend {
  readonly records = new Map<string, ExecutionRecord>();
  async start(stateMachineArn: string, name: string, input: string) {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    this.records.set(executionArn, { executionArn, stateMachineArn, name, status: 'RUNNING', startDate: new Date(), input });
    return { executionArn, startDate: new Date() };
  }
  describe(arn: string) {
    return this.records.get(arn);
  }
  list(stateMachineArn: string, statusFilter?: string) {
    return [...this.records.values()].filter((r) => r.stateMachineArn === stateMachineArn && (!statusFilter || r.status === statusFilter));
  }
  history() {
    return [];
  }
  async stop() {}
  stateMachines() {
    return [{ stateMachineArn: STATE_MACHINE, name: 'eksp-provision' }];
  }
}

let world: World;
let emulator: RunningEmulator;
let vpcId: string;
let subnetId: string;
let backend: FakeExecutions;

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  backend = new FakeExecutions();
  world.executions = backend;
  emulator = await startEmulator(
    { timeScale: 0.001, services: [createEc2Service(world), createEventBridgeService(world, { buses: ['eks-provisioner'] }), createStepFunctionsService(world), createLocalControlService(world)] },
    world,
  );
  seedDefaultNetwork(world);
  vpcId = world.newId('vpc');
  world.ec2.vpcs.set(vpcId, { vpcId, cidrBlock: '10.0.0.0/16', tags: { Name: 'conformance' } });
  subnetId = world.newId('subnet');
  world.ec2.subnets.set(subnetId, { subnetId, vpcId, cidrBlock: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false, tags: { Name: 'x' } });
  await backend.start(STATE_MACHINE, 'op-cli', '{}');
});

afterAll(async () => {
  await emulator.close();
});

describe('AWS CLI v1 against the emulator', () => {
  itWith(tools.awsCli, 'the AWS CLI')('aws ec2 describe-subnets', async () => {
    const { code, json, stderr } = await aws('ec2', 'describe-subnets', '--subnet-ids', subnetId);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(json.Subnets).toEqual([expect.objectContaining({ SubnetId: subnetId, VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a', AvailableIpAddressCount: 251, DefaultForAz: false, Tags: [{ Key: 'Name', Value: 'x' }] })]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws ec2 describe-subnets --filters and an unknown id', async () => {
    const [filtered, missing] = await Promise.all([aws('ec2', 'describe-subnets', '--filters', 'Name=default-for-az,Values=true'), aws('ec2', 'describe-subnets', '--subnet-ids', 'subnet-0123456789abcdef0')]);

    expect(filtered.json.Subnets.map((s: { AvailabilityZone: string }) => s.AvailabilityZone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("(InvalidSubnetID.NotFound) when calling the DescribeSubnets operation: The subnet ID 'subnet-0123456789abcdef0' does not exist");
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws events put-events', async () => {
    const entries = JSON.stringify([{ Source: 'eks-provisioner', DetailType: 'EKS Cluster Operation Status Change', Detail: '{"status":"IN_PROGRESS"}', EventBusName: 'eks-provisioner' }]);

    const { code, json } = await aws('events', 'put-events', '--entries', entries);

    expect(code).toBe(0);
    expect(json).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(world.busEvents.at(-1)).toMatchObject({ id: json.Entries[0].EventId, bus: 'eks-provisioner', detail: { status: 'IN_PROGRESS' } });
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws stepfunctions list-executions', async () => {
    const { code, json } = await aws('stepfunctions', 'list-executions', '--state-machine-arn', STATE_MACHINE, '--status-filter', 'RUNNING');

    expect(code).toBe(0);
    expect(json.executions).toEqual([expect.objectContaining({ name: 'op-cli', status: 'RUNNING', executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:op-cli` })]);
    // CLI v1 prints timestamps as it parsed them: epoch seconds.
    expect(json.executions[0].startDate).toBeCloseTo(backend.records.get(json.executions[0].executionArn)!.startDate.getTime() / 1000, 2);
  });
});

const BOTO3_SCRIPT = `
import boto3, json, sys
url, subnet_id, state_machine = sys.argv[1], sys.argv[2], sys.argv[3]
kw = dict(endpoint_url=url, region_name='us-east-1')
ec2 = boto3.client('ec2', **kw)
events = boto3.client('events', **kw)
sfn = boto3.client('stepfunctions', **kw)
out = {
  'subnets': ec2.describe_subnets(SubnetIds=[subnet_id])['Subnets'],
  'zones': ec2.describe_availability_zones()['AvailabilityZones'],
  'put': events.put_events(Entries=[{'Source': 'boto3', 'DetailType': 't', 'Detail': json.dumps({'from': 'boto3'})}]),
  'started': sfn.start_execution(stateMachineArn=state_machine, name='op-boto3', input='{}'),
}
out['described'] = sfn.describe_execution(executionArn=out['started']['executionArn'])
for value in out.values():
  if isinstance(value, dict): value.pop('ResponseMetadata', None)
print(json.dumps(out, default=str))
`;

describe('boto3 against the emulator', () => {
  itWith(tools.boto3, 'python3 with boto3')('parses EC2, EventBridge and Step Functions answers', async () => {
    const { code, stdout, stderr } = await run('python3', ['-c', BOTO3_SCRIPT, emulator.url, subnetId, STATE_MACHINE]);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.subnets[0]).toMatchObject({ SubnetId: subnetId, VpcId: vpcId, MapPublicIpOnLaunch: false, PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name' } });
    expect(out.zones.map((z: { ZoneName: string; State: string }) => `${z.ZoneName}:${z.State}`)).toContain('us-east-1a:available');
    expect(out.put).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(out.described).toMatchObject({ name: 'op-boto3', status: 'RUNNING', input: '{}' });
    expect(world.busEvents.at(-1)).toMatchObject({ source: 'boto3', detail: { from: 'boto3' } });
  });
});

// ── Differential: the same boto3 calls against moto_server and the emulator ──────────────────

const DIFF_SCRIPT = `
import boto3, json, sys, botocore.exceptions
moto_url, ours_url, our_subnet, our_vpc = sys.argv[1:5]
def clients(url):
  kw = dict(endpoint_url=url, region_name='us-east-1')
  return boto3.client('ec2', **kw), boto3.client('events', **kw)
def error_of(call):
  try:
    call()
  except botocore.exceptions.ClientError as e:
    return {'Code': e.response['Error']['Code'], 'Message': e.response['Error']['Message'], 'Status': e.response['ResponseMetadata']['HTTPStatusCode']}
  return None
def strip(r):
  r.pop('ResponseMetadata', None)
  return r
result = {}
m_ec2, m_events = clients(moto_url)
vpc = m_ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']
subnet = m_ec2.create_subnet(VpcId=vpc['VpcId'], CidrBlock='10.0.1.0/24', AvailabilityZone='us-east-1a',
  TagSpecifications=[{'ResourceType': 'subnet', 'Tags': [{'Key': 'Name', 'Value': 'x'}]}])['Subnet']
for side, (ec2, events), subnet_id, vpc_id in (('moto', (m_ec2, m_events), subnet['SubnetId'], vpc['VpcId']), ('ours', clients(ours_url), our_subnet, our_vpc)):
  result[side] = {
    'subnet': ec2.describe_subnets(SubnetIds=[subnet_id])['Subnets'][0],
    'vpc': ec2.describe_vpcs(VpcIds=[vpc_id])['Vpcs'][0],
    'zone': ec2.describe_availability_zones(ZoneNames=['us-east-1a'])['AvailabilityZones'][0],
    'subnetNotFound': error_of(lambda: ec2.describe_subnets(SubnetIds=['subnet-0123456789abcdef0'])),
    'putEvents': strip(events.put_events(Entries=[
      {'Source': 'diff', 'DetailType': 't', 'Detail': '{"a": 1}'},
      {'Source': 'diff', 'DetailType': 't', 'Detail': '{not json'},
    ])),
  }
print(json.dumps(result, default=str))
`;

describe('differential against moto_server', () => {
  const itWithMoto = itWith(tools.moto, 'moto_server (moto) with boto3');
  let moto: RunningMoto | undefined;
  let diff: { moto: Record<string, Json>; ours: Record<string, Json> } | undefined;

  beforeAll(async () => {
    if (!tools.moto) return;
    moto = await startMoto(toolEnv);
    const { code, stdout, stderr } = await run('python3', ['-c', DIFF_SCRIPT, moto.url, emulator.url, subnetId, vpcId]);
    if (code !== 0) throw new Error(`the differential script failed: ${stderr}`);
    diff = JSON.parse(stdout);
  }, 40_000);

  afterAll(() => moto?.stop());

  itWithMoto.each(['subnet', 'vpc', 'zone'])('DescribeX %s items: every field moto returns, we return, with the same type', (resource) => {
    const theirs = diff!.moto[resource];
    const ours = diff!.ours[resource];

    expect(Object.keys(ours)).toEqual(expect.arrayContaining(Object.keys(theirs)));
    expect(commonShape(ours, theirs)).toEqual(commonShape(theirs, ours));
  });

  itWithMoto('the subnet values that do not depend on ids agree', () => {
    const pick = (s: Record<string, unknown>) => ({ CidrBlock: s.CidrBlock, AvailabilityZone: s.AvailabilityZone, State: s.State, AvailableIpAddressCount: s.AvailableIpAddressCount, DefaultForAz: s.DefaultForAz, MapPublicIpOnLaunch: s.MapPublicIpOnLaunch, Tags: s.Tags });

    expect(pick(diff!.ours.subnet)).toEqual(pick(diff!.moto.subnet));
  });

  itWithMoto('an unknown subnet id is the same error', () => {

    expect(diff!.ours.subnetNotFound).toEqual(diff!.moto.subnetNotFound);
  });

  itWithMoto('PutEvents answers the same shape, per-entry errors included', () => {

    expect(shapeOf(diff!.ours.putEvents)).toEqual(shapeOf(diff!.moto.putEvents));
    expect(diff!.ours.putEvents.FailedEntryCount).toBe(diff!.moto.putEvents.FailedEntryCount);
    expect(diff!.ours.putEvents.Entries.map((e: Record<string, string>) => Object.keys(e).sort())).toEqual(diff!.moto.putEvents.Entries.map((e: Record<string, string>) => Object.keys(e).sort()));
    expect(diff!.ours.putEvents.Entries[1]).toEqual(diff!.moto.putEvents.Entries[1]);
  });
});
