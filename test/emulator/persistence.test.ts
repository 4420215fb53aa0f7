/**
 * Durable local mode's pieces, without processes: the world saved and restored (its clock going
 * on from the saved instant, EKS resources finishing when they were due, a stack in progress
 * completing without making anything twice, the event log), the registry on dynalite's disk,
 * executions resumed at their top-level state, and the data dir's files and lock.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createEksService } from '../../local/emulator/services/eks';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { createEventBridgeService, publishEvent } from '../../local/emulator/services/eventbridge';
import { startDynalite } from '../../local/emulator/services/dynamodb';
import { versionPhase } from '../../local/emulator/services/eks/versions';
import { DataDir, SNAPSHOT_VERSION, decode, encode, restoreWorld, snapshotWorld, type WorldSnapshot } from '../../local/emulator/persistence';
import { World } from '../../local/emulator/world';
import { LocalExecutions, NOT_RESUMED, type SavedExecution } from '../../local/runtime/executions';
import { openDataDir, DataDirError, StateSaver, savedWorld, type SavedState } from '../../local/runtime/durable-state';
import { durableOptionsFromEnv } from '../../local/start';
import type { Definition } from '../../local/runtime/state-machine-runner';
import { until } from '../support/until';

const SCALE = 0.001;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let temporary: string;
beforeEach(() => {
  temporary = mkdtempSync(join(tmpdir(), 'eksp-persistence-'));
});
afterEach(() => rmSync(temporary, { recursive: true, force: true }));

/** A world with the services whose state it holds, as startLocalAws assembles them. */
function worldWith(options: { emulatedStart?: number; timeScale?: number } = {}) {
  const world = new World({ timeScale: SCALE, seed: 3, ...options });
  const eks = createEksService(world, { baseUrl: 'http://127.0.0.1:1' }).state;
  const cloudFormation = createCloudFormationService(world).engine;
  createEventBridgeService(world);
  return { world, eks, cloudFormation };
}

/** What a save writes and a start reads: through JSON text. */
const throughDisk = (snapshot: WorldSnapshot): WorldSnapshot => JSON.parse(JSON.stringify(snapshot)) as WorldSnapshot;

function seedNetwork(world: World): { subnets: string[]; role: string } {
  world.ec2.vpcs.set('vpc-1', { vpcId: 'vpc-1', cidrBlock: '10.0.0.0/16', tags: {} });
  for (const [id, az] of [['subnet-a', 'us-east-1a'], ['subnet-b', 'us-east-1b']]) world.ec2.subnets.set(id!, { subnetId: id!, vpcId: 'vpc-1', cidrBlock: '10.0.0.0/24', availabilityZone: az!, mapPublicIpOnLaunch: false, tags: {} });
  const role = 'arn:aws:iam::000000000000:role/cluster';
  world.iam.roles.set('cluster', { arn: role, roleName: 'cluster', path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: [], tags: {} });
  return { subnets: ['subnet-a', 'subnet-b'], role };
}

describe('encode and decode', () => {
  it('bring back Maps, Sets and Dates, nested, and leave out functions, promises and abort controllers', () => {
    const value = { when: new Date('2026-01-02T03:04:05.000Z'), byName: new Map([['a', { tags: new Set(['x', 'y']) }]]), run: () => 1, work: Promise.resolve(), abort: new AbortController(), list: [1, 'two', null] };

    const back = decode<Record<string, unknown>>(JSON.parse(JSON.stringify(encode(value))));

    expect(back).toEqual({ when: new Date('2026-01-02T03:04:05.000Z'), byName: new Map([['a', { tags: new Set(['x', 'y']) }]]), list: [1, 'two', null] });
  });
});

describe('the world, saved and restored', () => {
  it('goes on from the saved emulated instant, not from the real time that passed while it was down', async () => {
    const { world } = worldWith();
    const saved = throughDisk(snapshotWorld(world));

    await sleep(300); // 300 s of emulated time at this scale
    const restored = worldWith({ emulatedStart: saved.emulatedNow }).world;

    const drift = restored.clock.now().getTime() - saved.emulatedNow;
    expect(drift).toBeGreaterThanOrEqual(0);
    expect(drift).toBeLessThan(100_000);
  });

  it('keeps the EKS version calendar where it was: the epoch is when the world was first made, not when it was restored', async () => {
    const { world } = worldWith();
    await sleep(100); // 100 s of emulated time at this scale
    const saved = throughDisk(snapshotWorld(world));

    const next = worldWith({ emulatedStart: saved.emulatedNow });
    const unrestored = next.world.calendarEpoch;
    restoreWorld(next.world, saved);

    expect(unrestored).toBeGreaterThan(world.calendarEpoch);
    expect(next.world.calendarEpoch).toBe(world.calendarEpoch);
    expect(versionPhase(next.world, '1.33')).toEqual(versionPhase(world, '1.33'));
  });

  it('finishes an EKS cluster that was CREATING at the emulated time it was due, keeps the event log, and ends invocations the restart cut short', async () => {
    const { world, eks } = worldWith();
    const network = seedNetwork(world);
    eks.createCluster({ name: 'kept', roleArn: network.role, resourcesVpcConfig: { subnetIds: network.subnets } }, 'arn:aws:iam::000000000000:user/local-developer');
    publishEvent(world, { source: 'eks-provisioner', detailType: 'EKS Cluster Operation Status Change', detail: { operationId: 'op-1', status: 'ACCEPTED' } });
    world.functions.invocations.push({ requestId: 'r-1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', source: 'events', invocationType: 'Event', startTime: new Date().toISOString(), status: 'RUNNING', event: {} });
    const [pending] = [...eks.transitions.values()];
    const saved = throughDisk(snapshotWorld(world));

    const next = worldWith({ emulatedStart: saved.emulatedNow });
    restoreWorld(next.world, saved);
    next.eks.resume();

    const cluster = next.eks.cluster('kept');
    expect(cluster.status).toBe('CREATING');
    expect([...next.eks.transitions.values()]).toEqual([pending]);
    expect(next.world.busEvents.map((e) => e.detail)).toEqual([{ operationId: 'op-1', status: 'ACCEPTED' }]);
    expect(next.world.ec2.vpcs.get('vpc-1')).toMatchObject({ cidrBlock: '10.0.0.0/16' });
    expect(next.world.functions.invocations).toEqual([expect.objectContaining({ requestId: 'r-1', status: 'FAILED', error: { errorType: 'LocalRestart', errorMessage: 'local mode stopped during the invocation' } })]);
    await cluster.ready;
    // Ready at its due time (timers may wake a little late, never early).
    const late = next.world.clock.now().getTime() - pending!.dueAt;
    expect(late).toBeGreaterThanOrEqual(-1000);
    expect(late).toBeLessThan(60_000);
    expect(next.eks.cluster('kept')).toMatchObject({ status: 'ACTIVE', endpoint: 'https://127.0.0.1:1/k8s/kept' });
    // The same CA as before the restart: kubeconfigs saved then still verify the endpoint.
    expect(next.eks.cluster('kept').certificateAuthorityData).toBe(world.certificates.authorityData());
    expect(next.eks.cluster('kept').kube.getConfigMap('kube-system', 'aws-auth')).toBeUndefined();
  });

  it('goes on rolling a nodegroup version update from the batch it had reached', async () => {
    const { world, eks } = worldWith();
    const network = seedNetwork(world);
    const nodeRole = 'arn:aws:iam::000000000000:role/node';
    world.iam.roles.set('node', { arn: nodeRole, roleName: 'node', path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'].map((p) => `arn:aws:iam::aws:policy/${p}`), tags: {} });
    await eks.createCluster({ name: 'rolling', version: '1.33', roleArn: network.role, resourcesVpcConfig: { subnetIds: network.subnets } }, 'arn:aws:iam::000000000000:user/local-developer').ready;
    eks.createNodegroup('rolling', { clusterName: 'rolling', nodegroupName: 'ng', version: '1.32', nodeRole, subnets: network.subnets, scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 } });
    await until(async () => eks.nodegroup('rolling', 'ng').status, (s) => s === 'ACTIVE', 'ng ACTIVE');
    const update = eks.updateNodegroupVersion('rolling', 'ng', { clusterName: 'rolling', nodegroupName: 'ng' });
    const live = () => [...world.ec2.instances.values()].filter((i) => i.state === 'running');
    const before = live().map((i) => i.instanceId);
    await until(async () => live().filter((i) => !before.includes(i.instanceId)).length, (n) => n === 1, 'one node replaced');
    const saved = throughDisk(snapshotWorld(world));

    const next = worldWith({ emulatedStart: saved.emulatedNow });
    restoreWorld(next.world, saved);
    next.eks.resume();
    await until(async () => next.eks.describeUpdate('rolling', update.id, { nodegroupName: 'ng' }).status, (s) => s !== 'InProgress', 'update done');

    expect(next.eks.nodegroup('rolling', 'ng')).toMatchObject({ status: 'ACTIVE', version: '1.33' });
    const running = [...next.world.ec2.instances.values()].filter((i) => i.state === 'running');
    // Three nodes, none of the originals, and only one launch for the node replaced before the save.
    expect(running).toHaveLength(3);
    expect(running.filter((i) => before.includes(i.instanceId))).toEqual([]);
    expect(new Set(running.map((i) => i.imageId)).size).toBe(1);
  });

  it('completes a stack that was CREATE_IN_PROGRESS without creating any resource twice', async () => {
    const { world, cloudFormation } = worldWith();
    await cloudFormation.warmUp();
    const template = {
      Resources: {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.1.0.0/16' } },
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.1.0.0/24', AvailabilityZone: 'us-east-1a' } },
        Nat: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: 'Subnet' }, ConnectivityType: 'private' } },
      },
    };
    cloudFormation.createStack({ stackName: 'resumed', templateBody: JSON.stringify(template), parameters: [], tags: [], capabilities: [], notificationArns: [], enableTerminationProtection: false });
    await until(async () => cloudFormation.find('resumed')!.resources.get('Subnet')?.status, (status) => status === 'CREATE_COMPLETE', 'the subnet', 20_000);
    const saved = throughDisk(snapshotWorld(world));

    const next = worldWith({ emulatedStart: saved.emulatedNow });
    await next.cloudFormation.warmUp();
    restoreWorld(next.world, saved);
    next.cloudFormation.resume();
    const stack = next.cloudFormation.find('resumed')!;
    await stack.work;

    expect(stack.status).toBe('CREATE_COMPLETE');
    expect([...next.world.ec2.vpcs.values()].filter((v) => v.cidrBlock === '10.1.0.0/16')).toHaveLength(1);
    expect([...next.world.ec2.subnets.values()].filter((s) => s.cidrBlock === '10.1.0.0/24')).toHaveLength(1);
    expect(stack.events.filter((e) => e.logicalResourceId === 'Subnet' && e.resourceStatus === 'CREATE_COMPLETE')).toHaveLength(1);
    expect(stack.events.filter((e) => e.logicalResourceId === 'Nat' && e.resourceStatus === 'CREATE_IN_PROGRESS')).toHaveLength(1);
  });
});

describe('a stack updating its tags when saved', () => {
  it('finishes tagging after the restore (stack tags and the new template’s own tags), each resource tagged once, and ends UPDATE_COMPLETE', async () => {
    // Slower: each resource's tags take 1–10 emulated seconds, which a poll must be able to catch.
    const { world, cloudFormation } = worldWith({ timeScale: 0.05 });
    await cloudFormation.warmUp();
    const template = (owner: string) => ({ Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.3.0.0/16', Tags: [{ Key: 'owner', Value: owner }] } }, Gateway: { Type: 'AWS::EC2::InternetGateway' } } });
    const stack = cloudFormation.createStack({ stackName: 'retagged', templateBody: JSON.stringify(template('a')), parameters: [], tags: [{ Key: 'env', Value: 'dev' }], capabilities: [], notificationArns: [], enableTerminationProtection: false });
    await stack.work;
    cloudFormation.updateStack({ stackName: 'retagged', usePreviousTemplate: false, templateBody: JSON.stringify(template('b')), parameters: [], tags: [{ Key: 'env', Value: 'prod' }], capabilities: [] });
    await until(async () => [...stack.resources.values()].map((r) => r.status), (statuses) => statuses.includes('UPDATE_IN_PROGRESS'), 'a resource updating');
    const saved = throughDisk(snapshotWorld(world));

    const next = worldWith({ emulatedStart: saved.emulatedNow, timeScale: 0.05 });
    restoreWorld(next.world, saved);
    next.cloudFormation.resume();
    const restored = next.cloudFormation.find('retagged')!;
    await restored.work;

    expect(restored.status).toBe('UPDATE_COMPLETE');
    const vpc = [...next.world.ec2.vpcs.values()].find((v) => v.cidrBlock === '10.3.0.0/16')!;
    expect(vpc.tags).toMatchObject({ env: 'prod', owner: 'b', 'aws:cloudformation:logical-id': 'Vpc' });
    expect(restored.templateBody).toBe(JSON.stringify(template('b')));
    expect(restored.retagging).toBeUndefined();
    expect(next.world.ec2.other.get(restored.resources.get('Gateway')!.physicalId!)!.tags.env).toBe('prod');
    for (const id of ['Vpc', 'Gateway']) expect(restored.events.filter((e) => e.logicalResourceId === id && e.resourceStatus === 'UPDATE_IN_PROGRESS')).toHaveLength(1);
  });
});

describe('a stack deleting when saved', () => {
  it('finishes deleting after the restore and leaves nothing in the account', async () => {
    // Slower: network resources delete in 1–10 emulated seconds, which a poll must be able to catch.
    const { world, cloudFormation } = worldWith({ timeScale: 0.05 });
    await cloudFormation.warmUp();
    const template = { Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.2.0.0/16' } }, Gateway: { Type: 'AWS::EC2::InternetGateway' } } };
    const stack = cloudFormation.createStack({ stackName: 'going', templateBody: JSON.stringify(template), parameters: [], tags: [], capabilities: [], notificationArns: [], enableTerminationProtection: false });
    await stack.work;
    expect(stack.status).toBe('CREATE_COMPLETE');
    cloudFormation.deleteStack('going', undefined, []);
    await until(async () => [...stack.resources.values()].map((r) => r.status), (statuses) => statuses.includes('DELETE_IN_PROGRESS'), 'a resource deleting');
    expect(stack.status).toBe('DELETE_IN_PROGRESS');
    const saved = throughDisk(snapshotWorld(world));

    const next = worldWith({ emulatedStart: saved.emulatedNow, timeScale: 0.05 });
    restoreWorld(next.world, saved);
    next.cloudFormation.resume();
    const restored = next.cloudFormation.stacks.find((s) => s.stackName === 'going')!;
    await restored.work;

    expect(restored.status).toBe('DELETE_COMPLETE');
    expect([...next.world.ec2.vpcs.values()].filter((v) => v.cidrBlock === '10.2.0.0/16')).toEqual([]);
    expect(next.world.ec2.other.size).toBe(0);
    expect(restored.events.filter((e) => e.resourceStatus === 'DELETE_IN_PROGRESS' && e.logicalResourceId !== 'going')).toHaveLength(2);
  });
});

describe('the registry on disk', () => {
  it('keeps its table and items when dynalite is started again on the same path', async () => {
    const path = join(temporary, 'dynamodb');
    const client = (url: string) => new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const first = await startDynalite({ path });
    const before = client(first.url);
    await before.send(new CreateTableCommand({ TableName: 'registry', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    await before.send(new PutItemCommand({ TableName: 'registry', Item: { pk: { S: 'op-1' }, status: { S: 'IN_PROGRESS' } } }));
    before.destroy();
    await first.close();

    const second = await startDynalite({ path });
    const after = client(second.url);
    try {
      expect((await after.send(new GetItemCommand({ TableName: 'registry', Key: { pk: { S: 'op-1' } } }))).Item).toEqual({ pk: { S: 'op-1' }, status: { S: 'IN_PROGRESS' } });
    } finally {
      after.destroy();
      await second.close();
    }
  });
});

describe('executions across a restart', () => {
  const definition = {
    StartAt: 'First',
    States: {
      First: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:first', Next: 'Second' },
      Second: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:second', End: true },
    },
  } as unknown as Definition;

  function runtime(handlers: Record<string, (input: unknown) => Promise<unknown>>) {
    const world = new World({ timeScale: SCALE, seed: 7 });
    createEventBridgeService(world);
    const executions = new LocalExecutions(world, { warn: () => undefined });
    world.executions = executions;
    return { world, executions, arn: executions.registerDefinition('two-steps', definition, handlers) };
  }

  it('resume at the top-level state they were in, with its input, under the same ARN, running nothing before it again', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const before = runtime({ First: async () => ({ made: 'once' }), Second: async () => blocked.then(() => ({})) });
    const { executionArn } = await before.executions.start(before.arn, 'op-1', JSON.stringify({ operationId: 'op-1' }));
    await until(async () => before.executions.snapshot()[0]?.current?.state, (state) => state === 'Second', 'the Second state');
    const saved = JSON.parse(JSON.stringify(before.executions.snapshot())) as SavedExecution[];
    await before.executions.stop(executionArn);
    release();

    const calls: string[] = [];
    const after = runtime({ First: async () => void calls.push('First'), Second: async (input) => (calls.push('Second'), { seen: input }) });
    const outcome = after.executions.restore(saved);
    const record = await after.executions.settled(executionArn);

    expect(outcome).toEqual({ resumed: [executionArn], ended: [] });
    expect(calls).toEqual(['Second']);
    expect(record).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify({ seen: { made: 'once' } }) });
    const types = after.executions.history(executionArn).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'TaskStateEntered')).toEqual(['TaskStateEntered', 'TaskStateEntered', 'TaskStateEntered']);
  });

  it('resume at a Wait sized by SecondsPath from the state input, scaled, as the Task before it would have sized it', async () => {
    const waits = {
      StartAt: 'Poll',
      States: {
        Poll: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:poll', ResultPath: '$.poll', Next: 'Pause' },
        Pause: { Type: 'Wait', SecondsPath: '$.poll.waitSeconds', Next: 'Done' },
        Done: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:done', End: true },
      },
    } as unknown as Definition;
    const world = new World({ timeScale: SCALE, seed: 7 });
    createEventBridgeService(world);
    const warnings: string[] = [];
    const executions = new LocalExecutions(world, { warn: (message) => warnings.push(message) });
    let doneAt = 0;
    const arn = executions.registerDefinition('waits', waits, { Poll: async () => ({ waitSeconds: 1 }), Done: async () => void (doneAt = Date.now()) });
    const executionArn = arn.replace(':stateMachine:', ':execution:') + ':op-4';

    const started = Date.now();
    executions.restore([
      {
        record: { executionArn, stateMachineArn: arn, name: 'op-4', status: 'RUNNING', startDate: new Date().toISOString(), input: '{}' },
        events: [],
        stats: { transitions: 1, lambdaInvocations: 1, retries: 0, invocationsByState: {} },
        current: { state: 'Pause', input: { poll: { waitSeconds: 300 } } },
      },
    ]);
    const record = await executions.settled(executionArn);

    expect(record?.status).toBe('SUCCEEDED');
    expect(warnings).toEqual([]);
    // 300 emulated seconds at 0.001: 300 ms.
    expect(doneAt - started).toBeGreaterThanOrEqual(290);
    expect(doneAt - started).toBeLessThan(1500);
  });

  it('end ABORTED with the reason, announced to the backstop, when their state or state machine no longer exists', async () => {
    const after = runtime({ First: async () => ({}), Second: async () => ({}) });
    const gone = after.arn.replace('two-steps', 'removed');
    const saved: SavedExecution[] = [
      {
        record: { executionArn: gone.replace(':stateMachine:', ':execution:') + ':op-3', stateMachineArn: gone, name: 'op-3', status: 'RUNNING', startDate: new Date().toISOString(), input: '{}' },
        events: [],
        stats: { transitions: 1, lambdaInvocations: 0, retries: 0, invocationsByState: {} },
      },
      {
        record: { executionArn: after.arn.replace(':stateMachine:', ':execution:') + ':op-2', stateMachineArn: after.arn, name: 'op-2', status: 'RUNNING', startDate: new Date().toISOString(), input: '{}' },
        events: [],
        stats: { transitions: 1, lambdaInvocations: 0, retries: 0, invocationsByState: {} },
        current: { state: 'Renamed State', input: {} },
      },
    ];

    const outcome = after.executions.restore(saved);

    expect(outcome).toEqual({ resumed: [], ended: [saved[0]!.record.executionArn, saved[1]!.record.executionArn] });
    expect(after.executions.describe(saved[1]!.record.executionArn)).toMatchObject({ status: 'ABORTED', error: NOT_RESUMED, cause: expect.stringContaining('"Renamed State"') });
    expect(after.world.busEvents.filter((e) => e.detailType === 'Step Functions Execution Status Change').map((e) => e.detail)).toEqual([
      expect.objectContaining({ name: 'op-3', status: 'ABORTED', error: NOT_RESUMED, cause: expect.stringContaining('no longer defined') }),
      expect.objectContaining({ name: 'op-2', status: 'ABORTED', error: NOT_RESUMED }),
    ]);
  });
});

describe('the data dir', () => {
  it('replaces state.json atomically and reads it back', () => {
    const dir = new DataDir(temporary);
    dir.write('state.json', '{"a":1}');
    dir.write('state.json', '{"a":2}');

    expect(dir.read('state.json')).toEqual({ a: 2 });
    expect(dir.read('missing.json')).toBeUndefined();
  });

  it('saves the world with its clock and the executions, and a restart reads them back', () => {
    const { world } = worldWith();
    const executions = new LocalExecutions(world, { warn: () => undefined });
    world.busEvents.push({ bus: 'default', source: 's', detailType: 'd', detail: { n: 1 }, time: new Date().toISOString(), id: 'e-1' });
    const opened = openDataDir(temporary);
    const saver = new StateSaver(opened.dir, world, executions, 4566);

    saver.close();
    opened.release();
    const again = openDataDir(temporary);
    again.release();

    const state = again.saved as SavedState;
    expect(state).toMatchObject({ version: SNAPSHOT_VERSION, awsPort: 4566, executions: [] });
    const next = worldWith({ emulatedStart: state.emulatedNow });
    restoreWorld(next.world, savedWorld(state));
    expect(next.world.busEvents).toEqual(world.busEvents);
  });

  it('writes again when the world changes, not while it stands still', () => {
    const { world } = worldWith();
    const executions = new LocalExecutions(world, { warn: () => undefined });
    const opened = openDataDir(temporary);
    const saver = new StateSaver(opened.dir, world, executions, 4566);

    saver.save();
    saver.save();
    world.calls.push('eks:DescribeCluster');
    saver.save();
    opened.release();

    expect(saver.writes).toBe(2);
    expect(opened.dir.read<SavedState>('state.json')?.world).toMatchObject({ calls: ['eks:DescribeCluster'] });
  });

  it('is refused while another live process holds it, taken over from a killed one, and emptied by fresh', () => {
    writeFileSync(join(temporary, 'lock'), String(process.ppid));
    expect(() => openDataDir(temporary)).toThrow(DataDirError);

    writeFileSync(join(temporary, 'lock'), '2147483646');
    writeFileSync(join(temporary, 'state.json'), JSON.stringify({ version: SNAPSHOT_VERSION, world: {}, executions: [], emulatedNow: 0, awsPort: 1 }));
    mkdirSync(join(temporary, 'dynamodb'));
    const kept = openDataDir(temporary);
    expect(kept.saved).toBeDefined();
    expect(readFileSync(join(temporary, 'lock'), 'utf8')).toBe(String(process.pid));
    kept.release();

    const fresh = openDataDir(temporary, { fresh: true });
    fresh.release();
    expect(fresh.saved).toBeUndefined();
    expect(existsSync(join(temporary, 'dynamodb'))).toBe(false);
    expect(existsSync(join(temporary, 'lock'))).toBe(false);
  });

  it('refuses a state.json of another layout, or one that is not JSON, pointing at EKSP_FRESH', () => {
    writeFileSync(join(temporary, 'state.json'), JSON.stringify({ version: 999 }));
    expect(() => openDataDir(temporary)).toThrow(/EKSP_FRESH=1/);

    writeFileSync(join(temporary, 'state.json'), '{"version":1,');
    expect(() => openDataDir(temporary)).toThrow(/state.json cannot be read .*EKSP_FRESH=1/);
    expect(existsSync(join(temporary, 'lock'))).toBe(false);
  });

  it('is .eksp under the working directory unless EKSP_DATA_DIR names one; EKSP_FRESH takes 1 or 0', () => {
    expect(durableOptionsFromEnv({}, '/work/x')).toEqual({ dataDir: '/work/x/.eksp', fresh: false });
    expect(durableOptionsFromEnv({ EKSP_DATA_DIR: 'state', EKSP_FRESH: '1' }, '/work/x')).toEqual({ dataDir: '/work/x/state', fresh: true });
    expect(() => durableOptionsFromEnv({ EKSP_FRESH: 'yes' }, '/work/x')).toThrow(/EKSP_FRESH/);
  });
});
