/**
 * Replacing a self-managed node after its labels change, in local mode, as the service will do it:
 * a cluster with one self-managed nodegroup is provisioned; its stack is updated with the same
 * template but new kubelet labels and a new image in the launch template's user data (a new
 * version the group re-resolves to); one old instance is terminated through Auto Scaling without
 * decrementing. The replacement joins the cluster from version 2 (new labels, new image) and is
 * Ready; the old node stays until the cloud node lifecycle controller deletes it. kubectl shows
 * the new node's label (skipped with its reason when kubectl or the AWS CLI is absent; required
 * under CI=true).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { kubeFetch } from '../support/kube-fetch';
import { expectOneTerminalLast, LocalCloud } from '../support/local-cloud';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';

const NAME = 'relabel';
const STACK = `eksp-${NAME}-nodegroup-self`;
const NEW_IMAGE = 'ami-0cccccccccccccccc';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { providerID: string };
  status: { conditions: Array<{ type: string; status: string }> };
}

let local: LocalMode;
let cloud: LocalCloud;
let cfn: CloudFormationClient;
let autoScaling: AutoScalingClient;
let home: string;

async function selfManagedNodes(): Promise<Node[]> {
  const token = await kubernetesToken(NAME, 'us-east-1', async () => credentials);
  const response = await kubeFetch(`${local.awsUrl.replace('http:', 'https:')}/k8s/${NAME}/api/v1/nodes`, local.world.certificates.get().caCertificate, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  expect(response.status).toBe(200);
  return (await response.json<{ items: Node[] }>()).items.filter((node) => node.metadata.labels['eks-provisioner/nodegroup'] === 'self');
}

const instanceIdOf = (node: Node) => node.spec.providerID.split('/').pop()!;
const isReady = (node: Node) => node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eksp-relabel-'));
  // 0.01: a terminated node's 55 emulated seconds before deletion are half a real second, long enough to see it stay.
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: 0.01, seed: 13, quiet: true });
  cloud = new LocalCloud(local);
  cfn = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  autoScaling = new AutoScalingClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  const accepted = await cloud.call('POST', '/clusters', { body: { name: NAME, selfManagedNodeGroups: [{ name: 'self', minSize: 1, desiredSize: 2, maxSize: 3, labels: { role: 'batch' } }], addons: [{ name: 'vpc-cni' }] } });
  expect(accepted.status).toBe(202);
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 120_000), 'SUCCEEDED');
}, 150_000);

afterAll(async () => {
  cfn?.destroy();
  autoScaling?.destroy();
  cloud?.destroy();
  await local?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('replacing a self-managed node after a label and image change', () => {
  it('updates the stack in place, then a terminated node is replaced by one from the new version, with the new labels and image, Ready; the old node goes away', async () => {
    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: STACK }));
    const template = JSON.parse(TemplateBody!) as { Resources: { NodeGroupLaunchTemplate: { Properties: { LaunchTemplateData: { ImageId: string; UserData: { 'Fn::Base64': string } } } } } };
    const data = template.Resources.NodeGroupLaunchTemplate.Properties.LaunchTemplateData;
    expect(data.UserData['Fn::Base64']).toContain('role=batch');
    data.UserData['Fn::Base64'] = data.UserData['Fn::Base64'].replace('role=batch', 'role=batch,tier=gold');
    data.ImageId = NEW_IMAGE;
    const before = await selfManagedNodes();
    expect(before).toHaveLength(2);

    await cfn.send(new UpdateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(template), Capabilities: ['CAPABILITY_NAMED_IAM'] }));
    const status = await until(async () => (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks?.[0]?.StackStatus, (s) => s !== undefined && !s.endsWith('_IN_PROGRESS'), 'nodegroup stack updated', 30_000);
    expect(status).toBe('UPDATE_COMPLETE');
    // Running nodes keep what they booted with.
    expect((await selfManagedNodes()).map((n) => n.metadata.labels.tier)).toEqual([undefined, undefined]);

    const old = before[0]!;
    await autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceIdOf(old), ShouldDecrementDesiredCapacity: false }));
    // The kubelet has stopped, but the Node stays until the cloud node lifecycle controller deletes it.
    expect((await selfManagedNodes()).map((n) => n.metadata.name)).toContain(old.metadata.name);

    const after = await until(selfManagedNodes, (nodes) => nodes.length === 2 && nodes.every(isReady) && !nodes.some((n) => n.metadata.name === old.metadata.name), 'the replacement Ready and the old node deleted', 30_000);
    const replacement = after.find((n) => n.metadata.name !== before[1]!.metadata.name)!;
    expect(replacement.metadata.labels).toMatchObject({ role: 'batch', tier: 'gold', 'eks-provisioner/nodegroup': 'self' });
    const instance = local.world.ec2.instances.get(instanceIdOf(replacement))!;
    expect([instance.imageId, instance.launchTemplate?.version, instance.tags['aws:ec2launchtemplate:version']]).toEqual([NEW_IMAGE, '2', '2']);
    expect(local.world.ec2.instances.get(instanceIdOf(old))?.state).toBe('terminated');
  }, 90_000);

  itWith(tools.kubectl && tools.awsCli, 'kubectl and the AWS CLI')('kubectl get nodes -L tier shows the replacement with the new label', async () => {
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(kubeconfig, (await cloud.call('GET', `/clusters/${NAME}/kubeconfig`)).text);

    const run = await spawnCollect('kubectl', ['get', 'nodes', '-l', 'eks-provisioner/nodegroup=self', '-L', 'tier'], localModeShell(local.awsUrl, { HOME: home, KUBECONFIG: kubeconfig }));

    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows.filter((row) => /\sReady\s.*\sgold$/.test(row))).toHaveLength(1);
  }, 60_000);
});
