import type { ClusterChange } from '../../../functions/generated/types';
import { finalizeUpdate } from '../../../functions/steps/finalize-update';
import { CLUSTER, specOf } from './step-inputs';
import { provisionedAws, requestedUpdate, UPDATE_OPERATION, updateInput } from './update-inputs';

const SCALE: ClusterChange = { action: 'UPDATE_NODEGROUP', target: 'ng-1', update: { scaling: { desiredSize: 3 } } };

describe('Finalize Update', () => {
  it('sends the one terminal SUCCEEDED event with what changed, and keeps the new spec in the registry', async () => {
    const before = specOf({ managedNodeGroups: [{ name: 'ng-1', minSize: 1, desiredSize: 2, maxSize: 4 }] });
    const after = specOf({ managedNodeGroups: [{ name: 'ng-1', minSize: 1, desiredSize: 3, maxSize: 4 }] });
    const aws = provisionedAws(before);

    const outputs = await finalizeUpdate(updateInput(SCALE, after, { ready: true, waitSeconds: 0, stage: 'applied' }), aws.deps());

    expect(outputs).toEqual({ action: 'UPDATE_NODEGROUP', target: 'ng-1', result: 'applied' });
    expect(aws.events).toEqual([expect.objectContaining({ status: 'SUCCEEDED', phase: 'Completed', action: 'UPDATE_NODEGROUP', outputs })]);
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', spec: after });
    expect(aws.clusterRecords.get(CLUSTER)!.lockedBy).toBeUndefined();
    expect(aws.operations.get(UPDATE_OPERATION.id)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true });
  });

  it('says unchanged when the cluster already was as asked, and sends the event once when run twice', async () => {
    const aws = provisionedAws(specOf());
    const input = requestedUpdate(specOf(), { action: 'SET_ENDPOINT_ACCESS', body: { public: true } }, { ready: true, waitSeconds: 0, stage: 'unchanged' });

    await finalizeUpdate(input, aws.deps());
    const outputs = await finalizeUpdate(input, aws.deps());

    expect(outputs).toEqual({ action: 'SET_ENDPOINT_ACCESS', target: CLUSTER, result: 'unchanged' });
    expect(aws.events).toHaveLength(1);
  });
});
