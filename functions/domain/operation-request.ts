/**
 * Operations requested as events (docs/events.md): detail-type "EKS Cluster Operation Requested" on
 * the service bus, from an allowed source, or from the cluster's own expiry schedule (`ttl`).
 * They go through the same validation, ownership, lock and idempotency as the REST routes.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { OperationRequestDetail } from '../generated/types';

export const OPERATION_REQUESTED_DETAIL_TYPE = 'EKS Cluster Operation Requested';
export const OPERATION_REJECTED_DETAIL_TYPE = 'EKS Cluster Operation Request Rejected';
/** The source of expiry requests. Only the schedule sends it: the bus rule never admits it. */
export const EXPIRY_SOURCE = 'eks-provisioner.expiry';
/** The source of unattended upgrades in a cluster's maintenance window; like expiry, only a schedule sends it. */
export const MAINTENANCE_SOURCE = 'eks-provisioner.maintenance';

/** The service's own sources and the role each acts as: the API allows them on every cluster. */
export const SYSTEM_SOURCES = { [EXPIRY_SOURCE]: 'eks-provisioner-expiry', [MAINTENANCE_SOURCE]: 'eks-provisioner-maintenance' } as const;
export type SystemSource = keyof typeof SYSTEM_SOURCES;

export function isSystemSource(source: string): source is SystemSource {
  return Object.hasOwn(SYSTEM_SOURCES, source);
}

/** The bus rule (CDK and local mode) that hands operation requests to the API function. */
export const OPERATION_REQUESTS_RULE = 'eksp-operation-requests';

/** Its pattern: only the allowed sources. The expiry source is never among them (config refuses eks-provisioner*). */
export function operationRequestPattern(sources: string[]): { source: string[]; 'detail-type': string[] } {
  return { source: [...sources].sort(), 'detail-type': [OPERATION_REQUESTED_DETAIL_TYPE] };
}

/**
 * The allowed sources (EVENT_SOURCES, CDK context eventSources): source → the IAM principal it acts
 * as. aws.* and eks-provisioner* are reserved: the expiry source must never be admitted by the rule.
 */
export function eventSourcesFrom(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('must be a JSON object of event source → IAM principal ARN');
  for (const [source, principal] of Object.entries(value)) {
    if (typeof principal !== 'string' || !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/.test(principal)) throw new Error(`${source} must map to an IAM principal ARN, got ${JSON.stringify(principal)}`);
    if (source.startsWith('aws.') || source.startsWith('eks-provisioner')) throw new Error(`${source}: sources aws.* and eks-provisioner* are reserved`);
  }
  return value as Record<string, string>;
}

/** The detail of an "Operation Requested" event, from schemas/events/operation-requested.schema.json. */
export type { OperationRequestDetail };
/** What such an event may ask for: creation, deletion or one of update-cluster's change actions. */
export type RequestedOperation = OperationRequestDetail['operation'];

/** The EventBridge envelope a rule (or the expiry schedule) hands the API function. */
export type OperationRequestEvent = EventBridgeEvent<string, OperationRequestDetail>;

/** What a cluster's expiry schedule delivers to the API function when it fires. */
export function expiryRequestEvent(clusterName: string, at: Date, region: string, account: string): OperationRequestEvent {
  const key = `expiry-${clusterName}-${at.toISOString()}`;
  return scheduledEvent(EXPIRY_SOURCE, key, at, region, account, { operation: 'DELETE_CLUSTER', cluster: clusterName, idempotencyKey: key });
}

/**
 * What a cluster's maintenance upgrade schedule delivers when its window opens: the upgrade to
 * `version`, keyed by cluster, version and window start, so a redelivery starts nothing twice.
 */
export function maintenanceUpgradeEvent(clusterName: string, version: string, at: Date, region: string, account: string): OperationRequestEvent {
  const key = `maintenance-${clusterName}-${version}-${at.toISOString()}`;
  return scheduledEvent(MAINTENANCE_SOURCE, key, at, region, account, { operation: 'UPGRADE_CLUSTER', cluster: clusterName, body: { version }, idempotencyKey: key });
}

function scheduledEvent(source: SystemSource, id: string, at: Date, region: string, account: string, detail: OperationRequestDetail): OperationRequestEvent {
  return { version: '0', id, 'detail-type': OPERATION_REQUESTED_DETAIL_TYPE, source, account, time: at.toISOString(), region, resources: [], detail };
}
