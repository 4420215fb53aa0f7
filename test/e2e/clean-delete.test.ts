/**
 * Deleting a cluster whose Kubernetes controllers left resources in its VPC, in local mode over
 * HTTP and the bus: a Service of type LoadBalancer got a network load balancer, a target group
 * and a security group from the AWS Load Balancer Controller (made by the emulator's
 * /_local/controller-leftovers control), another one without annotations got a Classic Load
 * Balancer, its k8s-elb group and a rule in the nodes' group from the in-tree service controller
 * (/_local/classic-leftovers), and the VPC CNI left an interface behind. Without the cleanup, the
 * cluster stack's delete would fail on the VPC (DependencyViolation: see
 * test/emulator/elbv2.test.ts and test/emulator/elb-classic.test.ts); with it, DELETE succeeds,
 * each deletion shows as a step, and nothing of the cluster is left in the VPC — the VPC itself
 * is gone.
 */
import { DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand, ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalMode } from '../../local/start';
import type { ClassicLeftovers } from '../../local/emulator/services/elb/controller';
import { stsIdentities } from '../../local/emulator/services/sts';
import type { Leftovers } from '../../local/emulator/services/elbv2/controller';
import { expectOneTerminalLast, LocalCloud, type Reply, type StatusEvent } from '../support/local-cloud';

const TIME_SCALE = 0.001;
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const NAME = 'tidy';

let local: LocalMode;
let cloud: LocalCloud;
let elbv2: ElasticLoadBalancingV2Client;
let elb: ElasticLoadBalancingClient;

const spec = (): Record<string, unknown> => {
  const { fargate: _fargate, ...reference } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'reference-cluster.json'), 'utf8')) as Record<string, unknown>;
  return { ...reference, name: NAME };
};

async function completed(reply: Reply, status = 'SUCCEEDED'): Promise<StatusEvent[]> {
  expect(reply).toMatchObject({ status: 202, body: { status: 'ACCEPTED' } });
  const events = await cloud.eventsUntilTerminal(String(reply.body.operationId));
  expectOneTerminalLast(events, status);
  return events;
}

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 5151, quiet: true });
  cloud = new LocalCloud(local);
  const client = { endpoint: local.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  elbv2 = new ElasticLoadBalancingV2Client(client);
  elb = new ElasticLoadBalancingClient(client);
}, 30_000);

afterAll(async () => {
  elbv2?.destroy();
  elb?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('a cluster whose load balancer controller and VPC CNI left resources in its VPC', () => {
  let left: Leftovers;
  let classic: ClassicLeftovers;

  it('is created, and its "controllers" make a load balancer for each of two Services: an ELBv2 one and a Classic one', async () => {
    await completed(await cloud.call('POST', '/clusters', { caller: OWNER, body: spec() }));
    const response = await fetch(`${local.awsUrl}/_local/controller-leftovers`, { method: 'POST', body: JSON.stringify({ cluster: NAME, service: 'shop/web', type: 'network', cniInterface: true }) });
    expect(response.status).toBe(200);
    left = (await response.json()) as Leftovers;
    expect((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.map((lb) => lb.VpcId)).toEqual([left.vpcId]);
    const inTree = await fetch(`${local.awsUrl}/_local/classic-leftovers`, { method: 'POST', body: JSON.stringify({ cluster: NAME, service: 'shop/legacy' }) });
    expect(inTree.status).toBe(200);
    classic = (await inTree.json()) as ClassicLeftovers;
    expect((await elb.send(new DescribeClassicLoadBalancersCommand({}))).LoadBalancerDescriptions?.map((lb) => lb.VPCId)).toEqual([left.vpcId]);
    expect(local.world.ec2.securityGroups.get(classic.securityGroupId)?.groupName).toBe(`k8s-elb-${classic.loadBalancerName}`);
  });

  it('is deleted with nothing of it left in the VPC, and the VPC gone; each deletion a step of the Teardown', async () => {
    const events = await completed(await cloud.call('DELETE', `/clusters/${NAME}`, { caller: OWNER }));

    const steps = events.filter((e) => e.step && e.step.name !== 'Delete Cluster Stack').map((e) => `${e.phase} ${e.step!.name} ${e.step!.status} ${e.step!.resource}`);
    // The Classic one is gone when its delete answers; the groups wait for the ELBv2 one to be gone (and the Classic one's interfaces to be released).
    expect(steps).toEqual([
      `Teardown Delete Load Balancer STARTED load balancer ${left.loadBalancerArn.split('/')[2]}`,
      `Teardown Delete Load Balancer SUCCEEDED load balancer ${classic.loadBalancerName}`,
      `Teardown Delete Network Interface SUCCEEDED network interface ${left.cniNetworkInterfaceId}`,
      `Teardown Delete Load Balancer SUCCEEDED load balancer ${left.loadBalancerArn.split('/')[2]}`,
      `Teardown Delete Target Group SUCCEEDED target group ${left.loadBalancerArn.split('/')[2]}`,
      expect.stringMatching(new RegExp(`^Teardown Delete Security Group SUCCEEDED security group ${left.securityGroupId} `)),
      `Teardown Delete Security Group SUCCEEDED security group ${classic.securityGroupId} (k8s-elb-${classic.loadBalancerName})`,
    ]);
    expect((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    expect((await elb.send(new DescribeClassicLoadBalancersCommand({}))).LoadBalancerDescriptions).toEqual([]);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([]);
    const { world } = local;
    expect(world.ec2.vpcs.has(left.vpcId)).toBe(false);
    expect([...world.ec2.subnets.values()].filter((s) => s.vpcId === left.vpcId)).toEqual([]);
    expect([...world.ec2.securityGroups.values()].filter((g) => g.vpcId === left.vpcId)).toEqual([]);
    expect([...world.ec2.networkInterfaces.values()].filter((e) => e.vpcId === left.vpcId)).toEqual([]);
    // The load balancer controller's group goes as the step's own role; the k8s-elb group (Kubernetes' tag only) as a session of the Kubernetes groups role scoped to this cluster.
    const deleters = new Set(world.callPrincipals.filter((c) => c.call === 'ec2:DeleteSecurityGroup' && !c.invokedBy).map((c) => c.principal));
    const scoped = `arn:aws:sts::${world.account}:assumed-role/eksp-kubernetes-groups-role/eksp-groups-${NAME}`;
    expect([...deleters].sort()).toEqual([`arn:aws:sts::${world.account}:assumed-role/eksp-delete-controller-resources-role/eksp-delete-controller-resources`, scoped].sort());
    const session = [...stsIdentities(world).issued.values()].find((key) => key.arn === scoped);
    expect(session?.sessionPolicy).toMatchObject({ Statement: [{ Action: 'ec2:DeleteSecurityGroup', Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${NAME}`]: 'owned' } } }] });
    await cloud.expectNothingLeft(NAME);
  });
});
