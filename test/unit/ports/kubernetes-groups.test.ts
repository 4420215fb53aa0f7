/**
 * Kubernetes' own security groups are deleted with a session of the Kubernetes groups role whose
 * inline policy names one cluster's ownership tag: each cluster its own session, and the EC2
 * call signed with that session's key.
 */
import type { Server } from 'node:http';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AssumedKubernetesGroups, ownedGroupsSessionName, ownedGroupsSessionPolicy } from '../../../functions/ports/kubernetes-groups';
import { ec2Endpoint } from './port-helpers';

const ROLE = 'arn:aws:iam::111122223333:role/eksp-kubernetes-groups-role';
const DELETED = '<DeleteSecurityGroupResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return></DeleteSecurityGroupResponse>';

describe('AssumedKubernetesGroups', () => {
  const previous = process.env.AWS_ENDPOINT_URL_EC2;
  let server: Server | undefined;
  afterEach(async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = previous;
    if (server) await new Promise((resolve) => server!.close(resolve));
  });

  async function setup() {
    const endpoint = await ec2Endpoint([[200, DELETED]]);
    server = endpoint.server;
    process.env.AWS_ENDPOINT_URL_EC2 = endpoint.url;
    const client = new STSClient({ region: 'us-east-1' });
    const sts = mockClient(client);
    let n = 0;
    sts.on(AssumeRoleCommand).callsFake(() => ({ Credentials: { AccessKeyId: `ASIASCOPED${++n}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 15 * 60_000) } }));
    const groups = new AssumedKubernetesGroups({ region: () => 'us-east-1', sts: () => client, roleArn: () => ROLE });
    return { groups, sts, seen: endpoint.seen };
  }

  it("deletes with a session whose policy allows only DeleteSecurityGroup on groups the cluster's Kubernetes owns", async () => {
    const { groups, sts, seen } = await setup();

    await expect(groups.deleteOwnedSecurityGroup('demo', 'sg-0elb')).resolves.toEqual({ deleted: true });

    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE, RoleSessionName: 'eksp-groups-demo', DurationSeconds: 900, Policy: ownedGroupsSessionPolicy('demo') });
    expect(JSON.parse(ownedGroupsSessionPolicy('demo'))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ec2:DeleteSecurityGroup', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/demo': 'owned' } } }],
    });
    expect(seen[0]!.form.get('Action')).toBe('DeleteSecurityGroup');
    expect(seen[0]!.form.get('GroupId')).toBe('sg-0elb');
    expect(seen[0]!.authorization).toContain('Credential=ASIASCOPED1/');
  });

  it('keeps one session per cluster: a second delete for the cluster reuses it, another cluster gets its own', async () => {
    const { groups, sts, seen } = await setup();

    await groups.deleteOwnedSecurityGroup('demo', 'sg-1');
    await groups.deleteOwnedSecurityGroup('demo', 'sg-2');
    await groups.deleteOwnedSecurityGroup('other', 'sg-3');

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toHaveReceivedNthCommandWith(2, AssumeRoleCommand, { RoleSessionName: 'eksp-groups-other', Policy: ownedGroupsSessionPolicy('other') });
    expect(seen.map((s) => /Credential=(\w+)\//.exec(s.authorization ?? '')?.[1])).toEqual(['ASIASCOPED1', 'ASIASCOPED1', 'ASIASCOPED2']);
  });

  it('keeps the session name within STS’s 64 characters for the longest cluster names', () => {
    const longest = 'c'.repeat(100);

    expect(ownedGroupsSessionName(longest)).toHaveLength(64);
    expect(ownedGroupsSessionName(longest)).toMatch(/^eksp-groups-c+$/);
  });
});
