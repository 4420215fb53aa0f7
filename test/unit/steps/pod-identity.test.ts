/**
 * The Pod Identity steps against the fake AWS: provisioning's Create Pod Identity Associations and
 * update-cluster's Change Pod Identity (its own role stack, then the association; removed: the
 * association, then that stack), and delete-cluster leaving no role stack behind.
 */
import { podIdentityRoleOutputName } from '../../../functions/domain/cluster-template';
import { idempotencyToken } from '../../../functions/domain/naming';
import { planPodIdentityChange } from '../../../functions/domain/pod-identity-change';
import { podIdentityStackName, POD_IDENTITY_AGENT_ADDON } from '../../../functions/domain/pod-identity';
import { createPodIdentityAssociations } from '../../../functions/steps/create-pod-identity-associations';
import { changePodIdentity } from '../../../functions/steps/change-pod-identity';
import { changeSettings } from '../../../functions/steps/change-settings';
import { advanceComputeTeardown } from '../../../functions/step-support/compute-teardown';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, completeStack, fakeAws, forgetCalls, operation, provisionState, rejectionOf, specOf } from './step-inputs';
import { provisionedAws, requestedUpdate, stepEvents, UPDATE_OPERATION, updateInput } from './update-inputs';

const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const OWN_ROLE = 'arn:aws:iam::111122223333:role/reporter';
const BY_POLICIES = { namespace: 'payments', serviceAccountName: 'api', permissionPolicyArns: [S3_READ] };
const BY_ROLE = { namespace: 'ops', serviceAccountName: 'reporter', roleArn: OWN_ROLE };

const associations = (aws: FakeAws) => [...aws.podIdentityAssociations.values()].map((a) => ({ key: `${a.namespace}/${a.serviceAccount}`, roleArn: a.roleArn }));

describe('Create Pod Identity Associations', () => {
  const spec = specOf({ podIdentityAssociations: [BY_ROLE, BY_POLICIES] });
  const state = provisionState(spec, { stack: completeStack(spec) });

  it('associates each service account with its roleArn or the role the cluster stack made, with a token from the operation', async () => {
    const aws = fakeAws();
    const create = jest.spyOn(aws.eks, 'createPodIdentityAssociation');

    const result = await createPodIdentityAssociations(state, aws.deps());

    expect(result).toEqual({ associations: 2 });
    expect(associations(aws)).toEqual([
      { key: 'ops/reporter', roleArn: OWN_ROLE },
      { key: 'payments/api', roleArn: state.stack!.outputs![podIdentityRoleOutputName(BY_POLICIES)] },
    ]);
    expect(create).toHaveBeenCalledWith(expect.objectContaining({ clusterName: CLUSTER, clientRequestToken: idempotencyToken(operation.id, 'create-pod-identity-association', 'ops/reporter') }));
    expect(aws.events.map((e) => `${e.step?.name} ${e.step?.status}`)).toEqual(['Create Pod Identity Associations SUCCEEDED']);
  });

  it('makes nothing twice when retried: the service account’s association is found first', async () => {
    const aws = fakeAws();
    await createPodIdentityAssociations(state, aws.deps());
    forgetCalls(aws);

    await createPodIdentityAssociations(state, aws.deps());

    expect(aws.calls.filter((c) => c.operation === 'CreatePodIdentityAssociation')).toEqual([]);
    expect(aws.podIdentityAssociations.size).toBe(2);
  });

  it('stops by name at an association someone else made for the service account with another role', async () => {
    const aws = fakeAws();
    await aws.eks.createPodIdentityAssociation({ clusterName: CLUSTER, namespace: 'ops', serviceAccount: 'reporter', roleArn: 'arn:aws:iam::111122223333:role/someone-elses', clientRequestToken: 'by-hand' });

    const error = await rejectionOf(createPodIdentityAssociations(state, aws.deps()));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('Pod Identity association ops/reporter: already has an association');
  });

  it('reports SKIPPED for a spec without associations, calling no EKS API', async () => {
    const aws = fakeAws();

    await createPodIdentityAssociations(provisionState(specOf(), { stack: completeStack(specOf()) }), aws.deps());

    expect(aws.calls.filter((c) => c.service === 'eks')).toEqual([]);
    expect(aws.events.map((e) => e.step?.status)).toEqual(['SKIPPED']);
  });
});

describe('Change Pod Identity', () => {
  const running = specOf({ podIdentityAssociations: [BY_ROLE] });
  const stackName = podIdentityStackName(CLUSTER, BY_POLICIES);

  it('associates a roleArn at once', async () => {
    const aws = provisionedAws(running);

    const poll = await changePodIdentity(requestedUpdate(running, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: { namespace: 'jobs', serviceAccountName: 'runner', roleArn: OWN_ROLE } }), aws.deps());

    expect(poll).toMatchObject({ ready: true, stage: 'applied' });
    expect(associations(aws)).toEqual([{ key: 'jobs/runner', roleArn: OWN_ROLE }]);
    expect(aws.calls.filter((c) => c.operation === 'CreateStack')).toEqual([]);
  });

  it('makes a permissionPolicyArns role in a stack of its own, then associates the stack’s role', async () => {
    const aws = provisionedAws(running);
    const request = { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES } as const;

    const first = await changePodIdentity(requestedUpdate(running, request), aws.deps());
    aws.stacks.get(stackName)!.describesLeft = 0;
    const second = await changePodIdentity(requestedUpdate(running, request, first), aws.deps());

    expect(first).toMatchObject({ ready: false, stage: 'podIdentityStack' });
    expect(aws.stacks.get(stackName)!.template.Resources[podIdentityRoleOutputName(BY_POLICIES).replace('Arn', '')]).toMatchObject({ Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [S3_READ] } });
    expect(second).toMatchObject({ ready: true, stage: 'applied' });
    expect(associations(aws)).toEqual([{ key: 'payments/api', roleArn: aws.stacks.get(stackName)!.outputs[podIdentityRoleOutputName(BY_POLICIES)] }]);
    expect(stepEvents(aws)).toEqual(expect.arrayContaining([`Create Pod Identity Role Stack stack ${stackName} STARTED`, `Create Pod Identity Role Stack stack ${stackName} SUCCEEDED`, 'Change Pod Identity Pod Identity association payments/api SUCCEEDED']));
  });

  it('removes the association, then the role stack the service made for it', async () => {
    const withBoth = specOf({ podIdentityAssociations: [BY_ROLE, BY_POLICIES] });
    const aws = provisionedAws(withBoth);
    const add = await changePodIdentity(requestedUpdate(running, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES }), aws.deps());
    aws.stacks.get(stackName)!.describesLeft = 0;
    await changePodIdentity(requestedUpdate(running, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES }, add), aws.deps());
    forgetCalls(aws);
    const remove = { action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target: 'payments/api' } as const;

    const first = await changePodIdentity(requestedUpdate(withBoth, remove), aws.deps());
    const second = await changePodIdentity(requestedUpdate(withBoth, remove, first), aws.deps());
    aws.stacks.get(stackName)!.describesLeft = 0;
    const third = await changePodIdentity(requestedUpdate(withBoth, remove, second), aws.deps());

    expect(aws.podIdentityAssociations.size).toBe(0);
    expect([first.stage, second.stage, third.stage]).toEqual(['podIdentityStackDelete', 'podIdentityStackDelete', 'applied']);
    expect(aws.calls.filter((c) => c.operation === 'DeleteStack').map((c) => c.target)).toEqual([stackName]);
  });

  it('refuses to replace an association with another role', async () => {
    const aws = provisionedAws(running);
    await aws.eks.createPodIdentityAssociation({ clusterName: CLUSTER, namespace: 'jobs', serviceAccount: 'runner', roleArn: 'arn:aws:iam::111122223333:role/other', clientRequestToken: 'x' });

    const error = await rejectionOf(changePodIdentity(requestedUpdate(running, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: { namespace: 'jobs', serviceAccountName: 'runner', roleArn: OWN_ROLE } }), aws.deps()));

    expect(error.name).toBe('ChangeRefusedError');
    expect(error.message).toContain('already has an association');
  });

  it('is in sync when the association is already as asked, and a removal of one that is gone does nothing', () => {
    const add = { action: 'ADD_POD_IDENTITY_ASSOCIATION', target: 'ops/reporter', item: BY_ROLE } as const;

    expect(planPodIdentityChange(add, CLUSTER, { association: { associationId: 'a-1', roleArn: OWN_ROLE } }, UPDATE_OPERATION.id)).toEqual({ kind: 'inSync' });
    expect(planPodIdentityChange({ action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target: 'ops/reporter' }, CLUSTER, {}, UPDATE_OPERATION.id)).toEqual({ kind: 'inSync' });
  });

  it('deletes a failed role stack an earlier operation left before making its own, and never touches another cluster’s', () => {
    const add = { action: 'ADD_POD_IDENTITY_ASSOCIATION', target: 'payments/api', item: BY_POLICIES } as const;
    const leftover = { status: 'ROLLBACK_COMPLETE', operationId: 'op-earlier', cluster: CLUSTER, outputs: {} };

    expect(planPodIdentityChange(add, CLUSTER, { stack: leftover }, UPDATE_OPERATION.id)).toEqual({ kind: 'apply', stage: 'podIdentityStackDelete', calls: [{ call: 'deleteStack' }] });
    expect(planPodIdentityChange(add, CLUSTER, { stack: { ...leftover, cluster: 'other' } }, UPDATE_OPERATION.id)).toMatchObject({ kind: 'refused' });
  });
});

describe('delete-cluster', () => {
  it('deletes the role stacks of associations added after provisioning with the compute', async () => {
    const spec = specOf({ podIdentityAssociations: [BY_ROLE], addons: [{ name: 'vpc-cni' }, { name: POD_IDENTITY_AGENT_ADDON }] });
    const aws = provisionedAws(spec);
    const add = await changePodIdentity(requestedUpdate(spec, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES }), aws.deps());
    aws.stacks.get(podIdentityStackName(CLUSTER, BY_POLICIES))!.describesLeft = 0;
    await changePodIdentity(requestedUpdate(spec, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES }, add), aws.deps());

    await advanceComputeTeardown({ operation: { ...UPDATE_OPERATION, type: 'DELETE' }, spec } as never, aws.deps(), { first: true, startedAt: aws.clock().toISOString() });

    expect(aws.calls.filter((c) => c.operation === 'DeleteStack').map((c) => c.target)).toEqual([podIdentityStackName(CLUSTER, BY_POLICIES)]);
  });
});

describe('a change of the cluster’s tags', () => {
  it('re-tags a later association’s role stack with the cluster’s other stacks', async () => {
    const spec = specOf({ podIdentityAssociations: [BY_ROLE] });
    const aws = provisionedAws(spec);
    const add = await changePodIdentity(requestedUpdate(spec, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES }), aws.deps());
    aws.stacks.get(podIdentityStackName(CLUSTER, BY_POLICIES))!.describesLeft = 0;
    await changePodIdentity(requestedUpdate(spec, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES }, add), aws.deps());
    const change = { action: 'UPDATE_SETTINGS', settings: { tags: { team: 'green' } } } as const;

    let progress = await changeSettings(updateInput(change, spec), aws.deps());
    for (let look = 0; !progress.ready && look < 10; look++) progress = await changeSettings(updateInput(change, spec, progress), aws.deps()).catch(() => progress);

    expect(progress.ready).toBe(true);
    expect(aws.stacks.get(podIdentityStackName(CLUSTER, BY_POLICIES))!.tags).toMatchObject({ team: 'green', 'eks-provisioner:cluster': CLUSTER });
  });
});
