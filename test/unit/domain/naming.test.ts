import { TAG_CLUSTER, TAG_MANAGED_BY, TAG_OPERATION, TAG_OWNER, accessPolicyArn, clusterStackName, eventId, exportName, fargateStackName, idempotencyToken, nodegroupStackName, ownershipTags } from '../../../functions/domain/naming';

/** CloudFormation's ClientRequestToken pattern; EKS's clientRequestToken is at most 64 characters. */
const CLIENT_REQUEST_TOKEN = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

describe('clusterStackName', () => {
  it.each([
    ['demo', 'eksp-demo-cluster'],
    ['team-a-prod', 'eksp-team-a-prod-cluster'],
  ])('names the stack of cluster %s like eksctl does: %s', (cluster, expected) => {
    expect(clusterStackName(cluster)).toBe(expected);
  });

  it('stays within CloudFormation’s 128-character stack name limit for the longest cluster name', () => {
    const name = clusterStackName('a'.repeat(40));

    expect(name.length).toBeLessThanOrEqual(128);
    expect(name).toMatch(/^[a-zA-Z][-a-zA-Z0-9]*$/);
  });
});

describe('stacks added to a cluster later', () => {
  const STACK_NAME = /^[A-Za-z][-A-Za-z0-9]{0,127}$/;

  it('names a nodegroup’s stack like eksctl, and the Fargate stack', () => {
    expect(nodegroupStackName('team-a', 'ng-1')).toBe('eksp-team-a-nodegroup-ng-1');
    expect(fargateStackName('team-a')).toBe('eksp-team-a-fargate');
  });

  it('keeps nodegroup names CloudFormation refuses in a stack name distinct and valid', () => {
    const underscored = nodegroupStackName('team-a', 'ng_1');

    expect(underscored).toMatch(/^eksp-team-a-nodegroup-ng-1-[0-9a-f]{8}$/);
    expect(underscored).not.toBe(nodegroupStackName('team-a', 'ng-1'));
    expect(nodegroupStackName('a'.repeat(40), `n${'_'.repeat(62)}`)).toMatch(STACK_NAME);
  });
});

describe('exportName', () => {
  it('exports an output as <stack>::<Output>', () => {
    expect(exportName('eksp-demo-cluster', 'SubnetsPrivate')).toBe('eksp-demo-cluster::SubnetsPrivate');
  });
});

describe('idempotencyToken', () => {
  it('gives the same token for the same operation, step and resource', () => {
    const first = idempotencyToken('op-0001', 'Create Nodegroup', 'ng-general');

    const retried = idempotencyToken('op-0001', 'Create Nodegroup', 'ng-general');

    expect(retried).toBe(first);
  });

  it.each([
    ['another operation', ['op-0002', 'Create Nodegroup', 'ng-general']],
    ['another step', ['op-0001', 'Delete Nodegroup', 'ng-general']],
    ['another resource', ['op-0001', 'Create Nodegroup', 'ng-spot']],
    ['no resource', ['op-0001', 'Create Nodegroup']],
    ['the same text split differently', ['op-0001', 'Create Nodegroupng', '-general']],
  ])('gives a different token for %s', (_, args) => {
    const base = idempotencyToken('op-0001', 'Create Nodegroup', 'ng-general');

    const other = idempotencyToken(...(args as [string, string, string?]));

    expect(other).not.toBe(base);
  });

  it.each([
    ['a short operation id', 'op-1', 'Create Cluster Stack', ''],
    ['a long operation id', `op-${'f'.repeat(80)}`, 'Create Fargate Profile', 'fp-default'],
    ['characters CloudFormation refuses in the inputs', 'op_with_underscores', 'Map Identities / aws-auth', 'arn:aws:iam::111122223333:role/x'],
  ])('fits CloudFormation’s ClientRequestToken pattern and EKS’s 64 characters for %s', (_, operationId, step, resource) => {
    const token = idempotencyToken(operationId, step, resource);

    expect(token).toMatch(CLIENT_REQUEST_TOKEN);
    expect(token.length).toBeLessThanOrEqual(64);
  });
});

describe('eventId', () => {
  it('is deterministic and 32 hex characters', () => {
    const id = eventId('op-0001', 'IN_PROGRESS', 'Plan');

    expect(eventId('op-0001', 'IN_PROGRESS', 'Plan')).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs when the parts differ, even if they join to the same text', () => {
    expect(eventId('ab', 'c')).not.toBe(eventId('a', 'bc'));
  });
});

describe('ownershipTags', () => {
  const ownership = { clusterName: 'demo', owner: 'arn:aws:iam::111122223333:role/portal', operationId: 'op-0001' };

  it('adds the cluster, owner, operation and managed-by tags to the caller’s tags', () => {
    const tags = ownershipTags({ team: 'platform' }, ownership);

    expect(tags).toEqual({
      team: 'platform',
      [TAG_CLUSTER]: 'demo',
      [TAG_OWNER]: 'arn:aws:iam::111122223333:role/portal',
      [TAG_OPERATION]: 'op-0001',
      [TAG_MANAGED_BY]: 'eks-provisioner',
    });
  });

  it('gives only the ownership tags when the caller gives none', () => {
    const tags = ownershipTags(undefined, ownership);

    expect(Object.keys(tags).sort()).toEqual([TAG_CLUSTER, TAG_MANAGED_BY, TAG_OPERATION, TAG_OWNER].sort());
  });

  it.each([TAG_CLUSTER, TAG_OWNER, TAG_OPERATION, TAG_MANAGED_BY])('keeps the service’s %s when the caller tries to set it', (key) => {
    const tags = ownershipTags({ [key]: 'forged' }, ownership);

    expect(tags[key]).not.toBe('forged');
  });

  it('does not change the caller’s tags object', () => {
    const userTags = { team: 'platform' };

    ownershipTags(userTags, ownership);

    expect(userTags).toEqual({ team: 'platform' });
  });
});

describe('accessPolicyArn', () => {
  it.each([
    ['AmazonEKSClusterAdminPolicy', 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'],
    ['AmazonEKSViewPolicy', 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'],
    ['arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy'],
    ['arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy', 'arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy'],
  ])('turns %s into %s', (policy, expected) => {
    expect(accessPolicyArn(policy)).toBe(expected);
  });
});
