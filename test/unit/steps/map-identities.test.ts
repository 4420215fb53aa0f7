import { parse, stringify } from 'yaml';
import { idempotencyToken, TAG_CLUSTER, TAG_OPERATION } from '../../../functions/domain/naming';
import type { Spec } from '../../../functions/domain/spec';
import { mapIdentities } from '../../../functions/steps/map-identities';
import { TEMPORARY_ADMIN_TAG } from '../../../functions/domain/naming';
import { KubernetesApiError } from '../../../functions/shared/errors';
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

  describe("the owner's access", () => {
    const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
    const CLUSTER_ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

    it('gives the requester an access entry with cluster-admin by default', async () => {
      const aws = fakeAws();

      const result = await mapIdentities(provisionState(specOf({ ownerAccess: undefined })), aws.deps());

      expect(result).toEqual({ accessEntries: 1, identityMappings: 0 });
      expect(aws.accessEntries.get(`${CLUSTER}/${OWNER}`)!.policies).toEqual(new Map([[CLUSTER_ADMIN, { type: 'cluster' }]]));
      expect(aws.callLog((c) => c.service === 'kubernetes')).toEqual([]);
    });

    it('gives the role of an assumed-role requester, and the narrower policy asked for', async () => {
      const aws = fakeAws();
      const state = provisionState(specOf({ ownerAccess: { policy: 'AmazonEKSViewPolicy', scope: 'namespace', namespaces: ['team-a'] } }));
      state.operation = { ...state.operation, requestedBy: 'arn:aws:sts::111122223333:assumed-role/platform-portal/session-42' };

      await mapIdentities(state, aws.deps());

      expect([...aws.accessEntries.keys()]).toEqual([`${CLUSTER}/${OWNER}`]);
      expect(aws.accessEntries.get(`${CLUSTER}/${OWNER}`)!.policies).toEqual(new Map([['arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', { type: 'namespace', namespaces: ['team-a'] }]]));
    });

    it("lets the spec's own entry for the owner's principal win, making no second one", async () => {
      const aws = fakeAws();
      const put = jest.spyOn(aws.eks, 'putAccessEntry');

      await mapIdentities(provisionState(specOf({ ownerAccess: undefined, accessEntries: [{ principalArn: OWNER, kubernetesGroups: ['owners'] }] })), aws.deps());

      expect(put).toHaveBeenCalledTimes(1);
      expect(aws.accessEntries.get(`${CLUSTER}/${OWNER}`)).toMatchObject({ kubernetesGroups: ['owners'], policies: new Map() });
    });

    it('maps the owner into system:masters in CONFIG_MAP mode, as the creator EKS made admin (nothing granted)', async () => {
      const aws = fakeAws();

      await mapIdentities(stateWithStack(specOf({ ownerAccess: undefined, authenticationMode: 'CONFIG_MAP' })), aws.deps());

      expect(awsAuthOf(aws).mapRoles).toEqual([{ rolearn: OWNER, username: 'arn:aws:sts::111122223333:assumed-role/platform-portal/{{SessionName}}', groups: ['system:masters'] }]);
      expect(aws.callLog((c) => c.service === 'eks')).toEqual([]);
    });

    it('gives nothing for ownerAccess "none"', async () => {
      const aws = fakeAws();

      expect(await mapIdentities(provisionState(specOf({ ownerAccess: 'none' })), aws.deps())).toEqual({ accessEntries: 0, identityMappings: 0 });
    });
  });

  describe("the service's temporary cluster-admin (API_AND_CONFIG_MAP mode)", () => {
    const SERVICE = 'arn:aws:iam::111122223333:role/eksp-cloudformation';
    const spec = specOf({ identityMappings: [LEGACY_OPS] });

    it('is granted after the access entries, before the aws-auth read and write, and removed after them', async () => {
      const aws = fakeAws();

      await mapIdentities(stateWithStack(specOf({ ownerAccess: undefined, identityMappings: [LEGACY_OPS] })), aws.deps());

      expect(aws.callLog((c) => c.service === 'kubernetes' || c.service === 'eks')).toEqual([
        'eks:CreateAccessEntry arn:aws:iam::111122223333:role/platform-portal',
        'eks:AssociateAccessPolicy arn:aws:iam::111122223333:role/platform-portal arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        `eks:DescribeAccessEntry ${SERVICE}`,
        `eks:CreateAccessEntry ${SERVICE}`,
        `eks:AssociateAccessPolicy ${SERVICE} arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        'kubernetes:GetConfigMap kube-system/aws-auth',
        'kubernetes:CreateConfigMap kube-system/aws-auth',
        `eks:DescribeAccessEntry ${SERVICE}`,
        `eks:DeleteAccessEntry ${SERVICE}`,
      ]);
      expect([...aws.accessEntries.keys()]).toEqual([`${CLUSTER}/arn:aws:iam::111122223333:role/platform-portal`]);
    });

    it('is tagged as the service’s own, with a per-operation token', async () => {
      const aws = fakeAws();
      const put = jest.spyOn(aws.eks, 'putAccessEntry');

      await mapIdentities(stateWithStack(spec), aws.deps());

      expect(put).toHaveBeenCalledWith(expect.objectContaining({ principalArn: SERVICE, tags: expect.objectContaining({ [TEMPORARY_ADMIN_TAG]: operation.id }), clientRequestToken: idempotencyToken(operation.id, 'temporary-admin', SERVICE) }));
    });

    it('is removed when the aws-auth write fails, and the write’s error is the one reported', async () => {
      const aws = fakeAws({ faults: { awsAuthConflicts: 1 } });

      const error = await rejectionOf(mapIdentities(stateWithStack(spec), aws.deps()));

      expect(error.name).toBe('KubernetesConflictError');
      expect(aws.accessEntries.has(`${CLUSTER}/${SERVICE}`)).toBe(false);
    });

    it("never touches the owner's entry when the service acts as the owner (local mode)", async () => {
      const aws = fakeAws();
      aws.servicePrincipal = 'arn:aws:iam::111122223333:role/platform-portal';

      await mapIdentities(stateWithStack(specOf({ ownerAccess: undefined, identityMappings: [LEGACY_OPS] })), aws.deps());

      expect(aws.accessEntries.get(`${CLUSTER}/${aws.servicePrincipal}`)!.policies.size).toBe(1);
      expect(aws.callLog((c) => c.operation === 'DeleteAccessEntry')).toEqual([]);
      expect(awsAuthOf(aws).mapRoles).toEqual([{ rolearn: LEGACY_OPS.arn, username: 'legacy-ops', groups: ['ops'] }]);
    });

    it('never removes an entry it did not make for itself, such as the creator’s on a cluster made before', async () => {
      const aws = fakeAws();
      aws.accessEntries.set(`${CLUSTER}/${SERVICE}`, { kubernetesGroups: [], tags: {}, policies: new Map([['arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', { type: 'cluster' }]]) });

      await mapIdentities(stateWithStack(spec), aws.deps());

      expect(aws.accessEntries.has(`${CLUSTER}/${SERVICE}`)).toBe(true);
      expect(aws.callLog((c) => c.target === SERVICE)).toEqual([`eks:DescribeAccessEntry ${SERVICE}`]);
    });

    it('asks for a retry, keeping its entry, when the Kubernetes API does not honour the entry just made yet; the retry uses and removes it', async () => {
      const aws = fakeAws();
      const read = aws.kubernetes.readAwsAuth;
      aws.kubernetes.readAwsAuth = jest.fn().mockRejectedValueOnce(new KubernetesApiError('Unauthorized', { resource: 'aws-auth', status: 401 })).mockImplementation(read);

      const error = await rejectionOf(mapIdentities(stateWithStack(spec), aws.deps()));

      expect(error.name).toBe('AwsUnavailableError');
      expect(aws.accessEntries.get(`${CLUSTER}/${SERVICE}`)?.tags).toMatchObject({ [TEMPORARY_ADMIN_TAG]: operation.id });

      await mapIdentities(stateWithStack(spec), aws.deps());

      expect(aws.accessEntries.has(`${CLUSTER}/${SERVICE}`)).toBe(false);
      expect(aws.callLog((c) => c.operation === 'CreateAccessEntry' && c.target === SERVICE)).toHaveLength(1);
    });

    it('removes on retry the entry a crash between its create and delete left', async () => {
      const aws = fakeAws();
      aws.accessEntries.set(`${CLUSTER}/${SERVICE}`, { kubernetesGroups: [], tags: { [TEMPORARY_ADMIN_TAG]: operation.id }, policies: new Map() });

      await mapIdentities(stateWithStack(spec), aws.deps());

      expect(aws.accessEntries.has(`${CLUSTER}/${SERVICE}`)).toBe(false);
      expect(aws.callLog((c) => c.operation === 'CreateAccessEntry')).toEqual([]);
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
