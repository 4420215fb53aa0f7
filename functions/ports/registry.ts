/**
 * The registry (DynamoDB, one table): cluster records with the one-operation-per-cluster lock,
 * and operation records with their step timeline. Conditional writes only: it runs on dynalite,
 * which has no transactions.
 *
 * It is the operations' source of truth. An outcome is committed on the operation record first
 * (the first outcome wins; nothing reopens it), together with the terminal event, which waits
 * there until the bus takes it (an outbox), and the cluster status the outcome sets; then the
 * cluster's lock is released. Each write can be repeated, so whoever finds an operation half-way
 * (a retried step, the reconciler) finishes it the same way.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Operation, OperationStatusEvent, ReadyNodes } from '../generated/types';
import { principalOf } from '../domain/caller';
import { isTerminal } from '../domain/status-event';
import { ClusterBusyError, ClusterChangedError, ClusterExistsError, OperationNotFoundError, classifyAwsError, isAwsError } from '../shared/errors';
import { config } from '../shared/config';
import { once } from '../shared/once';
import { decodeCursor, encodeCursor, type CursorKey, type CursorScope } from './page-cursor';
import { BY_CLUSTER_INDEX, REGISTRY_KEYS, UNSETTLED_INDEX } from './registry-table';

export type ClusterStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'FAILED' | 'ROLLED_BACK' | 'DELETING' | 'DELETED';

export interface StepEntry {
  name: string;
  status: string;
  resource?: string;
  /** Steps that wait on nodes: ready of desired. */
  nodes?: { ready: number; desired: number };
  startedAt: string;
  endedAt?: string;
  phase: string;
  at: string;
}

export interface OperationRecord {
  id: string;
  type: Operation['type'];
  /** For updates: what changes. */
  action?: Operation['action'];
  clusterName: string;
  /** The cluster's owner when the operation was accepted (may differ from requestedBy: an admin, the expiry). */
  clusterOwner?: string;
  status: OperationStatusEvent['status'];
  phase: OperationStatusEvent['phase'];
  requestedBy: string;
  requestedAt: string;
  updatedAt: string;
  executionArn?: string;
  steps: Record<string, StepEntry>;
  error?: OperationStatusEvent['error'];
  outputs?: Record<string, string>;
  terminalEventSent?: boolean;
  /** The terminal event, from the moment the outcome is committed: delivered from here until the bus takes it. */
  terminalEvent?: OperationStatusEvent;
  /** When a deliverer took the right to put the terminal event on the bus (claimDelivery). */
  deliveringSince?: string;
  /** What the committed outcome makes of the cluster, so a lock release cut short can be finished later. */
  clusterAfter?: { status: ClusterStatus; spec?: unknown };
  /** The cluster's status before the operation took its lock: where an operation that never started leaves it. */
  clusterStatusBefore?: ClusterStatus;
  /** The state machine its execution (named by the operation id) runs on. */
  stateMachineArn?: string;
  /** StartExecution failed: the request was answered 503, and the same Idempotency-Key may start it again. */
  notStarted?: boolean;
  /** Hash of the request an Idempotency-Key was used with: a replay must match it. */
  requestHash?: string;
}

/** A cluster as the registry knows it: who owns it, its desired spec, and the lock. */
export interface ClusterRecord {
  name: string;
  owner: string;
  status: ClusterStatus;
  /** The normalised spec the cluster was created with, kept current by successful updates. */
  spec: unknown;
  /** The running operation, while there is one (the one-operation-per-cluster lock). */
  lockedBy?: string;
  /** The last operation started on the cluster. */
  lastOperationId?: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Optimistic version: every write of the record adds one (but recordReadyNodes' and
   * recordNodeVersions', observations that change nothing a writer checks); writers state the
   * version they read.
   */
  version: number;
  /** Each nodegroup's nodes as the workflow last saw them, by nodegroup name (recordReadyNodes). */
  readyNodes?: ReadyNodes;
  /** The Kubernetes version each self-managed nodegroup's nodes ran when the service last read them, by nodegroup name (recordNodeVersions). */
  nodeVersions?: NodeVersions;
}

/**
 * A self-managed nodegroup's version as its nodes show it: the lowest kubelet minor among them
 * (EKS reports no version for a nodegroup it does not manage), and when the service read it.
 */
export type NodeVersions = Record<string, { version: string; observedAt: string }>;

/**
 * One version support notice: per cluster (its incarnation, since a deleted cluster's name may be
 * taken again), Kubernetes version, support that ends and threshold.
 */
export interface VersionNoticeKey {
  cluster: string;
  clusterCreatedAt: string;
  version: string;
  ending: string;
  threshold: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass it back to get the next page. Absent on the last page. */
  cursor?: string;
}

export interface PageQuery {
  limit: number;
  cursor?: string;
  /** The principal listing: a cursor works only for the caller (and listing) it was handed to. */
  caller?: string;
}

/** How an operation on an existing cluster takes its lock. */
export interface OperationLock {
  /** The record version the caller read (and checked ownership and state against). */
  expectedVersion: number;
  /** Statuses the cluster may be in for this operation. */
  from: ClusterStatus[];
  /** The cluster's status while the operation runs. */
  to: ClusterStatus;
}

export interface RegistryPort {
  /** Records the cluster and takes its lock; ClusterExistsError / ClusterBusyError otherwise. */
  beginCreate(operation: Operation, spec: unknown): Promise<void>;
  /** A new operation record; it may replace one whose execution never started (`notStarted`). */
  putOperation(record: OperationRecord): Promise<void>;
  getOperation(id: string): Promise<OperationRecord | undefined>;
  setExecution(operationId: string, executionArn: string): Promise<void>;
  /**
   * Idempotent: the timeline is keyed by event id, so a retried step overwrites its own entry.
   * False when the operation's outcome is already committed: the progress is dropped, and its
   * event must not be sent (no event follows the terminal one).
   */
  recordProgress(event: OperationStatusEvent): Promise<boolean>;
  getCluster(name: string): Promise<ClusterRecord | undefined>;
  /**
   * Records what a wait saw of these nodegroups' nodes, replacing each one's earlier observation
   * and leaving other nodegroups' alone; idempotent. Nothing is recorded for a cluster the
   * registry does not have.
   */
  recordReadyNodes(clusterName: string, observed: ReadyNodes): Promise<void>;
  /** The same for the versions self-managed nodegroups' nodes run (an observation: no version added). */
  recordNodeVersions(clusterName: string, observed: NodeVersions): Promise<void>;
  /** An owner's clusters (by principal), or every cluster when no owner is given; by name. */
  listClusters(query: PageQuery & { owner?: string }): Promise<Page<ClusterRecord>>;
  /** A cluster's operations, newest first. */
  listOperations(clusterName: string, query: PageQuery): Promise<Page<OperationRecord>>;
  /**
   * Takes an existing cluster's lock for `operation`: ClusterBusyError when another operation
   * holds it, ClusterChangedError when the record moved past `expectedVersion` or out of `from`.
   */
  beginOperation(operation: Operation, lock: OperationLock): Promise<void>;
  /**
   * Commits the outcome (the terminal `event`, kept for delivery) unless one is committed already
   * (the first wins), then releases the cluster lock with the committed outcome's cluster status
   * (and spec, when an update changed it). Returns the operation record as it now is: its
   * status and terminalEvent are the committed outcome, which may be an earlier one.
   * `unchangedSince`: commit only if the record was not written since that updatedAt (a settlement
   * decided on what was read must not overtake the operation moving on).
   */
  finish(event: OperationStatusEvent, clusterStatus: ClusterStatus, clusterSpec?: unknown, options?: { unchangedSince?: string }): Promise<OperationRecord>;
  /** Releases the lock of a committed operation (idempotent): what finish does after the commit. */
  releaseCluster(record: OperationRecord): Promise<void>;
  /**
   * Takes the right to deliver the terminal event: false while another deliverer holds it (since
   * after `staleBefore`) or once it is sent, so concurrent deliverers (the step, the listener, the
   * reconciler, abort) do not put it on the bus twice.
   */
  claimDelivery(operationId: string, now: string, staleBefore: string): Promise<boolean>;
  /** Gives the right back after the bus refused the event, for the next deliverer. */
  releaseDelivery(operationId: string): Promise<void>;
  /** The terminal event is on the bus: the operation is settled and leaves the unsettled index. */
  markTerminalEventSent(operationId: string): Promise<void>;
  /** StartExecution failed: the operation may be started again with its Idempotency-Key. */
  markNotStarted(operationId: string): Promise<void>;
  /** Operations not settled yet (running, or terminal with the event undelivered), oldest first. */
  listUnsettled(query: PageQuery): Promise<Page<OperationRecord>>;
  /** The thresholds of the notices sent about this cluster's version and ending support. */
  versionNoticesSent(key: Omit<VersionNoticeKey, 'threshold'>): Promise<number[]>;
  /**
   * Takes the right to send a notice: false once it is sent, or while another run sends it (a
   * claim made after `staleBefore`), so runs that overlap or repeat never send it twice.
   */
  claimVersionNotice(key: VersionNoticeKey, now: string, staleBefore: string): Promise<boolean>;
  /** The notice is on the bus. */
  markVersionNoticeSent(key: VersionNoticeKey, now: string): Promise<void>;
  /** Gives the right back after the bus refused the notice, for the next run. */
  releaseVersionNotice(key: VersionNoticeKey): Promise<void>;
  /** Undoes beginCreate when the execution could not be started. */
  abandonCreate(operation: Operation): Promise<void>;
  /** Undoes beginOperation when the execution could not be started: lock released, status restored. */
  abandonOperation(operation: Operation, status: ClusterStatus): Promise<void>;
}

const clusterKey = (name: string) => ({ pk: `CLUSTER#${name}`, sk: 'CLUSTER' });
const operationKey = (id: string) => ({ pk: `OPERATION#${id}`, sk: 'OPERATION' });
/** Notices live in their cluster's partition, beside its record; listings of clusters read only sk CLUSTER. */
const noticePrefix = (key: Omit<VersionNoticeKey, 'threshold'>) => `VERSION_NOTICE#${key.clusterCreatedAt}#${key.version}#${key.ending}#`;
const noticeKey = (key: VersionNoticeKey) => ({ pk: clusterKey(key.cluster).pk, sk: `${noticePrefix(key)}${key.threshold}` });
/** A cluster record in these states no longer holds its name (docs/failure-semantics.md: a rollback makes the name reusable). */
const REUSABLE: ClusterStatus[] = ['ROLLED_BACK', 'DELETED'];

/** The keys that continue a read after an item: the table's, plus the index's for an index query. */
const TABLE_KEY = [REGISTRY_KEYS.partitionKey, REGISTRY_KEYS.sortKey] as const;
const INDEX_KEY = [...TABLE_KEY, BY_CLUSTER_INDEX.partitionKey, BY_CLUSTER_INDEX.sortKey] as const;
const UNSETTLED_KEY = [...TABLE_KEY, UNSETTLED_INDEX.partitionKey, UNSETTLED_INDEX.sortKey] as const;
const UNSETTLED = 'UNSETTLED';
const TERMINAL_VALUES = { ':t0': 'SUCCEEDED', ':t1': 'FAILED', ':t2': 'ROLLED_BACK' };
/** Items read per scan request when an admin lists every cluster. */
const ADMIN_SCAN_PAGE = 100;

/** Clusters are indexed by their owner's principal (not session), so a role's next session lists them too. */
const ownerIndexKeys = (owner: string, name: string) => ({ gsi1pk: `OWNER#${principalOf(owner)}`, gsi1sk: name });

function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, [UNSETTLED_INDEX.partitionKey]: _u1, [UNSETTLED_INDEX.sortKey]: _u2, ...record } = item;
  return record as T;
}

/** Records written before versioning have none: version 0. */
function versionIs(expected: number): string {
  return expected > 0 ? 'version = :expected' : 'attribute_not_exists(version)';
}

export { InvalidCursorError } from './page-cursor';

/** The scope a page's cursor is bound to: this listing, for this caller's principal (any of a role's sessions). */
const scopeOf = (listing: string, query: PageQuery): CursorScope => ({ listing, caller: principalOf(query.caller ?? '') });

export class DynamoRegistry implements RegistryPort {
  constructor(
    private readonly client: () => DynamoDBDocumentClient,
    private readonly tableName: () => string,
  ) {}

  async beginCreate(operation: Operation, spec: unknown): Promise<void> {
    const name = operation.cluster.name;
    try {
      await this.client().send(
        new PutCommand({
          TableName: this.tableName(),
          Item: {
            ...clusterKey(name),
            name,
            owner: operation.requestedBy,
            status: 'CREATING' satisfies ClusterStatus,
            spec,
            lockedBy: operation.id,
            lastOperationId: operation.id,
            createdAt: operation.requestedAt,
            updatedAt: operation.requestedAt,
            version: 1,
            ...ownerIndexKeys(operation.requestedBy, name),
          } satisfies ClusterRecord & Record<string, unknown>,
          ConditionExpression: 'attribute_not_exists(pk) OR (#status IN (:rolledBack, :deleted) AND attribute_not_exists(lockedBy))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':rolledBack': REUSABLE[0], ':deleted': REUSABLE[1] },
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw classifyAwsError(error, `registry ${this.tableName()}`);
      const existing = await this.getCluster(name);
      if (existing?.lockedBy) throw new ClusterBusyError(name, existing.lockedBy);
      throw new ClusterExistsError(name, existing?.status ?? 'unknown');
    }
  }

  async putOperation(record: OperationRecord): Promise<void> {
    await this.call((c) => c.send(new PutCommand({
        TableName: this.tableName(),
        Item: {
          ...operationKey(record.id),
          ...record,
          gsi1pk: `CLUSTER#${record.clusterName}`,
          gsi1sk: record.requestedAt,
          [UNSETTLED_INDEX.partitionKey]: UNSETTLED,
          [UNSETTLED_INDEX.sortKey]: `${record.requestedAt}#${record.id}`,
        },
        // A start that failed left its record for the same key to start again.
        ConditionExpression: 'attribute_not_exists(pk) OR notStarted = :yes',
        ExpressionAttributeValues: { ':yes': true },
      })),
    );
  }

  async getOperation(id: string): Promise<OperationRecord | undefined> {
    const { Item } = await this.call((c) => c.send(new GetCommand({ TableName: this.tableName(), Key: operationKey(id), ConsistentRead: true })));
    return Item ? withoutKeys<OperationRecord>(Item) : undefined;
  }

  async setExecution(operationId: string, executionArn: string): Promise<void> {
    await this.call((c) => c.send(new UpdateCommand({ TableName: this.tableName(), Key: operationKey(operationId), UpdateExpression: 'SET executionArn = :arn', ExpressionAttributeValues: { ':arn': executionArn } })));
  }

  async recordProgress(event: OperationStatusEvent): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#phase': 'phase' };
    const values: Record<string, unknown> = { ':status': event.status, ':phase': event.phase, ':now': event.time, ...TERMINAL_VALUES };
    let update = 'SET #status = :status, #phase = :phase, updatedAt = :now';
    if (event.step) {
      names['#id'] = event.eventId;
      values[':step'] = { ...event.step, phase: event.phase, at: event.time };
      update += ', steps.#id = :step';
    }
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName(),
        Key: operationKey(event.operationId),
        UpdateExpression: update,
        // A late progress write must not reopen a finished operation.
        ConditionExpression: 'attribute_exists(pk) AND NOT (#status IN (:t0, :t1, :t2))',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async getCluster(name: string): Promise<ClusterRecord | undefined> {
    const { Item } = await this.call((c) => c.send(new GetCommand({ TableName: this.tableName(), Key: clusterKey(name), ConsistentRead: true })));
    return Item ? withoutKeys<ClusterRecord>(Item) : undefined;
  }

  async recordReadyNodes(clusterName: string, observed: ReadyNodes): Promise<void> {
    await this.recordObservations(clusterName, 'readyNodes', observed);
  }

  async recordNodeVersions(clusterName: string, observed: NodeVersions): Promise<void> {
    await this.recordObservations(clusterName, 'nodeVersions', observed);
  }

  /** Sets each nodegroup's entry of an observation map on the cluster's record, leaving the others'. */
  private async recordObservations(clusterName: string, attribute: 'readyNodes' | 'nodeVersions', observed: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(observed);
    if (entries.length === 0) return;
    const key = clusterKey(clusterName);
    const names: Record<string, string> = { '#ready': attribute };
    const values: Record<string, unknown> = {};
    entries.forEach(([nodegroup, nodes], i) => {
      names[`#ng${i}`] = nodegroup;
      values[`:ng${i}`] = nodes;
    });
    const each = entries.map((_, i) => `#ready.#ng${i} = :ng${i}`).join(', ');
    // A nested SET needs the map: the cluster's first observation makes it, and a racing first
    // observation that made it meanwhile sends this one back to the nested SET.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.conditionally(new UpdateCommand({ TableName: this.tableName(), Key: key, UpdateExpression: `SET ${each}`, ConditionExpression: 'attribute_exists(#ready)', ExpressionAttributeNames: names, ExpressionAttributeValues: values }))) return;
      const first = await this.conditionally(
        new UpdateCommand({ TableName: this.tableName(), Key: key, UpdateExpression: 'SET #ready = :all', ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#ready)', ExpressionAttributeNames: { '#ready': attribute }, ExpressionAttributeValues: { ':all': observed } }),
      );
      if (first) return;
      if (!(await this.getCluster(clusterName))) return;
    }
  }

  async listClusters(query: PageQuery & { owner?: string }): Promise<Page<ClusterRecord>> {
    // Gone clusters (rolled back, deleted) keep their record for history but are not listed.
    const gone = { FilterExpression: 'NOT (#status IN (:rolledBack, :deleted))', ExpressionAttributeValues: { ':rolledBack': REUSABLE[0], ':deleted': REUSABLE[1] } };
    const owner = query.owner;
    if (owner) {
      const partition = ownerIndexKeys(owner, '').gsi1pk;
      return this.fillPage<ClusterRecord>(query, scopeOf(partition, query), { attributes: INDEX_KEY, fixed: { [BY_CLUSTER_INDEX.partitionKey]: partition } }, (start) =>
        this.call((c) =>
          c.send(
            new QueryCommand({
              TableName: this.tableName(),
              IndexName: BY_CLUSTER_INDEX.name,
              KeyConditionExpression: '#gsi1pk = :owner',
              FilterExpression: gone.FilterExpression,
              ExpressionAttributeNames: { '#gsi1pk': BY_CLUSTER_INDEX.partitionKey, '#status': 'status' },
              ExpressionAttributeValues: { ...gone.ExpressionAttributeValues, ':owner': partition },
              Limit: query.limit,
              ExclusiveStartKey: start,
            }),
          ),
        ),
      );
    }
    // Admins see every cluster: a scan of cluster records, in larger reads since operations share the table.
    return this.fillPage<ClusterRecord>(query, scopeOf('CLUSTERS', query), { attributes: TABLE_KEY }, (start) =>
      this.call((c) =>
        c.send(
          new ScanCommand({
            TableName: this.tableName(),
            FilterExpression: `sk = :cluster AND ${gone.FilterExpression}`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ...gone.ExpressionAttributeValues, ':cluster': 'CLUSTER' },
            Limit: Math.max(query.limit, ADMIN_SCAN_PAGE),
            ExclusiveStartKey: start,
          }),
        ),
      ),
    );
  }

  async listOperations(clusterName: string, query: PageQuery): Promise<Page<OperationRecord>> {
    const partition = `CLUSTER#${clusterName}`;
    return this.fillPage<OperationRecord>(query, scopeOf(partition, query), { attributes: INDEX_KEY, fixed: { [BY_CLUSTER_INDEX.partitionKey]: partition } }, (start) =>
      this.call((c) =>
        c.send(
          new QueryCommand({
            TableName: this.tableName(),
            IndexName: BY_CLUSTER_INDEX.name,
            KeyConditionExpression: '#gsi1pk = :cluster',
            ExpressionAttributeNames: { '#gsi1pk': BY_CLUSTER_INDEX.partitionKey },
            ExpressionAttributeValues: { ':cluster': partition },
            ScanIndexForward: false,
            Limit: query.limit,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    );
  }

  /**
   * Reads until the page is full or the table is done: DynamoDB applies Limit before a filter, so
   * one read may return few or none of the items asked for. A page cut short of what was read
   * continues after its last item (its keys are a valid ExclusiveStartKey).
   */
  private async fillPage<T>(query: PageQuery, scope: CursorScope, key: CursorKey, read: (start?: Record<string, unknown>) => Promise<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>): Promise<Page<T>> {
    const items: Record<string, unknown>[] = [];
    // Checked before the first read: a forged or foreign cursor never reaches DynamoDB.
    let start: Record<string, unknown> | undefined = decodeCursor(query.cursor, scope, key);
    do {
      const page = await read(start);
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (items.length < query.limit && start);
    if (items.length > query.limit) {
      items.length = query.limit;
      start = Object.fromEntries(key.attributes.map((name) => [name, items[items.length - 1]![name]]));
    }
    return { items: items.map((item) => withoutKeys<T>(item)), ...(start ? { cursor: encodeCursor(start, scope, key) } : {}) };
  }

  async beginOperation(operation: Operation, lock: OperationLock): Promise<void> {
    const name = operation.cluster.name;
    const statuses = Object.fromEntries(lock.from.map((status, i) => [`:from${i}`, status]));
    try {
      await this.client().send(
        new UpdateCommand({
          TableName: this.tableName(),
          Key: clusterKey(name),
          UpdateExpression: 'SET lockedBy = :operation, lastOperationId = :operation, #status = :to, updatedAt = :now ADD version :one',
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(lockedBy) AND ${versionIs(lock.expectedVersion)} AND #status IN (${Object.keys(statuses).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...statuses, ':operation': operation.id, ':to': lock.to, ':now': operation.requestedAt, ':one': 1, ...(lock.expectedVersion > 0 ? { ':expected': lock.expectedVersion } : {}) },
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw classifyAwsError(error, `registry ${this.tableName()}`);
      const current = await this.getCluster(name);
      if (!current) throw new ClusterChangedError(name, 'it no longer exists');
      if (current.lockedBy) throw new ClusterBusyError(name, current.lockedBy);
      throw new ClusterChangedError(name, `it is now ${current.status}, version ${current.version ?? 0}`);
    }
  }

  async finish(event: OperationStatusEvent, clusterStatus: ClusterStatus, clusterSpec?: unknown, options: { unchangedSince?: string } = {}): Promise<OperationRecord> {
    const names: Record<string, string> = { '#status': 'status', '#phase': 'phase' };
    const clusterAfter = { status: clusterStatus, ...(clusterSpec === undefined ? {} : { spec: clusterSpec }) };
    const values: Record<string, unknown> = { ':status': event.status, ':phase': event.phase, ':now': event.time, ':event': event, ':after': clusterAfter, ...TERMINAL_VALUES };
    let update = 'SET #status = :status, #phase = :phase, updatedAt = :now, terminalEvent = :event, clusterAfter = :after';
    if (event.error) {
      values[':error'] = event.error;
      update += ', #error = :error';
      names['#error'] = 'error';
    }
    if (event.outputs) {
      values[':outputs'] = event.outputs;
      update += ', outputs = :outputs';
    }
    // Never conjure a partial record for an operation the registry does not know; never reopen an outcome.
    let condition = 'attribute_exists(pk) AND NOT (#status IN (:t0, :t1, :t2))';
    if (options.unchangedSince) {
      condition += ' AND updatedAt = :seen';
      values[':seen'] = options.unchangedSince;
    }
    let record: OperationRecord | undefined;
    try {
      const { Attributes } = await this.client().send(
        new UpdateCommand({ TableName: this.tableName(), Key: operationKey(event.operationId), UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: 'ALL_NEW' }),
      );
      record = withoutKeys<OperationRecord>(Attributes!);
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw classifyAwsError(error, `registry ${this.tableName()}`);
      record = await this.getOperation(event.operationId);
      if (!record) throw new OperationNotFoundError(`operation ${event.operationId} is not in the registry`);
    }
    await this.releaseCluster(record);
    return record;
  }

  async releaseCluster(record: OperationRecord): Promise<void> {
    const after = record.clusterAfter;
    if (!after || !isTerminal(record.status)) return;
    // Already released (an earlier attempt), or given back when its start failed: nothing to do.
    await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName(),
        Key: clusterKey(record.clusterName),
        UpdateExpression: `SET #status = :status, updatedAt = :now${after.spec === undefined ? '' : ', spec = :spec'} REMOVE lockedBy ADD version :one`,
        ConditionExpression: 'lockedBy = :operation',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': after.status, ':now': record.updatedAt, ':operation': record.id, ':one': 1, ...(after.spec === undefined ? {} : { ':spec': after.spec }) },
      }),
    );
  }

  async markTerminalEventSent(operationId: string): Promise<void> {
    await this.call((c) =>
      c.send(
        new UpdateCommand({
          TableName: this.tableName(),
          Key: operationKey(operationId),
          UpdateExpression: 'SET terminalEventSent = :yes REMOVE #upk, #usk, deliveringSince',
          ExpressionAttributeNames: { '#upk': UNSETTLED_INDEX.partitionKey, '#usk': UNSETTLED_INDEX.sortKey },
          ExpressionAttributeValues: { ':yes': true },
        }),
      ),
    );
  }

  async claimDelivery(operationId: string, now: string, staleBefore: string): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName(),
        Key: operationKey(operationId),
        UpdateExpression: 'SET deliveringSince = :now',
        ConditionExpression: 'attribute_exists(terminalEvent) AND attribute_not_exists(terminalEventSent) AND (attribute_not_exists(deliveringSince) OR deliveringSince < :stale)',
        ExpressionAttributeValues: { ':now': now, ':stale': staleBefore },
      }),
    );
  }

  async releaseDelivery(operationId: string): Promise<void> {
    await this.call((c) => c.send(new UpdateCommand({ TableName: this.tableName(), Key: operationKey(operationId), UpdateExpression: 'REMOVE deliveringSince' })));
  }

  async markNotStarted(operationId: string): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName(),
        Key: operationKey(operationId),
        UpdateExpression: 'SET notStarted = :yes',
        ConditionExpression: '#status = :accepted',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':yes': true, ':accepted': 'ACCEPTED' },
      }),
    );
  }

  async listUnsettled(query: PageQuery): Promise<Page<OperationRecord>> {
    // The reconciler's own listing: one partition, read by the service only.
    return this.fillPage<OperationRecord>(query, scopeOf('UNSETTLED', query), { attributes: UNSETTLED_KEY, fixed: { [UNSETTLED_INDEX.partitionKey]: UNSETTLED } }, (start) =>
      this.call((c) =>
        c.send(
          new QueryCommand({
            TableName: this.tableName(),
            IndexName: UNSETTLED_INDEX.name,
            KeyConditionExpression: '#upk = :unsettled',
            ExpressionAttributeNames: { '#upk': UNSETTLED_INDEX.partitionKey },
            ExpressionAttributeValues: { ':unsettled': UNSETTLED },
            Limit: query.limit,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    );
  }

  async versionNoticesSent(key: Omit<VersionNoticeKey, 'threshold'>): Promise<number[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call((c) =>
        c.send(
          new QueryCommand({
            TableName: this.tableName(),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            FilterExpression: 'attribute_exists(sentAt)',
            ExpressionAttributeValues: { ':pk': clusterKey(key.cluster).pk, ':prefix': noticePrefix(key) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.map((item) => Number(item.threshold));
  }

  async claimVersionNotice(key: VersionNoticeKey, now: string, staleBefore: string): Promise<boolean> {
    try {
      await this.client().send(
        new PutCommand({
          TableName: this.tableName(),
          Item: { ...noticeKey(key), ...key, claimedAt: now },
          ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND claimedAt < :stale)',
          ExpressionAttributeValues: { ':stale': staleBefore },
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw classifyAwsError(error, `registry ${this.tableName()}`);
    }
  }

  async markVersionNoticeSent(key: VersionNoticeKey, now: string): Promise<void> {
    await this.call((c) => c.send(new UpdateCommand({ TableName: this.tableName(), Key: noticeKey(key), UpdateExpression: 'SET sentAt = :now', ExpressionAttributeValues: { ':now': now } })));
  }

  async releaseVersionNotice(key: VersionNoticeKey): Promise<void> {
    await this.conditionally(new DeleteCommand({ TableName: this.tableName(), Key: noticeKey(key), ConditionExpression: 'attribute_not_exists(sentAt)' }));
  }

  async abandonCreate(operation: Operation): Promise<void> {
    await this.conditionally(
      new DeleteCommand({ TableName: this.tableName(), Key: clusterKey(operation.cluster.name), ConditionExpression: 'lockedBy = :operation', ExpressionAttributeValues: { ':operation': operation.id } }),
    );
  }

  async abandonOperation(operation: Operation, status: ClusterStatus): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName(),
        Key: clusterKey(operation.cluster.name),
        UpdateExpression: 'SET #status = :status REMOVE lockedBy ADD version :one',
        ConditionExpression: 'lockedBy = :operation',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':operation': operation.id, ':one': 1 },
      }),
    );
  }

  /**
   * A conditional write: true when it was made, false when its condition did not hold (another
   * writer got there first, or there is nothing left to do); any other failure is named.
   */
  private async conditionally(command: UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.client().send(command);
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw classifyAwsError(error, `registry ${this.tableName()}`);
    }
  }

  private async call<T>(request: (client: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
    try {
      return await request(this.client());
    } catch (error) {
      throw classifyAwsError(error, `registry ${this.tableName()}`);
    }
  }
}

/** The port over the SDK, with its client built once per container. */
export const dynamoRegistry = once(
  (): RegistryPort =>
    new DynamoRegistry(
      once(() => DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } })),
      config.tableName,
    ),
);
