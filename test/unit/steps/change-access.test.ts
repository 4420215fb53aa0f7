import { parse, stringify } from 'yaml';
import { idempotencyToken } from '../../../functions/domain/naming';
import type { ClusterChange } from '../../../functions/generated/types';
import { changeAccess } from '../../../functions/steps/change-access';
import { TEMPORARY_ADMIN_TAG } from '../../../functions/domain/naming';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, rejectionOf, specOf } from './step-inputs';
import { provisionedAws, requestedUpdate, stepEvents, UPDATE_OPERATION, updateInput } from './update-inputs';

const OPS = 'arn:aws:iam::111122223333:role/ops';
const NODE_ROLE = 'arn:aws:iam::111122223333:role/eks-provisioner/demo-NodeInstanceRole';
const NODE_MAPPING = { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
const AWS_AUTH = `${CLUSTER}/kube-system/aws-auth`;
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const ENTRY = { principalArn: OPS, username: 'ops', kubernetesGroups: ['ops'], accessPolicies: [{ policy: 'AmazonEKSViewPolicy', scope: 'namespace', namespaces: ['apps'] }] };
const MAPPING = { arn: OPS, username: 'ops', groups: ['ops'] };
/** The API's requests for them: the same route, told apart by the body (an identity mapping is an item with an arn). */
const ADD = { action: 'ADD_ACCESS_ENTRY', body: ENTRY } as const;
const ADD_MAPPING = { action: 'ADD_ACCESS_ENTRY', body: MAPPING } as const;
/** Whom the service reaches the Kubernetes API as (FakeAws's default: the CloudFormation role, as deployed). */
const SERVICE = 'arn:aws:iam::111122223333:role/eksp-cloudformation';
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const CLUSTER_ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

const entryOf = (aws: FakeAws, arn: string) => aws.accessEntries.get(`${CLUSTER}/${arn}`);
const rolesIn = (aws: FakeAws) => parse(aws.configMaps.get(AWS_AUTH)?.data.mapRoles ?? '[]') as unknown[];

describe('Change Access: ADD_ACCESS_ENTRY', () => {

  it('creates the access entry with a token and associates its policies, in one look', async () => {
    const aws = provisionedAws(specOf());
    const put = jest.spyOn(aws.eks, 'putAccessEntry');

    const poll = await changeAccess(requestedUpdate(specOf(), ADD), aws.deps());

    expect(put).toHaveBeenCalledWith(expect.objectContaining({ principalArn: OPS, type: 'STANDARD', username: 'ops', kubernetesGroups: ['ops'], clientRequestToken: idempotencyToken(UPDATE_OPERATION.id, 'create-access-entry', OPS) }));
    expect(Object.fromEntries(entryOf(aws, OPS)!.policies)).toEqual({ [VIEW]: { type: 'namespace', namespaces: ['apps'] } });
    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(stepEvents(aws)).toEqual([`Change Access access entry ${OPS} STARTED`, `Change Access access entry ${OPS} SUCCEEDED`]);
  });

  it('skips an entry that is already there with its policies', async () => {
    const aws = provisionedAws(specOf());
    await changeAccess(requestedUpdate(specOf(), ADD), aws.deps());
    aws.calls.length = 0;

    const poll = await changeAccess(requestedUpdate(specOf(), ADD), aws.deps());

    expect(poll).toMatchObject({ ready: true, stage: 'unchanged' });
    expect(aws.callLog((c) => /^(Create|Associate)/.test(c.operation))).toEqual([]);
  });

  it('waits, writing nothing, while the cluster has an update in progress (an authentication mode switch decides whether entries work)', async () => {
    const aws = provisionedAws(specOf());
    aws.startUpdateElsewhere(CLUSTER, { endpointPrivateAccess: true }, 5);

    const error = await rejectionOf(changeAccess(requestedUpdate(specOf(), { action: 'ADD_ACCESS_ENTRY', body: { principalArn: OPS } }), aws.deps()));

    expect(error).toMatchObject({ name: 'UpdateInProgressError', resource: `cluster ${CLUSTER}` });
    expect(aws.callLog((c) => /^(Create|Associate|Delete|Update)/.test(c.operation))).toEqual([]);
  });

  it('merges an identity mapping into aws-auth next to EKS’s node role', async () => {
    const aws = provisionedAws(specOf());
    aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([NODE_MAPPING]) }, resourceVersion: '7' });

    const poll = await changeAccess(requestedUpdate(specOf(), ADD_MAPPING), aws.deps());

    expect(poll).toMatchObject({ ready: true, stage: 'applied' });
    expect(rolesIn(aws)).toEqual([NODE_MAPPING, { rolearn: OPS, username: 'ops', groups: ['ops'] }]);
  });

  it('holds cluster-admin through an access entry of its own only around the aws-auth read and write', async () => {
    const aws = provisionedAws(specOf());
    aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([NODE_MAPPING]) }, resourceVersion: '7' });

    await changeAccess(requestedUpdate(specOf(), ADD_MAPPING), aws.deps());

    expect(aws.callLog((c) => c.service === 'kubernetes' || (c.service === 'eks' && !['DescribeCluster', 'ListUpdates'].includes(c.operation)))).toEqual([
      `eks:DescribeAccessEntry ${SERVICE}`,
      `eks:CreateAccessEntry ${SERVICE}`,
      `eks:AssociateAccessPolicy ${SERVICE} ${CLUSTER_ADMIN}`,
      'kubernetes:GetConfigMap kube-system/aws-auth',
      'kubernetes:ReplaceConfigMap kube-system/aws-auth',
      `eks:DescribeAccessEntry ${SERVICE}`,
      `eks:DeleteAccessEntry ${SERVICE}`,
    ]);
    expect(entryOf(aws, SERVICE)).toBeUndefined();
  });

  it('removes its access entry when the aws-auth write fails too', async () => {
    const aws = provisionedAws(specOf(), { faults: { awsAuthConflicts: 1 } });

    await rejectionOf(changeAccess(requestedUpdate(specOf(), ADD_MAPPING), aws.deps()));

    expect(aws.callLog((c) => c.operation === 'DeleteAccessEntry')).toEqual([`eks:DeleteAccessEntry ${SERVICE}`]);
    expect(entryOf(aws, SERVICE)).toBeUndefined();
  });

  it('grants nothing in CONFIG_MAP mode, where the creator EKS made admin is the service', async () => {
    const spec = specOf({ authenticationMode: 'CONFIG_MAP' });
    const aws = provisionedAws(spec);

    await changeAccess(requestedUpdate(spec, ADD_MAPPING), aws.deps());

    expect(aws.callLog((c) => c.target === SERVICE)).toEqual([]);
    expect(rolesIn(aws)).toEqual([{ rolearn: OPS, username: 'ops', groups: ['ops'] }]);
  });

  it('lets a write conflict through for the ASL to retry from a fresh read', async () => {
    const aws = provisionedAws(specOf(), { faults: { awsAuthConflicts: 1 } });

    const error = await rejectionOf(changeAccess(requestedUpdate(specOf(), ADD_MAPPING), aws.deps()));

    expect(error.name).toBe('KubernetesConflictError');
  });
});

describe('Change Access: REMOVE_ACCESS_ENTRY', () => {
  const remove = (arn: string): ClusterChange => ({ action: 'REMOVE_ACCESS_ENTRY', target: arn });

  it('deletes the principal’s access entry and its aws-auth mapping, keeping the node role’s', async () => {
    const aws = provisionedAws(specOf({ accessEntries: [ENTRY], identityMappings: [MAPPING] }));
    aws.accessEntries.set(`${CLUSTER}/${OPS}`, { username: 'ops', kubernetesGroups: ['ops'], policies: new Map() });
    aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([NODE_MAPPING, { rolearn: OPS, username: 'ops', groups: ['ops'] }]) }, resourceVersion: '7' });

    const poll = await changeAccess(updateInput(remove(OPS), specOf()), aws.deps());

    expect(poll).toMatchObject({ ready: true, stage: 'applied' });
    expect(entryOf(aws, OPS)).toBeUndefined();
    expect(rolesIn(aws)).toEqual([NODE_MAPPING]);
  });

  it('refuses to delete the entry EKS made for a node role, and changes nothing', async () => {
    const aws = provisionedAws(specOf());
    aws.accessEntries.set(`${CLUSTER}/${NODE_ROLE}`, { type: 'EC2_LINUX', kubernetesGroups: ['system:nodes'], policies: new Map() });

    const error = await rejectionOf(changeAccess(updateInput(remove(NODE_ROLE), specOf()), aws.deps()));

    expect(error.name).toBe('ChangeRefusedError');
    expect(error.message).toBe(`access entry ${NODE_ROLE}: EKS made this entry (type EC2_LINUX) for nodes or Fargate pods; deleting it would cut them off the cluster`);
    expect(entryOf(aws, NODE_ROLE)).toBeDefined();
    // Only its own temporary access, made to read aws-auth and gone again.
    expect(aws.callLog((c) => /^(Delete|Replace|Create)/.test(c.operation) && c.target !== SERVICE)).toEqual([]);
    expect(entryOf(aws, SERVICE)).toBeUndefined();
  });

  it('refuses to remove the access of the cluster creator EKS made admin, which the service acts as', async () => {
    const aws = provisionedAws(specOf());
    aws.clusters.get(CLUSTER)!.accessConfig = { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true };
    aws.accessEntries.set(`${CLUSTER}/${SERVICE}`, { kubernetesGroups: [], policies: new Map() });

    const error = await rejectionOf(changeAccess(updateInput(remove(SERVICE), specOf()), aws.deps()));

    expect(error.name).toBe('ChangeRefusedError');
    expect(entryOf(aws, SERVICE)).toBeDefined();
  });

  it('leaves an entry it did not make for itself alone (here the owner, who is also whom the service acts as), removing only what was asked', async () => {
    const aws = provisionedAws(specOf({ identityMappings: [MAPPING] }));
    aws.servicePrincipal = OWNER;
    aws.accessEntries.set(`${CLUSTER}/${OWNER}`, { kubernetesGroups: [], tags: {}, policies: new Map([[CLUSTER_ADMIN, { type: 'cluster' }]]) });
    aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([{ rolearn: OPS, groups: ['ops'] }]) }, resourceVersion: '3' });

    await changeAccess(updateInput(remove(OPS), specOf()), aws.deps());

    expect(rolesIn(aws)).toEqual([]);
    expect(entryOf(aws, OWNER)).toBeDefined();
    expect(aws.callLog((c) => c.target === OWNER && c.operation !== 'DescribeAccessEntry')).toEqual([]);
  });

  it('finds and removes an entry of its own left by a crash between its create and delete', async () => {
    const aws = provisionedAws(specOf());
    // What a crash after the create leaves: the tagged entry with cluster-admin.
    aws.accessEntries.set(`${CLUSTER}/${SERVICE}`, { kubernetesGroups: [], tags: { [TEMPORARY_ADMIN_TAG]: UPDATE_OPERATION.id }, policies: new Map([[CLUSTER_ADMIN, { type: 'cluster' }]]) });

    await changeAccess(requestedUpdate(specOf(), ADD_MAPPING), aws.deps());

    expect(aws.callLog((c) => c.operation === 'CreateAccessEntry')).toEqual([]);
    expect(entryOf(aws, SERVICE)).toBeUndefined();
    expect(rolesIn(aws)).toEqual([{ rolearn: OPS, username: 'ops', groups: ['ops'] }]);
  });

  it('reads no aws-auth in API mode, where EKS ignores it', async () => {
    const aws = provisionedAws(specOf({ authenticationMode: 'API' }));
    aws.accessEntries.set(`${CLUSTER}/${OPS}`, { kubernetesGroups: [], policies: new Map() });

    await changeAccess(updateInput(remove(OPS), specOf({ authenticationMode: 'API' })), aws.deps());

    expect(aws.callLog((c) => c.service === 'kubernetes')).toEqual([]);
    expect(entryOf(aws, OPS)).toBeUndefined();
  });

  it('skips a principal with neither an entry nor a mapping', async () => {
    const aws = provisionedAws(specOf());

    expect(await changeAccess(updateInput(remove(OPS), specOf()), aws.deps())).toMatchObject({ ready: true, stage: 'unchanged' });
    expect(stepEvents(aws)).toEqual([`Change Access access entry ${OPS} SKIPPED`]);
  });
});
