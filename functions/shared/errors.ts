/**
 * Error names are the contract with the state machines: ASL retries only the retryable names and
 * routes terminal ones to the failure path. Each class sets `name` (the Lambda errorType) and
 * chains `cause`.
 */

export interface ErrorDetails {
  /** The resource a person should look at, e.g. "nodegroup ng-spot" or "subnet-0abc". */
  resource?: string;
  cause?: unknown;
}

abstract class ProvisionerError extends Error {
  readonly resource?: string;
  constructor(message: string, details: ErrorDetails = {}) {
    // The resource leads the message: Step Functions keeps only an error's name and message.
    super(details.resource ? `${details.resource}: ${message}` : message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.resource = details.resource;
  }
}

// ── Retryable: the ASL retries these with backoff ─────────────────────────────────────────────

/** AWS throttled the call after the SDK's own retries. */
export class ThrottlingError extends ProvisionerError {}
/** AWS answered 5xx or the connection failed after the SDK's own retries, or an access entry just made is not in effect yet (EKS propagates it within seconds). */
export class AwsUnavailableError extends ProvisionerError {}
/** EKS accepts one config update at a time: "... currently has update ... in progress". */
export class UpdateInProgressError extends ProvisionerError {}
/** EKS allows one Fargate profile CREATING or DELETING per cluster at a time. */
export class ResourceBusyError extends ProvisionerError {}
/** Someone else wrote aws-auth between our read and write (resourceVersion conflict). */
export class KubernetesConflictError extends ProvisionerError {}

/** Still being built: the ASL's Retry on these is the poll (short, backing off, bounded). */
export class StackNotReadyError extends ProvisionerError {}
export class NodegroupNotReadyError extends ProvisionerError {}
export class FargateProfileNotReadyError extends ProvisionerError {}
export class AddonNotReadyError extends ProvisionerError {}
export class EndpointUpdateNotReadyError extends ProvisionerError {}
/** A cluster settings update (UpdateClusterConfig, AssociateEncryptionConfig) or the stacks' re-tagging is still under way. */
export class SettingsUpdateNotReadyError extends ProvisionerError {}
export class RollbackNotDoneError extends ProvisionerError {}
/** delete-cluster: nodegroups, Fargate profiles or nodegroup stacks are still being deleted. */
export class TeardownNotDoneError extends ProvisionerError {}
/** delete-cluster: the cluster stack is still being deleted, or busy with another operation. */
export class StackDeleteNotDoneError extends ProvisionerError {}
/** upgrade-cluster: the upgrade insights refresh preflight asked for is still running. */
export class InsightsRefreshNotDoneError extends ProvisionerError {}
/** upgrade-cluster: the control plane's version update (one minor) is still running. */
export class VersionUpdateNotReadyError extends ProvisionerError {}
/** A nodegroup's nodes are not all Ready in Kubernetes yet, or a drain still has pods to move. */
export class NodesNotReadyError extends ProvisionerError {}

export const RETRYABLE_ERRORS = [
  'ThrottlingError',
  'AwsUnavailableError',
  'UpdateInProgressError',
  'ResourceBusyError',
  'KubernetesConflictError',
  'StackNotReadyError',
  'NodegroupNotReadyError',
  'FargateProfileNotReadyError',
  'AddonNotReadyError',
  'EndpointUpdateNotReadyError',
  'SettingsUpdateNotReadyError',
  'RollbackNotDoneError',
  'TeardownNotDoneError',
  'StackDeleteNotDoneError',
  'InsightsRefreshNotDoneError',
  'VersionUpdateNotReadyError',
  'NodesNotReadyError',
] as const;

// ── Terminal: the ASL routes these to Diagnose ───────────────────────────────────────────────

/** The request breaks a schema or EKS rule; `problems` name each field (JSON pointer) and rule. */
export class InvalidSpecError extends ProvisionerError {
  constructor(
    readonly problems: SpecProblem[],
    details: ErrorDetails = {},
  ) {
    super(problems.map((p) => `${p.pointer || '/'}: ${p.message}`).join('; '), details);
  }
}
export interface SpecProblem {
  /** JSON pointer into the request body, e.g. /managedNodeGroups/0/minSize. */
  pointer: string;
  message: string;
}

/** A stack reached a failed or rolled-back status, or a stack we did not create holds the name. */
export class StackFailedError extends ProvisionerError {}
export class NodegroupFailedError extends ProvisionerError {}
export class FargateProfileFailedError extends ProvisionerError {}
export class AddonFailedError extends ProvisionerError {}
export class EndpointUpdateFailedError extends ProvisionerError {}
/** A settings update ended Failed or Cancelled (EKS's errors), or a stack's re-tagging rolled back. */
export class SettingsUpdateFailedError extends ProvisionerError {}
/** The Kubernetes API refused an aws-auth edit. */
export class KubernetesApiError extends ProvisionerError {
  /** The HTTP status it answered, when it answered: 401 and 403 say who may not, not what is wrong. */
  readonly status?: number;
  constructor(message: string, details: ErrorDetails & { status?: number } = {}) {
    super(message, details);
    this.status = details.status;
  }
}
/** A nodegroup's nodes did not all become Ready in time; the message names those that are not, and why. */
export class NodesFailedError extends ProvisionerError {}
/** A drain could not move pods off nodes in time: the message names the pods and the budgets that held them. */
export class DrainFailedError extends ProvisionerError {}
/** Rolling back could not delete a resource; a person must look. */
export class RollbackFailedError extends ProvisionerError {}
/** delete-cluster: AWS could not delete a resource (DELETE_FAILED); a person must look, then DELETE again. */
export class DeleteFailedError extends ProvisionerError {}
/** AWS refused the call for a reason retrying will not fix (bad parameter, access denied). */
export class AwsRequestError extends ProvisionerError {}
/** A step's input does not match its schema: a wiring bug between states. */
export class InvalidStepInputError extends ProvisionerError {}
/** An outcome for an operation the registry has no record of: never conjured, a wiring bug. */
export class OperationNotFoundError extends ProvisionerError {}
/**
 * An update the live cluster says must not or cannot be made: removing the access entry EKS
 * made for a node or Fargate role (or the service's own), scaling a nodegroup that is not there.
 */
export class ChangeRefusedError extends ProvisionerError {}
/**
 * upgrade-cluster's preflight found what stops the upgrade (an upgrade insight's ERROR unless
 * forced, an add-on with no version for the target, a nodegroup too far behind, …), before any
 * UpdateClusterVersion: the message names each problem's resource, what is wrong and what to do.
 */
export class UpgradeRefusedError extends ProvisionerError {}
/** A control plane version update ended Failed or Cancelled; the message carries EKS's errors. */
export class ControlPlaneUpgradeFailedError extends ProvisionerError {}
/**
 * UpdateNodegroupVersion ended Failed: PodEvictionFailure (a PodDisruptionBudget kept a pod from
 * being evicted; EKS's message names the pod) unless forced, or the new nodes did not join.
 */
export class NodegroupUpgradeFailedError extends ProvisionerError {}

export const TERMINAL_ERRORS = [
  'InvalidSpecError',
  'StackFailedError',
  'NodegroupFailedError',
  'FargateProfileFailedError',
  'AddonFailedError',
  'EndpointUpdateFailedError',
  'SettingsUpdateFailedError',
  'KubernetesApiError',
  'RollbackFailedError',
  'DeleteFailedError',
  'AwsRequestError',
  'InvalidStepInputError',
  'ChangeRefusedError',
  'UpgradeRefusedError',
  'ControlPlaneUpgradeFailedError',
  'NodegroupUpgradeFailedError',
  'NodesFailedError',
  'DrainFailedError',
] as const;

/** Error names each SDK v3 client uses for throttling. */
const THROTTLING_NAMES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException']);

interface SdkLikeError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

/**
 * Gives an AWS SDK failure a name from the contract above. Errors that already carry one of our
 * names pass through unchanged.
 */
export function classifyAwsError(error: unknown, resource?: string): Error {
  if (error instanceof ProvisionerError) return error;
  const e = (error ?? {}) as SdkLikeError;
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  if ((e.name && THROTTLING_NAMES.has(e.name)) || e.$retryable?.throttling) return new ThrottlingError(message, { resource, cause: error });
  const networkCodes = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'];
  if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500 || (e.code && networkCodes.includes(e.code)) || e.name === 'TimeoutError') {
    return new AwsUnavailableError(message, { resource, cause: error });
  }
  if (e.$fault === 'client' || e.$metadata) return new AwsRequestError(message, { resource, cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

/** True when an SDK error has the given AWS error code (the `name` SDK v3 gives it). */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  return typeof error === 'object' && error !== null && names.includes((error as { name?: string }).name ?? '');
}

// ── Request conflicts (API answers 409) ──────────────────────────────────────────────────────

/** Another operation holds the cluster: one operation per cluster at a time. */
export class ClusterBusyError extends ProvisionerError {
  constructor(
    readonly clusterName: string,
    readonly runningOperationId: string | undefined,
  ) {
    super(`cluster ${clusterName} has operation ${runningOperationId ?? '(unknown)'} in progress; retry when it ends`);
  }
}
/** The cluster record changed between the read that authorised an operation and its lock (optimistic versioning). */
export class ClusterChangedError extends ProvisionerError {
  constructor(readonly clusterName: string, detail: string) {
    super(`cluster ${clusterName} changed while the request was checked (${detail}); read it again and retry`);
  }
}
/** The name is taken by a cluster that exists (or is being created). */
export class ClusterExistsError extends ProvisionerError {
  constructor(readonly clusterName: string, status: string) {
    super(`cluster ${clusterName} already exists (status ${status}); choose another name or delete it first`);
  }
}
