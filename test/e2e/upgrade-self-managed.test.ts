/**
 * Upgrading a cluster with self-managed nodegroups in local mode: a cluster made at 1.32 with one
 * self-managed nodegroup that follows the default AMI and one that pins its own is upgraded one
 * minor through the API. The first gets the EKS optimized AL2023 AMI SSM names for 1.33 in its
 * stack's launch template and every one of its instances replaced by one booted from it, its
 * nodes Ready on a 1.33 kubelet; the pinned one is left as it was, SKIPPED, and the plan says why.
 * The registry's spec still pins nothing for the first.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { startLocal, type LocalMode } from '../../local/start';
import { ec2Call, filters, items } from '../support/ec2-query';
import { kubeFetch } from '../support/kube-fetch';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';

const TIME_SCALE = 0.001;
const NAME = 'sm-upgraded';
const PINNED_AMI = 'ami-0fedcba9876543210';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const NODEGROUP_LABEL = 'eks-provisioner/nodegroup';
const SPEC = {
  name: NAME,
  version: '1.32',
  selfManagedNodeGroups: [
    { name: 'follows', minSize: 2, desiredSize: 2, maxSize: 3 },
    { name: 'pinned', minSize: 1, desiredSize: 1, maxSize: 2, ami: PINNED_AMI },
  ],
  addons: [{ name: 'vpc-cni' }, { name: 'kube-proxy' }, { name: 'coredns' }],
};

interface Node {
  metadata: { name: string };
  status: { conditions: Array<{ type: string; status: string }>; nodeInfo: { kubeletVersion: string } };
}

let local: LocalMode;
let cloud: LocalCloud;
let cloudFormation: CloudFormationClient;
let autoScaling: AutoScalingClient;
let ssm: SSMClient;

const amiParameter = (version: string) => `/aws/service/eks/optimized-ami/${version}/amazon-linux-2023/x86_64/standard/recommended/image_id`;
const recommendedAmi = async (version: string) => (await ssm.send(new GetParameterCommand({ Name: amiParameter(version) }))).Parameter!.Value!;

/** The nodegroup's Auto Scaling group and its running instances, as the SDK and EC2 show them. */
async function group(nodegroup: string) {
  const stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: `eksp-${NAME}-nodegroup-${nodegroup}` }));
  const name = stacks.Stacks![0]!.Outputs!.find((o) => o.OutputKey === 'AutoScalingGroupName')!.OutputValue!;
  const found = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;
  const { xml } = await ec2Call(local.awsUrl, { Action: 'DescribeInstances', ...filters(['tag:aws:autoscaling:groupName', name], ['instance-state-name', 'running']) });
  const instances = items(xml, 'DescribeInstances', 'reservationSet').flatMap((reservation) => reservation.instancesSet?.item ?? []) as Array<{ instanceId: string; imageId: string }>;
  return { group: found, instances };
}

async function nodesOf(nodegroup: string): Promise<Node[]> {
  const token = await kubernetesToken(NAME, 'us-east-1', async () => credentials);
  const path = `/api/v1/nodes?labelSelector=${encodeURIComponent(`${NODEGROUP_LABEL}=${nodegroup}`)}`;
  const response = await kubeFetch(`${local.awsUrl.replace('http:', 'https:')}/k8s/${NAME}${path}`, local.world.certificates.get().caCertificate, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  return (await response.json<{ items: Node[] }>()).items;
}
const isReady = (node: Node) => node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
/** "v1.33.4-eks-…" → "1.33". */
const kubeletMinor = (node: Node) => node.status.nodeInfo.kubeletVersion.replace(/^v(\d+\.\d+)\..*$/, '$1');

async function run(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<StatusEvent[]> {
  const accepted = await cloud.call(method, path, { body, headers });
  expect({ status: accepted.status, body: accepted.body }).toMatchObject({ status: 202 });
  return cloud.eventsUntilTerminal(String(accepted.body.operationId), 90_000);
}

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 37, quiet: true });
  cloud = new LocalCloud(local);
  cloudFormation = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  autoScaling = new AutoScalingClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  ssm = new SSMClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  expectOneTerminalLast(await run('POST', '/clusters', SPEC), 'SUCCEEDED');
}, 120_000);

afterAll(async () => {
  cloudFormation?.destroy();
  autoScaling?.destroy();
  ssm?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('upgrading a cluster with self-managed nodegroups from 1.32 to 1.33', () => {
  it("plans the nodegroup that follows the default AMI to 1.33, and says the pinned one is left with a warning", async () => {
    const plan = await cloud.call('POST', `/clusters/${NAME}/upgrade?dryRun=true`, { body: { version: '1.33' } });

    expect(plan.status).toBe(200);
    const answer = plan.body as { plan: { canProceed: boolean; selfManagedNodegroups: unknown[]; problems: Array<{ code: string; resource: string }> } };
    expect(answer.plan.canProceed).toBe(true);
    expect(answer.plan.selfManagedNodegroups).toEqual([
      { name: 'follows', from: '1.32', to: '1.33' },
      { name: 'pinned', from: '1.32', to: '1.32', pinnedAmi: PINNED_AMI, skipped: expect.stringContaining(`pins AMI ${PINNED_AMI}`) },
    ]);
    expect(answer.plan.problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SelfManagedAmiPinned', resource: 'self-managed nodegroup pinned' })]));
  });

  describe('the upgrade itself', () => {
    let events: StatusEvent[];
    let before: { follows: Awaited<ReturnType<typeof group>>; pinned: Awaited<ReturnType<typeof group>> };

    beforeAll(async () => {
      before = { follows: await group('follows'), pinned: await group('pinned') };
      expect(before.follows.instances.map((i) => i.imageId)).toEqual(Array(2).fill(await recommendedAmi('1.32')));
      expect((await nodesOf('follows')).map(kubeletMinor)).toEqual(['1.32', '1.32']);
      events = await run('POST', `/clusters/${NAME}/upgrade`, { version: '1.33' }, { 'Idempotency-Key': 'upgrade-sm-1.33' });
    }, 150_000);

    it('succeeds with one terminal event, the self-managed nodegroups reported in the DataPlane phase', () => {
      expectOneTerminalLast(events, 'SUCCEEDED');
      const steps = events.filter((e) => e.step?.name === 'Upgrade Self-managed Nodegroup').map((e) => `${e.phase} ${e.step!.status} ${e.step!.resource}`);
      expect(steps).toEqual(expect.arrayContaining(['DataPlane STARTED nodegroup follows', 'DataPlane SUCCEEDED nodegroup follows', 'DataPlane SKIPPED nodegroup pinned']));
    });

    it("lists each self-managed nodegroup's version in the terminal event, as its nodes' kubelets report it", () => {
      const terminal = events[events.length - 1]!;
      expect(terminal.outputs).toMatchObject({ 'selfManagedNodegroup/follows': '1.32 → 1.33', 'selfManagedNodegroup/pinned': expect.stringMatching(/^1\.32 → 1\.\d+$/) });
    });

    it("replaces every instance of the nodegroup that follows the default AMI with one of 1.33's EKS optimized AMI, its nodes Ready on a 1.33 kubelet", async () => {
      const newAmi = await recommendedAmi('1.33');
      const { group: upgraded, instances } = await group('follows');
      expect(instances.map((i) => i.imageId)).toEqual([newAmi, newAmi]);
      expect(instances.filter((i) => before.follows.instances.some((old) => old.instanceId === i.instanceId))).toEqual([]);
      const version = (upgraded.LaunchTemplate ?? upgraded.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification)?.Version;
      expect((upgraded.Instances ?? []).map((i) => i.LaunchTemplate?.Version)).toEqual([version, version]);
      const nodes = await nodesOf('follows');
      expect(nodes.map((node) => ({ ready: isReady(node), kubelet: kubeletMinor(node) }))).toEqual([
        { ready: true, kubelet: '1.33' },
        { ready: true, kubelet: '1.33' },
      ]);
    });

    it('leaves the pinned nodegroup on its AMI, its instance untouched', async () => {
      const { instances } = await group('pinned');
      expect(instances).toEqual(before.pinned.instances);
      expect(instances.map((i) => i.imageId)).toEqual([PINNED_AMI]);
    });

    it('records the spec at 1.33 without pinning an AMI the request did not ask for', async () => {
      const cluster = await cloud.call('GET', `/clusters/${NAME}`);
      const spec = cluster.body.spec as { version: string; selfManagedNodeGroups: Array<{ name: string; ami?: string }> };
      expect(spec.version).toBe('1.33');
      expect(spec.selfManagedNodeGroups.map((ng) => ({ name: ng.name, ami: ng.ami }))).toEqual([{ name: 'follows', ami: undefined }, { name: 'pinned', ami: PINNED_AMI }]);
    });

    it('refuses 1.33 asked again, every part (the self-managed nodes as read on their kubelets) running it', async () => {
      const again = await cloud.call('POST', `/clusters/${NAME}/upgrade`, { body: { version: '1.33' } });

      expect(again.status).toBe(422);
      expect(again.body.errors).toContainEqual({ pointer: '/version', message: 'the cluster already runs Kubernetes 1.33' });
    });
  });
});
