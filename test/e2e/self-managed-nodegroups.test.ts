/**
 * Self-managed nodegroups end to end in local mode: a cluster with one managed nodegroup, one
 * self-managed On-Demand nodegroup, one self-managed Spot nodegroup over two types, and Fargate,
 * provisions SUCCEEDED; each self-managed nodegroup is its own stack whose Auto Scaling group
 * carries the cluster tag and launched its instances from the EKS optimized AL2023 AMI SSM names;
 * every nodegroup's nodes are Ready in the Kubernetes API (the self-managed ones only because the
 * Check step admitted their roles with EC2_LINUX access entries); deleting the cluster deletes
 * their stacks and terminates their instances. In a CONFIG_MAP cluster the role is mapped in aws-auth
 * through the kube agent instead, and the node joins on that. The AWS CLI and kubectl views show as skipped with
 * their reason when the tools are absent (required under CI=true); the SDK's are checked regardless.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { load } from 'js-yaml';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { kubeFetch } from '../support/kube-fetch';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';
import { itWith, tools } from '../support/third-party';

const TIME_SCALE = 0.001;
const NAME = 'mixed-nodes';
const SPEC = {
  name: NAME,
  managedNodeGroups: [{ name: 'managed', minSize: 1, desiredSize: 1, maxSize: 2 }],
  selfManagedNodeGroups: [
    { name: 'self', instanceTypes: ['t3.large'], minSize: 1, desiredSize: 2, maxSize: 3, labels: { role: 'batch' } },
    { name: 'spot', instanceTypes: ['m5.large', 'm5.xlarge'], spot: true, minSize: 0, desiredSize: 2, maxSize: 4, taints: [{ key: 'spot', value: 'true', effect: 'NoSchedule' }] },
  ],
  fargate: true,
};
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: Array<{ key: string; value?: string; effect: string }> };
  status: { conditions: Array<{ type: string; status: string }> };
}

let local: LocalMode;
let cloud: LocalCloud;
let events: StatusEvent[];
let home: string;

async function kubernetes<T>(cluster: string, path: string): Promise<T> {
  const token = await kubernetesToken(cluster, 'us-east-1', async () => credentials);
  const response = await kubeFetch(`${local.awsUrl.replace('http:', 'https:')}/k8s/${cluster}${path}`, local.world.certificates.get().caCertificate, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  expect(response.status).toBe(200);
  return response.json<T>();
}

/** The cluster's EC2 nodes (Fargate's left out). */
async function nodes(cluster = NAME): Promise<Node[]> {
  return (await kubernetes<{ items: Node[] }>(cluster, '/api/v1/nodes')).items.filter((node) => !node.metadata.labels['eks.amazonaws.com/compute-type']);
}

async function aws<T>(args: string[]): Promise<T> {
  const run = await spawnCollect('aws', [...args, '--output', 'json'], localModeShell(local.awsUrl));
  if (run.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eksp-self-managed-'));
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 11, quiet: true });
  cloud = new LocalCloud(local);
  const accepted = await cloud.call('POST', '/clusters', { body: SPEC });
  expect(accepted.status).toBe(202);
  events = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);
}, 90_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('a cluster with managed, self-managed and Spot self-managed nodegroups and Fargate', () => {
  it('provisions SUCCEEDED, each self-managed nodegroup reported as its own step', () => {
    expectOneTerminalLast(events, 'SUCCEEDED');
    const steps = events.filter((e) => e.step?.name === 'Create Self-managed Nodegroup').map((e) => `${e.step!.status} ${e.step!.resource}`);

    expect(steps.sort()).toEqual(['STARTED nodegroup self', 'STARTED nodegroup spot', 'SUCCEEDED nodegroup self', 'SUCCEEDED nodegroup spot']);
  });

  it('gives each self-managed nodegroup a complete stack eksp-<cluster>-nodegroup-<ng>', async () => {
    const client = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
    try {
      for (const ng of ['self', 'spot']) {
        const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: `eksp-${NAME}-nodegroup-${ng}` }));
        expect(Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
      }
    } finally {
      client.destroy();
    }
  });

  it("runs each self-managed group with the cluster tag, from the AMI SSM names for the cluster's version; the Spot one all Spot over its two types", async () => {
    const autoScaling = new AutoScalingClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
    const ssm = new SSMClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
    try {
      const { AutoScalingGroups = [] } = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:kubernetes.io/cluster/${NAME}`, Values: ['owned'] }] }));
      const selfManaged = AutoScalingGroups.filter((g) => g.AutoScalingGroupName?.startsWith(`eksp-${NAME}-nodegroup-`));
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id' }));
      const instances = [...local.world.ec2.instances.values()].filter((i) => selfManaged.some((g) => g.AutoScalingGroupName === i.autoScalingGroupName));

      expect(selfManaged.map((g) => g.DesiredCapacity).sort()).toEqual([2, 2]);
      const spot = selfManaged.find((g) => g.AutoScalingGroupName!.includes('-nodegroup-spot-'))!;
      expect(spot.MixedInstancesPolicy?.InstancesDistribution).toMatchObject({ OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'capacity-optimized' });
      expect(spot.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.map((o) => o.InstanceType)).toEqual(['m5.large', 'm5.xlarge']);
      expect(instances).toHaveLength(4);
      for (const instance of instances) {
        expect(instance.imageId).toBe(Parameter?.Value);
        expect(instance.tags).toMatchObject({ [`kubernetes.io/cluster/${NAME}`]: 'owned' });
      }
      expect(instances.filter((i) => i.capacityType === 'SPOT').map((i) => i.instanceType).sort()).toEqual(['m5.large', 'm5.xlarge']);
    } finally {
      autoScaling.destroy();
      ssm.destroy();
    }
  });

  it("shows every nodegroup's nodes Ready, the self-managed ones with their nodegroup's labels and taints", async () => {
    const all = await nodes();
    const of = (label: string, value: string) => all.filter((n) => n.metadata.labels[label] === value);

    expect(all).toHaveLength(5);
    for (const node of all) expect(node.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    expect(of('eks.amazonaws.com/nodegroup', 'managed')).toHaveLength(1);
    expect(of('eks-provisioner/nodegroup', 'self').map((n) => n.metadata.labels)).toEqual([expect.objectContaining({ role: 'batch', 'node.kubernetes.io/instance-type': 't3.large' }), expect.objectContaining({ role: 'batch' })]);
    for (const node of of('eks-provisioner/nodegroup', 'spot')) expect(node.spec.taints).toEqual([{ key: 'spot', value: 'true', effect: 'NoSchedule' }]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws autoscaling describe-auto-scaling-groups shows the self-managed groups with the cluster tag, and aws ssm get-parameter the AMI', async () => {
    const { AutoScalingGroups } = await aws<{ AutoScalingGroups: Array<{ AutoScalingGroupName: string; Tags: Array<{ Key: string; Value: string; PropagateAtLaunch: boolean }> }> }>(['autoscaling', 'describe-auto-scaling-groups']);
    const selfManaged = AutoScalingGroups.filter((g) => g.AutoScalingGroupName.startsWith(`eksp-${NAME}-nodegroup-`));
    const { Parameter } = await aws<{ Parameter: { Value: string } }>(['ssm', 'get-parameter', '--name', '/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id']);

    expect(selfManaged).toHaveLength(2);
    for (const group of selfManaged) expect(group.Tags).toContainEqual(expect.objectContaining({ Key: `kubernetes.io/cluster/${NAME}`, Value: 'owned', PropagateAtLaunch: true }));
    expect(Parameter.Value).toMatch(/^ami-0[0-9a-f]{16}$/);
  });

  itWith(tools.kubectl && tools.awsCli, 'kubectl and the AWS CLI')('kubectl get nodes lists the five EC2 nodes Ready', async () => {
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(kubeconfig, (await cloud.call('GET', `/clusters/${NAME}/kubeconfig`)).text);
    const run = await spawnCollect('kubectl', ['get', 'nodes', '-l', '!eks.amazonaws.com/compute-type'], localModeShell(local.awsUrl, { HOME: home, KUBECONFIG: kubeconfig }));

    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((line) => /\sReady\s/.test(line))).toHaveLength(5);
  });

  it('deletes the self-managed stacks with the cluster and terminates their instances', async () => {
    const accepted = await cloud.call('DELETE', `/clusters/${NAME}`);
    expect(accepted.status).toBe(202);
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');

    expect([...local.world.autoScaling.groups.keys()]).toEqual([]);
    expect([...local.world.ec2.instances.values()].filter((i) => i.state !== 'terminated')).toEqual([]);
  }, 90_000);
});

describe('a CONFIG_MAP cluster with a self-managed nodegroup', () => {
  const CONFIG_MAP_CLUSTER = 'mapped-nodes';
  let mappedEvents: StatusEvent[];

  beforeAll(async () => {
    const accepted = await cloud.call('POST', '/clusters', { body: { name: CONFIG_MAP_CLUSTER, authenticationMode: 'CONFIG_MAP', selfManagedNodeGroups: [{ name: 'self', minSize: 1, desiredSize: 1, maxSize: 1 }], addons: [{ name: 'vpc-cni' }] } });
    expect(accepted.status).toBe(202);
    mappedEvents = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);
  }, 90_000);

  it("maps the node role in aws-auth through the kube agent, and the node joins on that mapping alone", async () => {
    expectOneTerminalLast(mappedEvents, 'SUCCEEDED');
    const awsAuth = await kubernetes<{ data: { mapRoles: string } }>(CONFIG_MAP_CLUSTER, '/api/v1/namespaces/kube-system/configmaps/aws-auth');
    const ready = await nodes(CONFIG_MAP_CLUSTER);

    expect(load(awsAuth.data.mapRoles)).toEqual([{ rolearn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/eks-provisioner\/eksp-mapped-nodes-nodegroup-self-NodeInstanceRole-/), username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]);
    expect(ready.map((n) => n.metadata.labels['eks-provisioner/nodegroup'])).toEqual(['self']);
    // Joined on the mapping, and Ready once the VPC CNI ran on it: provisioning waited for that.
    expect(ready[0]!.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True', reason: 'KubeletReady' }));
  });

  it('re-tags the self-managed stack and its Auto Scaling group when the cluster\'s tags change', async () => {
    const accepted = await cloud.call('PATCH', `/clusters/${CONFIG_MAP_CLUSTER}`, { body: { tags: { team: 'green' } } });
    expect(accepted.status).toBe(202);
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');

    const group = [...local.world.autoScaling.groups.values()].find((g) => g.stackName === `eksp-${CONFIG_MAP_CLUSTER}-nodegroup-self`)!;
    expect(group.tags).toMatchObject({ team: 'green', [`kubernetes.io/cluster/${CONFIG_MAP_CLUSTER}`]: 'owned' });
  }, 90_000);
});
