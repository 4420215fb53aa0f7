/**
 * Workload identities through the real workflows over the in-memory AWS: provision-cluster makes
 * the associations after the cluster stack (with the agent add-on), update-cluster adds one whose
 * role gets a stack of its own and removes it again, and delete-cluster leaves no role stack.
 */
import type { Operation } from '../../functions/generated/types';
import { podIdentityRoleOutputName } from '../../functions/domain/cluster-template';
import { clusterStackName } from '../../functions/domain/naming';
import { podIdentityStackName, POD_IDENTITY_AGENT_ADDON } from '../../functions/domain/pod-identity';
import type { ChangeRequest } from '../../functions/domain/spec-change';
import { normaliseSpec, type Spec } from '../../functions/domain/spec';
import { apiChange } from '../support/change-request';
import { expectWellFormedEvents } from '../support/status-events';
import { FakeAws } from '../support/fake-aws';
import { operationFor, referenceSpec, runProvision, runWorkflow } from '../support/provision-run';

const CLUSTER = 'reference';
const STACK = clusterStackName(CLUSTER);
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const OWN_ROLE = 'arn:aws:iam::111122223333:role/reporter';
const BY_POLICIES = { namespace: 'payments', serviceAccountName: 'api', permissionPolicyArns: [S3_READ] };
const BY_ROLE = { namespace: 'ops', serviceAccountName: 'reporter', roleArn: OWN_ROLE };
const LATER = { namespace: 'jobs', serviceAccountName: 'runner', permissionPolicyArns: [S3_READ] };
const LATER_STACK = podIdentityStackName(CLUSTER, LATER);

const withIdentities = () => ({ ...referenceSpec(), podIdentityAssociations: [BY_ROLE, BY_POLICIES] });
const associations = (aws: FakeAws) => Object.fromEntries([...aws.podIdentityAssociations.values()].map((a) => [`${a.namespace}/${a.serviceAccount}`, a.roleArn]));

async function runUpdate(aws: FakeAws, current: Spec, request: ChangeRequest, id: string) {
  const { change, spec: desired } = apiChange(current, request);
  const operation: Operation = { ...operationFor(CLUSTER, id), type: 'UPDATE', action: change.action };
  aws.seedOperation(operation, { status: 'UPDATING', spec: current });
  const run = await runWorkflow(aws, 'update-cluster', { operation, change, spec: desired });
  return { run, desired };
}

describe('workload identities through the workflows', () => {
  let aws: FakeAws;
  let spec: Spec;
  let provisionLog: string[];

  beforeAll(async () => {
    aws = new FakeAws();
    const run = await runProvision(aws, withIdentities());
    expect(run.status).toBe('SUCCEEDED');
    provisionLog = aws.callLog();
    spec = normaliseSpec(withIdentities(), aws.deps().settings.guardrails());
  });

  it('provisioning associates each service account after the cluster stack, with its own role or the stack’s, and installs the agent add-on', () => {
    const stackRole = aws.stacks.get(STACK)!.outputs[podIdentityRoleOutputName(BY_POLICIES)];

    expect(associations(aws)).toEqual({ 'ops/reporter': OWN_ROLE, 'payments/api': stackRole });
    expect(provisionLog.findIndex((l) => l.startsWith('cloudformation:CreateStack'))).toBeLessThan(provisionLog.findIndex((l) => l.startsWith('eks:CreatePodIdentityAssociation')));
    expect(aws.addons.has(`${CLUSTER}/${POD_IDENTITY_AGENT_ADDON}`)).toBe(true);
    expect(aws.events.some((e) => e.step?.name === 'Create Pod Identity Associations' && e.step.status === 'SUCCEEDED')).toBe(true);
  });

  it('adds an association with permissionPolicyArns: its role’s own stack, then the association, and the registry keeps it', async () => {
    aws.calls.length = 0;
    aws.events.length = 0;

    const update = await runUpdate(aws, spec, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: LATER }, 'op-update-1');
    spec = update.desired;

    expect(update.run.status).toBe('SUCCEEDED');
    expect(expectWellFormedEvents(aws)).toMatchObject({ status: 'SUCCEEDED', action: 'ADD_POD_IDENTITY_ASSOCIATION' });
    expect(associations(aws)['jobs/runner']).toBe(aws.stacks.get(LATER_STACK)!.outputs[podIdentityRoleOutputName(LATER)]);
    expect(aws.clusterRecords.get(CLUSTER)!.spec).toEqual(update.desired);
  });

  it('removes it again: the association, then its role stack', async () => {
    aws.calls.length = 0;
    aws.events.length = 0;

    const update = await runUpdate(aws, spec, { action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target: 'jobs/runner' }, 'op-update-2');
    spec = update.desired;

    expect(update.run.status).toBe('SUCCEEDED');
    expect(associations(aws)).not.toHaveProperty('jobs/runner');
    expect(aws.stacks.get(LATER_STACK)?.status ?? 'DELETE_COMPLETE').toBe('DELETE_COMPLETE');
    expect(aws.callLog().findIndex((l) => l.startsWith('eks:DeletePodIdentityAssociation'))).toBeLessThan(aws.callLog().findIndex((l) => l.startsWith('cloudformation:DeleteStack')));
  });

  it('deleting the cluster deletes a later association’s role stack, leaving none behind', async () => {
    const added = await runUpdate(aws, spec, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: LATER }, 'op-update-3');
    expect(added.run.status).toBe('SUCCEEDED');
    const operation: Operation = { ...operationFor(CLUSTER, 'op-delete-1'), type: 'DELETE' };
    aws.seedOperation(operation);

    const run = await runWorkflow(aws, 'delete-cluster', { operation, spec: added.desired });

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.stacks.get(LATER_STACK)?.status ?? 'DELETE_COMPLETE').toBe('DELETE_COMPLETE');
  });
});
