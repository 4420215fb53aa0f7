import { AccessPointNotFoundException, DeleteLoadBalancerCommand, DescribeLoadBalancersCommand, DescribeTagsCommand, ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkElb } from '../../../functions/ports/elb';
import { metadata } from './port-helpers';

function setup() {
  const client = new ElasticLoadBalancingClient({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkElb(() => client) };
}

const tagged = (names: string[]) => ({ TagDescriptions: names.map((LoadBalancerName) => ({ LoadBalancerName, Tags: [{ Key: 'kubernetes.io/cluster/demo', Value: 'owned' }] })) });

describe('SdkElb (Classic)', () => {
  it('describes the Classic Load Balancers of one VPC, page after page, tagged with DescribeTags 20 names at a time', async () => {
    const { mock, port } = setup();
    const mine = Array.from({ length: 25 }, (_, i) => ({ LoadBalancerName: `a${i}`, VPCId: 'vpc-1' }));
    mock
      .on(DescribeLoadBalancersCommand, { PageSize: 400 })
      .resolvesOnce({ LoadBalancerDescriptions: [...mine.slice(0, 20), { LoadBalancerName: 'elsewhere', VPCId: 'vpc-2' }], NextMarker: 'm2' })
      .resolvesOnce({ LoadBalancerDescriptions: mine.slice(20) });
    mock.on(DescribeTagsCommand).callsFake((input: { LoadBalancerNames: string[] }) => tagged(input.LoadBalancerNames));

    const found = await port.describeLoadBalancers('vpc-1');

    expect(found).toHaveLength(25);
    expect(found[0]).toEqual({ name: 'a0', vpcId: 'vpc-1', tags: { 'kubernetes.io/cluster/demo': 'owned' } });
    expect(mock).toHaveReceivedNthCommandWith(2, DescribeLoadBalancersCommand, { PageSize: 400, Marker: 'm2' });
    expect(mock.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.LoadBalancerNames?.length)).toEqual([20, 5]);
  });

  it('leaves out one deleted between the Describe and DescribeTags (LoadBalancerNotFound), asking for the others one by one', async () => {
    const { mock, port } = setup();
    mock.on(DescribeLoadBalancersCommand).resolves({ LoadBalancerDescriptions: ['a1', 'a2'].map((LoadBalancerName) => ({ LoadBalancerName, VPCId: 'vpc-1' })) });
    const gone = new AccessPointNotFoundException({ $metadata: metadata, message: "There is no ACTIVE Load Balancer named 'a1'" });
    mock.on(DescribeTagsCommand, { LoadBalancerNames: ['a1', 'a2'] }).rejects(gone);
    mock.on(DescribeTagsCommand, { LoadBalancerNames: ['a1'] }).rejects(gone);
    mock.on(DescribeTagsCommand, { LoadBalancerNames: ['a2'] }).resolves(tagged(['a2']));

    expect(await port.describeLoadBalancers('vpc-1')).toEqual([{ name: 'a2', vpcId: 'vpc-1', tags: { 'kubernetes.io/cluster/demo': 'owned' } }]);
  });

  it('makes no DescribeTags call for a VPC without Classic Load Balancers', async () => {
    const { mock, port } = setup();
    mock.on(DescribeLoadBalancersCommand).resolves({ LoadBalancerDescriptions: [{ LoadBalancerName: 'elsewhere', VPCId: 'vpc-2' }] });

    expect(await port.describeLoadBalancers('vpc-1')).toEqual([]);
    expect(mock).not.toHaveReceivedCommand(DescribeTagsCommand);
  });

  it('deletes by name', async () => {
    const { mock, port } = setup();
    mock.on(DeleteLoadBalancerCommand).resolves({});

    await port.deleteLoadBalancer('a1');

    expect(mock).toHaveReceivedCommandWith(DeleteLoadBalancerCommand, { LoadBalancerName: 'a1' });
  });
});
