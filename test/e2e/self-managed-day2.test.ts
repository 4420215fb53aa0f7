/**
 * A self-managed nodegroup's day 2 in local mode, through the nodegroup routes as eksctl's
 * nodegroup commands take both kinds: POST …/nodegroups?managed=false adds one (its stack, its
 * node role admitted as EC2_LINUX, its nodes Ready before SUCCEEDED); DELETE …/nodegroups/{ng}
 * cordons and drains its nodes first — evictions honour PodDisruptionBudgets, so a budget that
 * allows none fails the removal naming the pod and the budget's refusal, with the nodes given
 * back to the scheduler and the nodegroup left whole — then takes the role's access entry back
 * and deletes the stack, the coredns pods it ran now on the other nodegroup's nodes.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EKSClient, ListAccessEntriesCommand, DescribeAccessEntryCommand } from '@aws-sdk/client-eks';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { startLocal, type LocalMode } from '../../local/start';
import { ec2Call, filters, items } from '../support/ec2-query';
import { kubeFetch } from '../support/kube-fetch';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';

const TIME_SCALE = 0.001;
const NAME = 'day-two';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const NODEGROUP_LABEL = 'eks-provisioner/nodegroup';
const CORE_DNS_BUDGET = '/apis/policy/v1/namespaces/kube-system/poddisruptionbudgets/coredns';

interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { unschedulable?: boolean };
  status: { conditions: Array<{ type: string; status: string }> };
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string };
}

let local: LocalMode;
let cloud: LocalCloud;
let cloudFormation: CloudFormationClient;
let eks: EKSClient;
let autoScaling: AutoScalingClient;

/** The stack's status and outputs, as DescribeStacks gives them; undefined once it is gone. */
async function stack(name: string): Promise<{ status: string; outputs: Record<string, string> } | undefined> {
  const found = await cloudFormation.send(new DescribeStacksCommand({ StackName: name })).catch((error: Error) => {
    if (/does not exist/.test(error.message)) return undefined;
    throw error;
  });
  const described = found?.Stacks?.[0];
  return described && { status: described.StackStatus!, outputs: Object.fromEntries((described.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!])) };
}

const accessEntries = async () => (await eks.send(new ListAccessEntriesCommand({ clusterName: NAME }))).accessEntries ?? [];

async function kubernetes<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const token = await kubernetesToken(NAME, 'us-east-1', async () => credentials);
  const response = await kubeFetch(`${local.awsUrl.replace('http:', 'https:')}/k8s/${NAME}${path}`, local.world.certificates.get().caCertificate, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json<T>() };
}

const nodesOf = async (nodegroup: string) => (await kubernetes<{ items: Node[] }>('GET', `/api/v1/nodes?labelSelector=${encodeURIComponent(`${NODEGROUP_LABEL}=${nodegroup}`)}`)).body.items;
const isReady = (node: Node) => node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
const corednsPods = async () => (await kubernetes<{ items: Pod[] }>('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns')).body.items.filter((pod) => !pod.metadata.deletionTimestamp);

async function run(method: string, path: string, body?: unknown): Promise<StatusEvent[]> {
  const accepted = await cloud.call(method, path, body === undefined ? {} : { body });
  expect({ status: accepted.status, body: accepted.body }).toMatchObject({ status: 202 });
  return cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);
}

const steps = (events: StatusEvent[], name: string) => events.filter((e) => e.step?.name === name).map((e) => `${e.step!.status} ${e.step!.resource}`);

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 23, quiet: true });
  cloud = new LocalCloud(local);
  cloudFormation = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  eks = new EKSClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  autoScaling = new AutoScalingClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  // Only self-managed nodes at first: coredns runs on them, so removing them is a real drain.
  expectOneTerminalLast(await run('POST', '/clusters', { name: NAME, selfManagedNodeGroups: [{ name: 'first', minSize: 2, desiredSize: 2, maxSize: 3 }] }), 'SUCCEEDED');
}, 90_000);

afterAll(async () => {
  cloudFormation?.destroy();
  eks?.destroy();
  autoScaling?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('adding a self-managed nodegroup with POST …/nodegroups?managed=false', () => {
  let events: StatusEvent[];
  beforeAll(async () => {
    events = await run('POST', `/clusters/${NAME}/nodegroups?managed=false`, { name: 'second', instanceTypes: ['t3.large'], minSize: 1, desiredSize: 2, maxSize: 3, labels: { tier: 'second' } });
  }, 90_000);

  it('makes its stack, admits its role, and reports SUCCEEDED only once its nodes are Ready', async () => {
    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(steps(events, 'Create Self-managed Nodegroup Stack')).toEqual([`STARTED stack eksp-${NAME}-nodegroup-second`, `SUCCEEDED stack eksp-${NAME}-nodegroup-second`]);
    expect(steps(events, 'Check Nodes Ready')).toEqual(['STARTED nodes of nodegroup second', 'SUCCEEDED nodes of nodegroup second']);
    expect((events.find((e) => e.step?.name === 'Check Nodes Ready' && e.step.status === 'SUCCEEDED')?.step as { nodes?: unknown }).nodes).toEqual({ ready: 2, desired: 2 });
    const nodes = await nodesOf('second');
    expect(nodes.map((node) => [isReady(node), node.metadata.labels.tier])).toEqual([
      [true, 'second'],
      [true, 'second'],
    ]);
  });

  it('records it in the cluster spec as self-managed', async () => {
    const cluster = await cloud.call('GET', `/clusters/${NAME}`);
    expect((cluster.body.spec as { selfManagedNodeGroups: Array<{ name: string }> }).selfManagedNodeGroups.map((ng) => ng.name)).toEqual(['first', 'second']);
  });

  it('admits its node role with an EC2_LINUX access entry', async () => {
    const role = (await stack(`eksp-${NAME}-nodegroup-second`))!.outputs.NodeInstanceRoleArn!;
    const { accessEntry } = await eks.send(new DescribeAccessEntryCommand({ clusterName: NAME, principalArn: role }));
    expect(accessEntry).toMatchObject({ type: 'EC2_LINUX' });
  });
});

/** The nodegroup's Auto Scaling group and its running instances, as the SDK shows them. */
async function group(nodegroup: string) {
  const name = (await stack(`eksp-${NAME}-nodegroup-${nodegroup}`))!.outputs.AutoScalingGroupName!;
  const found = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;
  const { xml } = await ec2Call(local.awsUrl, { Action: 'DescribeInstances', ...filters(['tag:aws:autoscaling:groupName', name], ['instance-state-name', 'running']) });
  const instances = items(xml, 'DescribeInstances', 'reservationSet').flatMap((reservation) => reservation.instancesSet?.item ?? []) as Array<{ imageId: string }>;
  return { group: found, instances };
}

describe('changing a self-managed nodegroup with PATCH …/nodegroups/{nodegroup}', () => {
  it("scales its Auto Scaling group through its stack, and waits for the new node to be Ready", async () => {
    const events = await run('PATCH', `/clusters/${NAME}/nodegroups/second`, { desiredSize: 3, maxSize: 4 });

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(steps(events, 'Update Self-managed Nodegroup Stack')).toEqual([`STARTED stack eksp-${NAME}-nodegroup-second`, `SUCCEEDED stack eksp-${NAME}-nodegroup-second`]);
    expect((events.find((e) => e.step?.name === 'Check Nodes Ready' && e.step.status === 'SUCCEEDED')?.step as { nodes?: unknown }).nodes).toEqual({ ready: 3, desired: 3 });
    const { group: scaled } = await group('second');
    expect([scaled.MinSize, scaled.DesiredCapacity, scaled.MaxSize]).toEqual([1, 3, 4]);
    expect((await nodesOf('second')).filter(isReady)).toHaveLength(3);
  }, 90_000);

  it('moves every node to a new AMI and labels one at a time: each replaced by one of the new launch template version, Ready before the next goes', async () => {
    const before = (await nodesOf('second')).map((node) => node.metadata.name);
    const events = await run('PATCH', `/clusters/${NAME}/nodegroups/second`, { ami: 'ami-0fedcba9876543210', labels: { tier: 'gold' } });

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(steps(events, 'Replace Nodes')).toEqual(['STARTED nodes of nodegroup second', 'SUCCEEDED nodes of nodegroup second']);
    const { group: updated, instances } = await group('second');
    expect(instances.map((i) => i.imageId)).toEqual(['ami-0fedcba9876543210', 'ami-0fedcba9876543210', 'ami-0fedcba9876543210']);
    const version = (updated.LaunchTemplate ?? updated.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification)?.Version;
    expect((updated.Instances ?? []).map((i) => i.LaunchTemplate?.Version)).toEqual([version, version, version]);
    const after = (await nodesOf('second')).filter(isReady);
    expect(after.map((node) => node.metadata.labels.tier)).toEqual(['gold', 'gold', 'gold']);
    expect(after.filter((node) => before.includes(node.metadata.name))).toEqual([]);
  }, 120_000);
});

describe('removing a self-managed nodegroup', () => {
  it('fails while a PodDisruptionBudget allows no eviction, naming the pod and the refusal, with its nodes schedulable again and nothing deleted', async () => {
    // The coredns add-on's own budget, made strict (a second budget over the same pods is refused by the API server for every eviction).
    expect((await kubernetes('PATCH', CORE_DNS_BUDGET, { spec: { maxUnavailable: 0 } })).status).toBe(200);

    const events = await run('DELETE', `/clusters/${NAME}/nodegroups/first`);

    expectOneTerminalLast(events, 'FAILED');
    const failure = events.at(-1)!;
    expect(failure.error).toMatchObject({ code: 'DrainFailedError' });
    expect(failure.error?.message).toMatch(/kube-system\/coredns-[a-z0-9-]+ \(Cannot evict pod as it would violate the pod's disruption budget/);
    expect((await nodesOf('first')).map((node) => node.spec.unschedulable ?? false)).toEqual([false, false]);
    expect((await stack(`eksp-${NAME}-nodegroup-first`))?.status).toBe('CREATE_COMPLETE');
  }, 90_000);

  it('drains, releases the role and deletes the stack once budgets allow, coredns moving to the other nodegroup', async () => {
    expect((await kubernetes('PATCH', CORE_DNS_BUDGET, { spec: { maxUnavailable: 1 } })).status).toBe(200);
    const role = (await stack(`eksp-${NAME}-nodegroup-first`))!.outputs.NodeInstanceRoleArn!;
    expect(await accessEntries()).toContain(role);

    const events = await run('DELETE', `/clusters/${NAME}/nodegroups/first`);

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(steps(events, 'Drain Nodes')).toEqual(['STARTED nodes of nodegroup first', 'SUCCEEDED nodes of nodegroup first']);
    expect(steps(events, 'Delete Nodegroup Stack')).toEqual([`STARTED stack eksp-${NAME}-nodegroup-first`, `SUCCEEDED stack eksp-${NAME}-nodegroup-first`]);
    expect(await stack(`eksp-${NAME}-nodegroup-first`)).toBeUndefined();
    expect(await accessEntries()).not.toContain(role);
    expect(await nodesOf('first')).toEqual([]);
    const second = (await nodesOf('second')).map((node) => node.metadata.name);
    const coredns = await corednsPods();
    expect(coredns.length).toBeGreaterThan(0);
    for (const pod of coredns) expect(second).toContain(pod.spec.nodeName);
  }, 90_000);
});
