import type { DeleteInput } from '../../../functions/generated/types';
import { finalizeDeletion } from '../../../functions/steps/finalize-deletion';
import { CLUSTER, fakeAws, operation } from './step-inputs';

const DELETE = { ...operation, id: 'op-delete', type: 'DELETE' as const };
const input: DeleteInput = { operation: DELETE, stack: { stackName: 'eksp-demo-cluster', ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' } };

function aws() {
  const fake = fakeAws();
  fake.seedOperation(DELETE);
  return fake;
}

describe('Finalize Deletion', () => {
  it('cancels the expiry and upgrade schedules, marks the cluster DELETED and unlocked, and sends one SUCCEEDED event', async () => {
    const fake = aws();
    fake.expirySchedules.set(CLUSTER, new Date('2026-11-24T10:00:00Z'));
    fake.upgradeSchedules.set(CLUSTER, { version: '1.34', at: new Date('2026-11-22T02:00:00Z') });

    await finalizeDeletion(input, fake.deps());

    expect(fake.expirySchedules.has(CLUSTER)).toBe(false);
    expect(fake.upgradeSchedules.has(CLUSTER)).toBe(false);
    expect(fake.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'DELETED' });
    expect(fake.clusterRecords.get(CLUSTER)!.lockedBy).toBeUndefined();
    expect(fake.events).toEqual([expect.objectContaining({ status: 'SUCCEEDED', phase: 'Completed', operation: 'DELETE' })]);
    expect(fake.operations.get(DELETE.id)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true });
  });

  it('is fine with a cluster that had no schedules', async () => {
    const fake = aws();

    await finalizeDeletion(input, fake.deps());

    expect(fake.callLog((c) => c.service === 'scheduler')).toEqual([`scheduler:DeleteSchedule ${CLUSTER}`, `scheduler:DeleteSchedule ${CLUSTER} upgrade`]);
    expect(fake.clusterRecords.get(CLUSTER)!.status).toBe('DELETED');
  });

  it('sends no second event when run again', async () => {
    const fake = aws();

    await finalizeDeletion(input, fake.deps());
    await finalizeDeletion(input, fake.deps());

    expect(fake.events).toHaveLength(1);
  });

  it('commits the deletion before it touches the schedule, so a Scheduler outage cannot leave it unreported', async () => {
    const fake = aws();
    const deps = fake.deps();
    deps.schedules.cancelExpiry = () => Promise.reject(Object.assign(new Error('Service Unavailable'), { name: 'AwsUnavailableError' }));

    await expect(finalizeDeletion(input, deps)).rejects.toMatchObject({ name: 'AwsUnavailableError' });

    expect(fake.operations.get(DELETE.id)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true });
    expect(fake.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'DELETED' });
    expect(fake.events).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
  });
});
