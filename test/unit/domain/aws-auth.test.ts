import { parse } from 'yaml';
import { findIdentityMapping, mergeIdentityMappings, removeIdentityMapping, type AwsAuthData } from '../../../functions/domain/aws-auth';
import type { IdentityMappingSpec } from '../../../functions/domain/spec';

const NODE_ROLE = 'arn:aws:iam::111122223333:role/eksp-demo-cluster-NodeInstanceRole-1A2B3C';
const FARGATE_ROLE = 'arn:aws:iam::111122223333:role/eksp-demo-cluster-FargatePodExecutionRole-4D5E6F';
const OPS_ROLE = 'arn:aws:iam::111122223333:role/ops';
const ALICE = 'arn:aws:iam::111122223333:user/alice';

/** aws-auth as EKS leaves it once managed nodes and a Fargate profile exist. */
const EKS_WRITTEN: AwsAuthData = {
  mapRoles: [
    '- groups:',
    '  - system:bootstrappers',
    '  - system:nodes',
    `  rolearn: ${NODE_ROLE}`,
    '  username: system:node:{{EC2PrivateDNSName}}',
    '- groups:',
    '  - system:bootstrappers',
    '  - system:nodes',
    '  - system:node-proxier',
    `  rolearn: ${FARGATE_ROLE}`,
    '  username: system:node:{{SessionName}}',
    '',
  ].join('\n'),
};

const mapping = (arn: string, username?: string, groups: string[] = []): IdentityMappingSpec => ({ arn, ...(username ? { username } : {}), groups });
const rolesOf = (data: AwsAuthData | undefined) => parse(data?.mapRoles ?? '[]') as Array<Record<string, unknown>>;
const usersOf = (data: AwsAuthData | undefined) => parse(data?.mapUsers ?? '[]') as Array<Record<string, unknown>>;

describe('mergeIdentityMappings', () => {
  it('keeps the node and Fargate role entries EKS added when it adds a role mapping', () => {
    const merged = mergeIdentityMappings(EKS_WRITTEN, [mapping(OPS_ROLE, 'ops', ['ops'])]);

    expect(rolesOf(merged)).toEqual([
      { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { rolearn: FARGATE_ROLE, username: 'system:node:{{SessionName}}', groups: ['system:bootstrappers', 'system:nodes', 'system:node-proxier'] },
      { rolearn: OPS_ROLE, username: 'ops', groups: ['ops'] },
    ]);
  });

  it('puts user ARNs in mapUsers and role ARNs in mapRoles', () => {
    const merged = mergeIdentityMappings(EKS_WRITTEN, [mapping(ALICE, 'alice', ['dev']), mapping(OPS_ROLE, undefined, ['ops'])]);

    expect(usersOf(merged)).toEqual([{ userarn: ALICE, username: 'alice', groups: ['dev'] }]);
    expect(rolesOf(merged).map((r) => r.rolearn)).toEqual([NODE_ROLE, FARGATE_ROLE, OPS_ROLE]);
  });

  it('leaves out the username and groups a mapping does not give', () => {
    const merged = mergeIdentityMappings(undefined, [mapping(OPS_ROLE)]);

    expect(rolesOf(merged)).toEqual([{ rolearn: OPS_ROLE }]);
  });

  it('replaces an existing mapping for the same ARN instead of adding a second', () => {
    const current = mergeIdentityMappings(EKS_WRITTEN, [mapping(OPS_ROLE, 'ops', ['ops'])]);

    const merged = mergeIdentityMappings(current, [mapping(OPS_ROLE, 'ops', ['ops', 'admins'])]);

    expect(rolesOf(merged).filter((r) => r.rolearn === OPS_ROLE)).toEqual([{ rolearn: OPS_ROLE, username: 'ops', groups: ['ops', 'admins'] }]);
    expect(rolesOf(merged)).toHaveLength(3);
  });

  it('updates an existing user mapping in place', () => {
    const current: AwsAuthData = { ...EKS_WRITTEN, mapUsers: `- userarn: ${ALICE}\n  username: alice\n  groups:\n  - dev\n` };

    const merged = mergeIdentityMappings(current, [mapping(ALICE, 'alice', ['admins'])]);

    expect(usersOf(merged)).toEqual([{ userarn: ALICE, username: 'alice', groups: ['admins'] }]);
  });

  it('returns undefined when every mapping is already there as asked, so a retry makes no write', () => {
    const wanted = [mapping(OPS_ROLE, 'ops', ['ops']), mapping(ALICE, 'alice', ['dev'])];
    const current = mergeIdentityMappings(EKS_WRITTEN, wanted);

    const again = mergeIdentityMappings(current, wanted);

    expect(again).toBeUndefined();
  });

  it('returns undefined for a mapping already there with its keys in another order (as eksctl writes them)', () => {
    const current: AwsAuthData = { mapRoles: `- groups:\n  - ops\n  rolearn: ${OPS_ROLE}\n  username: ops\n` };

    const merged = mergeIdentityMappings(current, [mapping(OPS_ROLE, 'ops', ['ops'])]);

    expect(merged).toBeUndefined();
  });

  it('returns undefined when nothing is asked for', () => {
    expect(mergeIdentityMappings(EKS_WRITTEN, [])).toBeUndefined();
  });

  it.each<[string, AwsAuthData | undefined]>([
    ['a missing ConfigMap', undefined],
    ['a ConfigMap without data keys', {}],
    ['empty mapRoles and mapUsers', { mapRoles: '', mapUsers: '  \n' }],
  ])('starts from nothing for %s', (_, current) => {
    const merged = mergeIdentityMappings(current, [mapping(OPS_ROLE, 'ops', ['ops'])]);

    expect(rolesOf(merged)).toEqual([{ rolearn: OPS_ROLE, username: 'ops', groups: ['ops'] }]);
    expect(usersOf(merged)).toEqual([]);
  });

  it('keeps the ConfigMap’s other data keys', () => {
    const current: AwsAuthData = { ...EKS_WRITTEN, mapAccounts: '- "111122223333"\n' };

    const merged = mergeIdentityMappings(current, [mapping(OPS_ROLE)]);

    expect(merged?.mapAccounts).toBe('- "111122223333"\n');
  });

  it('adds no mapUsers key when there are no user mappings and none existed', () => {
    const merged = mergeIdentityMappings(EKS_WRITTEN, [mapping(OPS_ROLE)]);

    expect(merged).not.toHaveProperty('mapUsers');
  });

  it('does not change the ConfigMap data it is given', () => {
    const current = { ...EKS_WRITTEN };

    mergeIdentityMappings(current, [mapping(OPS_ROLE, 'ops', ['ops'])]);

    expect(current).toEqual(EKS_WRITTEN);
  });

  it('refuses mapRoles that is not a YAML list rather than overwrite it', () => {
    const act = () => mergeIdentityMappings({ mapRoles: 'rolearn: x\n' }, [mapping(OPS_ROLE)]);

    expect(act).toThrow('aws-auth mapRoles is not a YAML list');
  });
});

describe('removeIdentityMapping', () => {
  const withOps = mergeIdentityMappings(EKS_WRITTEN, [mapping(OPS_ROLE, 'ops', ['ops']), mapping(ALICE, 'alice', ['viewers'])]);

  it('removes the role’s mapping and keeps EKS’s entries and the users', () => {
    const removed = removeIdentityMapping(withOps, OPS_ROLE);

    expect(rolesOf(removed).map((r) => r.rolearn)).toEqual([NODE_ROLE, FARGATE_ROLE]);
    expect(removed?.mapUsers).toBe(withOps?.mapUsers);
  });

  it('removes a user’s mapping', () => {
    expect(usersOf(removeIdentityMapping(withOps, ALICE))).toEqual([]);
  });

  it('returns undefined when there is nothing to remove, so a retry writes nothing', () => {
    expect(removeIdentityMapping(EKS_WRITTEN, OPS_ROLE)).toBeUndefined();
    expect(removeIdentityMapping(undefined, OPS_ROLE)).toBeUndefined();
  });
});

describe('findIdentityMapping', () => {
  it('tells a node or Fargate role’s mapping from a person’s', () => {
    const data = mergeIdentityMappings(EKS_WRITTEN, [mapping(OPS_ROLE, 'ops', ['ops'])]);

    expect(findIdentityMapping(data, NODE_ROLE)).toMatchObject({ node: true, groups: ['system:bootstrappers', 'system:nodes'] });
    expect(findIdentityMapping(data, FARGATE_ROLE)).toMatchObject({ node: true });
    expect(findIdentityMapping(data, OPS_ROLE)).toEqual({ arn: OPS_ROLE, username: 'ops', groups: ['ops'], node: false });
    expect(findIdentityMapping(data, ALICE)).toBeUndefined();
  });
});
