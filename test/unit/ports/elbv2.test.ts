import {
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
  ResourceInUseException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkElbv2 } from '../../../functions/ports/elbv2';
import { metadata, rejectionOf } from './port-helpers';

function setup() {
  const client = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkElbv2(() => client) };
}

const lbArn = (n: number) => `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/k8s-lb-${n}/${n}`;
const tgArn = (n: number) => `arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/k8s-tg-${n}/${n}`;

describe('SdkElbv2', () => {
  it('describes the load balancers of one VPC, page after page, tagged with DescribeTags 20 ARNs at a time', async () => {
    const { mock, port } = setup();
    const mine = Array.from({ length: 25 }, (_, i) => ({ LoadBalancerArn: lbArn(i), LoadBalancerName: `k8s-lb-${i}`, VpcId: 'vpc-1' }));
    mock
      .on(DescribeLoadBalancersCommand, { PageSize: 400 })
      .resolvesOnce({ LoadBalancers: [...mine.slice(0, 20), { LoadBalancerArn: lbArn(99), LoadBalancerName: 'elsewhere', VpcId: 'vpc-2' }], NextMarker: 'm2' })
      .resolvesOnce({ LoadBalancers: mine.slice(20) });
    mock.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({ TagDescriptions: input.ResourceArns.map((ResourceArn) => ({ ResourceArn, Tags: [{ Key: 'elbv2.k8s.aws/cluster', Value: 'demo' }] })) }));

    const found = await port.describeLoadBalancers('vpc-1');

    expect(found).toHaveLength(25);
    expect(found[0]).toEqual({ arn: lbArn(0), name: 'k8s-lb-0', vpcId: 'vpc-1', tags: { 'elbv2.k8s.aws/cluster': 'demo' } });
    expect(mock).toHaveReceivedNthCommandWith(2, DescribeLoadBalancersCommand, { PageSize: 400, Marker: 'm2' });
    expect(mock.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns?.length)).toEqual([20, 5]);
  });

  it('leaves out a resource deleted between the Describe and DescribeTags, asking for the others one by one', async () => {
    const { mock, port } = setup();
    mock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [1, 2].map((n) => ({ TargetGroupArn: tgArn(n), TargetGroupName: `k8s-tg-${n}`, VpcId: 'vpc-1', LoadBalancerArns: [lbArn(n)] })) });
    const gone = new TargetGroupNotFoundException({ $metadata: metadata, message: 'One or more target groups not found' });
    mock.on(DescribeTagsCommand, { ResourceArns: [tgArn(1), tgArn(2)] }).rejects(gone);
    mock.on(DescribeTagsCommand, { ResourceArns: [tgArn(1)] }).rejects(gone);
    mock.on(DescribeTagsCommand, { ResourceArns: [tgArn(2)] }).resolves({ TagDescriptions: [{ ResourceArn: tgArn(2), Tags: [{ Key: 'kubernetes.io/cluster/demo', Value: 'owned' }] }] });

    const found = await port.describeTargetGroups('vpc-1');

    expect(found).toEqual([
      { arn: tgArn(1), name: 'k8s-tg-1', vpcId: 'vpc-1', loadBalancerArns: [lbArn(1)], tags: {} },
      { arn: tgArn(2), name: 'k8s-tg-2', vpcId: 'vpc-1', loadBalancerArns: [lbArn(2)], tags: { 'kubernetes.io/cluster/demo': 'owned' } },
    ]);
  });

  it('makes no DescribeTags call for a VPC without load balancers', async () => {
    const { mock, port } = setup();
    mock.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });

    await expect(port.describeLoadBalancers('vpc-1')).resolves.toEqual([]);
    expect(mock).not.toHaveReceivedCommand(DescribeTagsCommand);
  });

  it('deletes a load balancer; one already gone is deleted', async () => {
    const { mock, port } = setup();
    mock.on(DeleteLoadBalancerCommand, { LoadBalancerArn: lbArn(1) }).resolves({});
    mock.on(DeleteLoadBalancerCommand, { LoadBalancerArn: lbArn(2) }).rejects(new LoadBalancerNotFoundException({ $metadata: metadata, message: 'not found' }));

    await port.deleteLoadBalancer(lbArn(1));
    await port.deleteLoadBalancer(lbArn(2));

    expect(mock).toHaveReceivedCommandTimes(DeleteLoadBalancerCommand, 2);
  });

  it('deletes a target group: in-use while a listener forwards to it, deleted when already gone, anything else thrown', async () => {
    const { mock, port } = setup();
    mock.on(DeleteTargetGroupCommand, { TargetGroupArn: tgArn(1) }).resolves({});
    mock.on(DeleteTargetGroupCommand, { TargetGroupArn: tgArn(2) }).rejects(new ResourceInUseException({ $metadata: metadata, message: 'in use by a listener' }));
    mock.on(DeleteTargetGroupCommand, { TargetGroupArn: tgArn(3) }).rejects(new TargetGroupNotFoundException({ $metadata: metadata, message: 'not found' }));
    mock.on(DeleteTargetGroupCommand, { TargetGroupArn: tgArn(4) }).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: metadata }));

    await expect(port.deleteTargetGroup(tgArn(1))).resolves.toBe('deleted');
    await expect(port.deleteTargetGroup(tgArn(2))).resolves.toBe('in-use');
    await expect(port.deleteTargetGroup(tgArn(3))).resolves.toBe('deleted');
    expect((await rejectionOf(port.deleteTargetGroup(tgArn(4)))).name).toBe('AccessDenied');
  });
});
