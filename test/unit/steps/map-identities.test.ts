import { parse, stringify } from 'yaml';
import { idempotencyToken, TAG_CLUSTER, TAG_OPERATION } from '../../../functions/domain/naming';
import type { Spec } from '../../../functions/domain/spec';
import { mapIdentities } from '../../../functions/steps/map-identities';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, completeStack, fakeAws, operation, provisionState, rejectionOf, specOf } from './step-inputs';

const AWS_AUTH = `${CLUSTER}/kube-system/aws-auth`;
const NODE_ROLE_MAPPING = { rolearn: 'arn:aws:iam::111122223333:role/eks-provisioner/demo-NodeInstanceRole', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
const LEGACY_OPS = { arn: 'arn:aws:iam::111122223333:role/legacy-ops', username: 'legacy-ops', groups: ['ops'] };

const stateWithStack = (spec: Spec) => provisionState(spec, { stack: completeStack(spec) });

function awsAuthOf(aws: FakeAws): { mapRoles: unknown[]; mapUsers?: unknown[] } {
  const data = aws.configMaps.get(AWS_AUTH)!.data;
  return { mapRoles: parse(data.mapRoles!), ...(data.mapUsers !== undefined ? { mapUsers: parse(data.mapUsers) } : {}) };
}

describe('Map Identities', () => {
  describe('access entries', () => {
    const spec = specOf({
      accessEntries: [
        { principalArn: 'arn:aws:iam::111122223333:role/cluster-admin', accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }] },
        { principalArn: 'arn:aws:iam::111122223333:user/viewer', accessPolicies: [{ policy: 'AmazonEKSViewPolicy', scope: 'namespace', namespaces: ['apps', 'jobs'] }] },
        { principalArn: 'arn:aws:iam::111122223333:role/deployer', type: 'STANDARD', username: 'deployer', kubernetesGroups: ['deployers'] },
      ],
    });

    it('creates each entry with its username, groups, ownership tags and a per-principal token', async () => {
      const aws = fakeAws();
      const put = jest.spyOn(aws.eks, 'putAccessEntry');

      await mapIdentities(provisionState(spec), aws.deps());

      expect(put.mock.calls.map(([request]) => request)).toEqual([
        expect.objectContaining({ clusterName: CLUSTER, principalArn: 'arn:aws:iam::111122223333:role/cluster-admin', type: 'STANDARD' }),
        expect.objectContaining({ principalArn: 'arn:aws:iam::111122223333:user/viewer' }),
        expect.objectContaining({ principalArn: 'arn:aws:iam::111122223333:role/deployer', username: 'deployer', kubernetesGroups: ['deployers'] }),
      ]);
      expect(put.mock.calls[0]![0]).not.toHaveProperty('username');
      expect(put.mock.calls[0]![0]).not.toHaveProperty('kubernetesGroups');
      expect(put.mock.calls[2]![0]).toMatchObject({
        tags: expect.objectContaining({ [TAG_CLUSTER]: CLUSTER, [TAG_OPERATION]: operation.id }),
        clientRequestToken: idempotencyToken(operation.id, 'create-access-entry', 'arn:aws:iam::111122223333:role/deployer'),
      });
    });

    it('associates policies by their full ARN, cluster-scoped or scoped to the listed namespaces', async () => {
      const aws = fakeAws();

      await mapIdentities(provisionState(spec), aws.deps());

      expect(aws.accessEntries.get(`${CLUSTER}/arn:aws:iam::111122223333:role/cluster-admin`)!.policies).toEqual(new Map([['arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', { type: 'cluster' }]]));
      expect(aws.accessEntries.get(`${CLUSTER}/arn:aws:iam::111122223333:user/viewer`)!.policies).toEqual(
        new Map([['arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', { type: 'namespace', namespaces: ['apps', 'jobs'] }]]),
      );
      expect(aws.accessEntries.get(`${CLUSTER}/arn:aws:iam::111122223333:role/deployer`)!.policies.size).toBe(0);
    });

    it('reports Map Identities SUCCEEDED and counts what it mapped, without touching the Kubernetes API', async () => {
      const aws = fakeAws();

      const result = await mapIdentities(provisionState(spec), aws.deps());

      expect(result).toEqual({ accessEntries: 3, identityMappings: 0 });
      expect(aws.callLog((c) => c.service === 'kubernetes')).toEqual([]);
      expect(aws.events).toEqual([expect.objectContaining({ phase: 'ComputeAndAccess', step: expect.objectContaining({ name: 'Map Identities', status: 'SUCCEEDED' }) })]);
    });
  });

  describe('the aws-auth ConfigMap', () => {
    const spec = specOf({ identityMappings: [LEGACY_OPS] });

    it('merges the mapping into the existing ConfigMap, keeping the node role EKS added, and replaces that version', async () => {
      const aws = fakeAws();
      aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([NODE_ROLE_MAPPING]) }, resourceVersion: '7' });

      await mapIdentities(stateWithStack(spec), aws.deps());

      expect(aws.callLog((c) => c.service === 'kubernetes')).toEqual(['kubernetes:GetConfigMap kube-system/aws-auth', 'kubernetes:ReplaceConfigMap kube-system/aws-auth']);
      expect(awsAuthOf(aws).mapRoles).toEqual([NODE_ROLE_MAPPING, { rolearn: LEGACY_OPS.arn, username: 'legacy-ops', groups: ['ops'] }]);
      expect(aws.configMaps.get(AWS_AUTH)!.resourceVersion).toBe('8');
    });

    it('creates the ConfigMap when the cluster has none yet', async () => {
      const aws = fakeAws();

      await mapIdentities(stateWithStack(spec), aws.deps());

      expect(aws.callLog((c) => c.service === 'kubernetes')).toEqual(['kubernetes:GetConfigMap kube-system/aws-auth', 'kubernetes:CreateConfigMap kube-system/aws-auth']);
      expect(awsAuthOf(aws).mapRoles).toEqual([{ rolearn: LEGACY_OPS.arn, username: 'legacy-ops', groups: ['ops'] }]);
    });

    it('maps IAM users under mapUsers', async () => {
      const aws = fakeAws();

      await mapIdentities(stateWithStack(specOf({ identityMappings: [{ arn: 'arn:aws:iam::111122223333:user/alice', groups: ['viewers'] }] })), aws.deps());

      expect(awsAuthOf(aws)).toEqual({ mapRoles: [], mapUsers: [{ userarn: 'arn:aws:iam::111122223333:user/alice', groups: ['viewers'] }] });
    });

    it('writes nothing when run again with the mapping already in place', async () => {
      const aws = fakeAws();
      await mapIdentities(stateWithStack(spec), aws.deps());
      const before = structuredClone(aws.configMaps.get(AWS_AUTH));

      await mapIdentities(stateWithStack(spec), aws.deps());

      expect(aws.callLog((c) => c.service === 'kubernetes')).toEqual(['kubernetes:GetConfigMap kube-system/aws-auth', 'kubernetes:CreateConfigMap kube-system/aws-auth', 'kubernetes:GetConfigMap kube-system/aws-auth']);
      expect(aws.configMaps.get(AWS_AUTH)).toEqual(before);
    });

    it('throws the retryable KubernetesConflictError when someone else wrote aws-auth in between', async () => {
      const aws = fakeAws({ faults: { awsAuthConflicts: 1 } });

      const error = await rejectionOf(mapIdentities(stateWithStack(spec), aws.deps()));

      expect(error.name).toBe('KubernetesConflictError');
      expect(aws.events).toEqual([]);
    });

    it('needs the stack outputs to reach the Kubernetes API', async () => {
      const aws = fakeAws();

      const error = await rejectionOf(mapIdentities(provisionState(spec), aws.deps()));

      expect(error.name).toBe('StackFailedError');
    });
  });

  it('reports Map Identities SKIPPED and calls nothing when the spec maps no identities', async () => {
    const aws = fakeAws();

    const result = await mapIdentities(provisionState(specOf()), aws.deps());

    expect(result).toEqual({ accessEntries: 0, identityMappings: 0 });
    expect(aws.callLog((c) => c.service === 'eks' || c.service === 'kubernetes')).toEqual([]);
    expect(aws.events).toEqual([expect.objectContaining({ step: expect.objectContaining({ name: 'Map Identities', status: 'SKIPPED' }) })]);
  });
});
