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

import type { OperationStatus } from '../../functions/domain/operation-status';
import type { ReadyNodes } from '../../functions/generated/types';
import type { TimelineStep } from '../../functions/api/get-operation';
import type { Addon, PodIdentityAssociation } from '../../functions/generated/types';
import type { ADDON_FIELDS } from '../../functions/domain/spec-change';
import type { CLUSTER_SETTING_FIELDS } from '../../functions/domain/spec';
import type { ClusterSpec } from '../../functions/generated/types';

/** The spec's own shapes (schemas/cluster-spec.schema.json), as the routes that add them take them. */
export type { Addon, ManagedNodeGroup, PodIdentityAssociation, SelfManagedNodeGroup } from '../../functions/generated/types';
/** PATCH /clusters/{name}: some of the running cluster's settings, as the spec has them. */
export type ClusterSettingsChange = Partial<Pick<ClusterSpec, (typeof CLUSTER_SETTING_FIELDS)[number]>>;
/** PATCH /clusters/{name}/addons/{addon}: some of the add-on's changeable fields. */
export type AddonChange = Partial<Pick<Addon, (typeof ADDON_FIELDS)[number]>>;

export { isTerminal, type OperationStatus } from '../../functions/domain/operation-status';
/** One line of GET /operations/{id} `steps`, as the API declares it. */
export type OperationStep = TimelineStep;

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
  requestedAt: string;
  updatedAt: string;
  error?: OperationError;
  outputs?: Record<string, unknown>;
  steps?: OperationStep[];
  /** A terminal outcome the workflow did not report itself: "reconciler" or "abort". */
  settledBy?: string;
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
  spec: {
    name: string;
    identityMappings?: IdentityMapping[];
    endpointAccess?: EndpointAccess;
    accessEntries?: Array<{ principalArn: string; [field: string]: unknown }>;
    addons?: Addon[];
    podIdentityAssociations?: PodIdentityAssociation[];
    iam?: { withOIDC?: boolean };
    [field: string]: unknown;
  };
  live: { endpointAccess?: EndpointAccess; [field: string]: unknown } | null;
  /** Each nodegroup's Ready nodes at the workflow's last look (not live), by nodegroup name. */
  readyNodes?: ReadyNodes;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
