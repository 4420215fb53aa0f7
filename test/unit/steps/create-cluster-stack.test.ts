import { idempotencyToken, TAG_CLUSTER, TAG_MANAGED_BY, TAG_OPERATION, TAG_OWNER } from '../../../functions/domain/naming';
import { createClusterStack } from '../../../functions/steps/create-cluster-stack';
import { CLUSTER, fakeAws, operation, provisionState, putStack, rejectionOf, specOf, STACK, T0 } from './step-inputs';

describe('Create Cluster Stack', () => {
  it('creates the stack with ownership tags, an idempotency token, the CloudFormation role and rollback on failure', async () => {
    const aws = fakeAws();
    const createStack = jest.spyOn(aws.cloudFormation, 'createStack');
    const spec = specOf({ tags: { team: 'platform' } });

    const result = await createClusterStack(provisionState(spec), aws.deps());

    expect(createStack).toHaveBeenCalledTimes(1);
    const request = createStack.mock.calls[0]![0];
    expect(request).toMatchObject({
      stackName: STACK,
      clientRequestToken: idempotencyToken(operation.id, 'create-cluster-stack'),
      roleArn: 'arn:aws:iam::111122223333:role/eksp-cloudformation',
      onFailure: 'ROLLBACK',
      tags: { team: 'platform', [TAG_CLUSTER]: CLUSTER, [TAG_OWNER]: operation.requestedBy, [TAG_OPERATION]: operation.id, [TAG_MANAGED_BY]: 'eks-provisioner' },
    });
    expect(JSON.parse(request.templateBody).Resources.ControlPlane.Properties.Name).toBe(CLUSTER);
    expect(result).toEqual({ stackName: STACK, stackId: expect.stringContaining(STACK), ready: false, waitSeconds: 60, status: 'CREATE_IN_PROGRESS', startedAt: T0.toISOString() });
  });

  it('reports the stack STARTED in the ClusterStack phase', async () => {
    const aws = fakeAws();

    await createClusterStack(provisionState(specOf()), aws.deps());

    expect(aws.events).toEqual([expect.objectContaining({ status: 'IN_PROGRESS', phase: 'ClusterStack', step: { name: 'Create Cluster Stack', status: 'STARTED', resource: `stack ${STACK}`, startedAt: T0.toISOString() } })]);
    expect(Object.values(aws.operations.get(operation.id)!.steps)).toEqual([expect.objectContaining({ name: 'Create Cluster Stack', status: 'STARTED' })]);
  });

  it('keeps a failed stack for inspection (DO_NOTHING) when the spec says onFailure retain', async () => {
    const aws = fakeAws();
    const createStack = jest.spyOn(aws.cloudFormation, 'createStack');

    await createClusterStack(provisionState(specOf({ onFailure: 'retain' })), aws.deps());

    expect(createStack.mock.calls[0]![0].onFailure).toBe('DO_NOTHING');
  });

  it('makes no second stack when run twice with the same input, sending the same idempotency token both times', async () => {
    const aws = fakeAws();
    const createStack = jest.spyOn(aws.cloudFormation, 'createStack');
    const input = provisionState(specOf());

    const first = await createClusterStack(input, aws.deps());
    const second = await createClusterStack(input, aws.deps());

    expect(aws.stacks.size).toBe(1);
    const [firstToken, secondToken] = createStack.mock.calls.map(([request]) => request.clientRequestToken);
    expect(secondToken).toBe(firstToken);
    expect(second.stackId).toBe(first.stackId);
    // A repeated STARTED event carries the same id, so consumers dedupe it.
    expect(new Set(aws.events.map((e) => e.eventId)).size).toBe(1);
  });

  it('adopts a stack this operation already created without reporting it STARTED again', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'CREATE_IN_PROGRESS', operationId: operation.id });

    const result = await createClusterStack(provisionState(specOf()), aws.deps());

    expect(result).toMatchObject({ stackName: STACK, ready: false, status: 'CREATE_IN_PROGRESS' });
    expect(aws.events).toEqual([]);
  });

  it('refuses a ROLLBACK_COMPLETE stack of the same name from another operation, saying to delete it', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'ROLLBACK_COMPLETE', operationId: 'op-0999' });

    const error = await rejectionOf(createClusterStack(provisionState(specOf()), aws.deps()));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toMatch(new RegExp(`^stack ${STACK}: already exists \\(status ROLLBACK_COMPLETE\\) and was not created by this operation`));
    expect(error.message).toContain('delete it');
    expect(aws.events).toEqual([]);
  });

  it('refuses a healthy stack of the same name from another operation without suggesting a delete', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'CREATE_COMPLETE', operationId: 'op-0999' });

    const error = await rejectionOf(createClusterStack(provisionState(specOf()), aws.deps()));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toContain('status CREATE_COMPLETE');
    expect(error.message).not.toContain('delete it');
  });
});
