import type { Operation, Poll } from '../../../functions/generated/types';
import { disableDeletionProtection } from '../../../functions/steps/disable-deletion-protection';
import { CLUSTER, rejectionOf, specOf } from './step-inputs';
import { provisionedAws } from './update-inputs';
import { operationFor } from '../../support/provision-run';

const OPERATION: Operation = { ...operationFor(CLUSTER, 'op-delete-1'), type: 'DELETE' };
const input = (protection?: Poll) => ({ operation: OPERATION, disableDeletionProtection: true, ...(protection ? { protection } : {}) });

describe('Disable Deletion Protection', () => {
  it('turns protection off and follows the update to Successful', async () => {
    const aws = provisionedAws(specOf());
    aws.clusters.get(CLUSTER)!.deletionProtection = true;

    const started = await disableDeletionProtection(input(), aws.deps());
    expect(started).toMatchObject({ ready: false, updateId: expect.any(String) });
    let poll = started;
    for (let look = 0; look < 5 && !poll.ready; look++) {
      poll = await disableDeletionProtection(input(poll), aws.deps()).catch((error: Error) => (error.name === 'SettingsUpdateNotReadyError' ? poll : Promise.reject(error)));
    }

    expect(poll).toEqual({ ready: true, waitSeconds: 0 });
    expect(aws.clusters.get(CLUSTER)!.deletionProtection).toBe(false);
    expect(aws.callLog((c) => c.operation === 'UpdateClusterConfig')).toEqual([`eks:UpdateClusterConfig ${CLUSTER} deletionProtection`]);
  });

  it('does nothing for a cluster without protection, or one EKS no longer has', async () => {
    const aws = provisionedAws(specOf());

    await expect(disableDeletionProtection(input(), aws.deps())).resolves.toEqual({ ready: true, waitSeconds: 0 });
    aws.clusters.delete(CLUSTER);
    await expect(disableDeletionProtection(input(), aws.deps())).resolves.toEqual({ ready: true, waitSeconds: 0 });
    expect(aws.callLog((c) => c.operation === 'UpdateClusterConfig')).toEqual([]);
  });

  it('fails with EKS’s errors when the update fails', async () => {
    const aws = provisionedAws(specOf(), { faults: { updateFailure: { message: 'internal failure' } } });
    aws.clusters.get(CLUSTER)!.deletionProtection = true;
    const started = await disableDeletionProtection(input(), aws.deps());

    let error: Error | undefined;
    for (let look = 0; look < 5 && !error; look++) {
      const failed = await rejectionOf(disableDeletionProtection(input(started), aws.deps()));
      if (failed.name !== 'SettingsUpdateNotReadyError') error = failed;
    }

    expect(error).toMatchObject({ name: 'SettingsUpdateFailedError', message: expect.stringContaining('internal failure') });
  });
});
