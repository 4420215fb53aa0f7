/**
 * One classifier per resource status: the only place that knows which AWS statuses mean "keep
 * waiting", "done" or "failed". Anything unknown is treated as failed rather than waited on
 * forever (the anti-pattern of polling a ROLLBACK_COMPLETE stack until timeout).
 */

export type Progress = 'pending' | 'ready' | 'failed';

function classify(table: Record<string, Progress>, status: string | undefined): Progress {
  return (status !== undefined && Object.hasOwn(table, status) && table[status]) || 'failed';
}

/** Stack being created. A rollback in progress already means failure: its cause is in the events. */
export function stackCreateProgress(status: string | undefined): Progress {
  return classify(
    {
      CREATE_IN_PROGRESS: 'pending',
      REVIEW_IN_PROGRESS: 'pending',
      CREATE_COMPLETE: 'ready',
      UPDATE_COMPLETE: 'ready',
    },
    status,
  );
}

/** Stack being updated: an update that rolls back (or rolled back) has failed, its cause in the events. */
export function stackUpdateProgress(status: string | undefined): Progress {
  return classify(
    {
      UPDATE_IN_PROGRESS: 'pending',
      UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'pending',
      UPDATE_COMPLETE: 'ready',
      CREATE_COMPLETE: 'ready',
    },
    status,
  );
}

export type StackDeleteProgress = 'pending' | 'gone' | 'deletable' | 'failed';

/** Stack being deleted (rollback or delete-cluster). Settled non-deleted stacks may be deleted now. */
export function stackDeleteProgress(status: string | undefined): StackDeleteProgress {
  if (status === undefined || status === 'DELETE_COMPLETE') return 'gone';
  if (status === 'DELETE_FAILED') return 'failed';
  // CloudFormation refuses DeleteStack while another operation runs; wait until it settles.
  if (status.endsWith('_IN_PROGRESS')) return 'pending';
  return 'deletable';
}

export const clusterProgress = (status: string | undefined): Progress =>
  classify({ PENDING: 'pending', CREATING: 'pending', ACTIVE: 'ready', UPDATING: 'ready' }, status);

export const nodegroupProgress = (status: string | undefined): Progress =>
  classify({ CREATING: 'pending', UPDATING: 'pending', ACTIVE: 'ready' }, status);

export const fargateProfileProgress = (status: string | undefined): Progress => classify({ CREATING: 'pending', ACTIVE: 'ready' }, status);

/** coredns stays DEGRADED until nodes join, which runs in parallel: keep waiting (bounded by the ASL's MaxAttempts). */
export const addonProgress = (status: string | undefined): Progress =>
  classify({ CREATING: 'pending', UPDATING: 'pending', DEGRADED: 'pending', ACTIVE: 'ready' }, status);

export const updateProgress = (status: string | undefined): Progress => classify({ InProgress: 'pending', Successful: 'ready' }, status);

/** Deleting an EKS sub-resource: gone when DescribeX says not found. */
export type DeleteProgress = 'pending' | 'failed' | 'deletable';
export function subresourceDeleteProgress(status: string | undefined): DeleteProgress {
  if (status === 'DELETING') return 'pending';
  if (status === 'DELETE_FAILED') return 'failed';
  // CREATING/UPDATING resources cannot be deleted yet; EKS answers ResourceInUse. Wait.
  if (status === 'CREATING' || status === 'UPDATING') return 'pending';
  return 'deletable';
}

/** An EKS update's errors in one line: "code: message (resource ids)", as DescribeUpdate gives them. */
export function updateErrorsText(errors: ReadonlyArray<{ errorCode?: string; errorMessage?: string; resourceIds?: string[] }> | undefined): string {
  return (errors ?? []).map((e) => `${e.errorCode}: ${e.errorMessage}${e.resourceIds?.length ? ` (${e.resourceIds.join(', ')})` : ''}`).join('; ');
}
