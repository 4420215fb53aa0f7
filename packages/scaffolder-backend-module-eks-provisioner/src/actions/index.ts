import type { ApiSource } from '../api';
import { createClusterAction } from './create-cluster';
import { deleteClusterAction } from './delete-cluster';
import { waitForOperationAction, type WaitOptions } from './wait-for-operation';

export { CREATE_CLUSTER_ACTION } from './create-cluster';
export { DELETE_CLUSTER_ACTION } from './delete-cluster';
export { OperationFailedError, StoppedFollowingError, WAIT_ACTION } from './wait-for-operation';

/** The three actions, sharing one way to the API. */
export function eksProvisionerActions(api: ApiSource, options: Partial<WaitOptions> = {}) {
  return [createClusterAction(api), waitForOperationAction(api, { pollIntervalMs: options.pollIntervalMs ?? 5000 }), deleteClusterAction(api)];
}
