/**
 * The shapes the REST API answers (docs/api.md), as far as its clients read them. Fields the
 * service may add later pass through untouched: callers print them with -o json.
 */

/** RFC 9457 problem details, as every error of the API is shaped. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ pointer: string; message: string }>;
  runningOperationId?: string;
  [field: string]: unknown;
}

export type OperationStatus = 'ACCEPTED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';
export const TERMINAL_STATUSES: readonly OperationStatus[] = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'];

export interface OperationStep {
  name: string;
  resource?: string;
  phase: string;
  status: 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | string;
  startedAt: string;
  endedAt?: string;
}

export interface OperationError {
  code: string;
  message: string;
  resource?: string;
}

export interface Operation {
  id: string;
  type: 'CREATE' | 'UPDATE' | 'DELETE' | string;
  action?: string;
  cluster: string;
  status: OperationStatus;
  phase: string;
  requestedBy?: string;
  requestedAt?: string;
  updatedAt?: string;
  error?: OperationError;
  outputs?: Record<string, unknown>;
  steps?: OperationStep[];
  [field: string]: unknown;
}

/** The 202 answer of every route that starts an operation. */
export interface AcceptedOperation {
  operationId: string;
  cluster: string;
  status: OperationStatus;
  links: { operation: string };
}

export interface ClusterSummary {
  name: string;
  status: string;
  owner: string;
  kubernetesVersion: string;
  createdAt: string;
  updatedAt: string;
  currentOperation: { id: string; link: string } | null;
  [field: string]: unknown;
}

export interface IdentityMapping {
  arn: string;
  username?: string;
  groups?: string[];
}

export interface EndpointAccess {
  public?: boolean;
  private?: boolean;
  publicAccessCidrs?: string[];
}

export interface ClusterDetail extends ClusterSummary {
  spec: { name: string; identityMappings?: IdentityMapping[]; endpointAccess?: EndpointAccess; accessEntries?: Array<{ principalArn: string; [field: string]: unknown }>; [field: string]: unknown };
  live: { endpointAccess?: EndpointAccess; [field: string]: unknown } | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
