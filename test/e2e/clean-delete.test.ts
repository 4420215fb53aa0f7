/**
 * Deleting a cluster whose Kubernetes controllers left resources in its VPC, in local mode over
 * HTTP and the bus: a Service of type LoadBalancer got a network load balancer, a target group
 * and a security group from the AWS Load Balancer Controller (made by the emulator's
 * /_local/controller-leftovers control), and the VPC CNI left an interface behind. Without the
 * cleanup, the cluster stack's delete would fail on the VPC (DependencyViolation: see
 * test/emulator/elbv2.test.ts); with it, DELETE succeeds, each deletion shows as a step, and
 * nothing of the cluster is left in the VPC — the VPC itself is gone.
 */
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalMode } from '../../local/start';
import type { Leftovers } from '../../local/emulator/services/elbv2/controller';
import { expectOneTerminalLast, LocalCloud, type Reply, type StatusEvent } from '../support/local-cloud';

const TIME_SCALE = 0.001;
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const NAME = 'tidy';

let local: LocalMode;
let cloud: LocalCloud;
let elbv2: ElasticLoadBalancingV2Client;

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
  elbv2 = new ElasticLoadBalancingV2Client({ endpoint: local.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 30_000);

afterAll(async () => {
  elbv2?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('a cluster whose load balancer controller and VPC CNI left resources in its VPC', () => {
  let left: Leftovers;

  it('is created, and its "controller" makes a load balancer for a Service', async () => {
    await completed(await cloud.call('POST', '/clusters', { caller: OWNER, body: spec() }));
    const response = await fetch(`${local.awsUrl}/_local/controller-leftovers`, { method: 'POST', body: JSON.stringify({ cluster: NAME, service: 'shop/web', type: 'network', cniInterface: true }) });
    expect(response.status).toBe(200);
    left = (await response.json()) as Leftovers;
    expect((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.map((lb) => lb.VpcId)).toEqual([left.vpcId]);
  });

  it('is deleted with nothing of it left in the VPC, and the VPC gone; each deletion a step of the Teardown', async () => {
    const events = await completed(await cloud.call('DELETE', `/clusters/${NAME}`, { caller: OWNER }));

    const steps = events.filter((e) => e.step && e.step.name !== 'Delete Cluster Stack').map((e) => `${e.phase} ${e.step!.name} ${e.step!.status}`);
    expect(steps).toEqual([
      'Teardown Delete Load Balancer STARTED',
      'Teardown Delete Network Interface SUCCEEDED',
      'Teardown Delete Load Balancer SUCCEEDED',
      'Teardown Delete Target Group SUCCEEDED',
      'Teardown Delete Security Group SUCCEEDED',
    ]);
    expect((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([]);
    const { world } = local;
    expect(world.ec2.vpcs.has(left.vpcId)).toBe(false);
    expect([...world.ec2.subnets.values()].filter((s) => s.vpcId === left.vpcId)).toEqual([]);
    expect([...world.ec2.securityGroups.values()].filter((g) => g.vpcId === left.vpcId)).toEqual([]);
    expect([...world.ec2.networkInterfaces.values()].filter((e) => e.vpcId === left.vpcId)).toEqual([]);
    await cloud.expectNothingLeft(NAME);
  });
});
