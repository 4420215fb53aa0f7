/**
 * The registry (DynamoDB, one table): cluster records with the one-operation-per-cluster lock,
 * and operation records with their step timeline. Conditional writes only: it runs on dynalite,
 * which has no transactions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Operation, OperationStatusEvent } from '../generated/types';
import { ClusterBusyError, ClusterExistsError, classifyAwsError, isAwsError } from '../shared/errors';
import { config } from '../shared/config';
import { once } from '../shared/once';

export type ClusterStatus = 'CREATING' | 'ACTIVE' | 'FAILED' | 'ROLLED_BACK' | 'DELETING' | 'DELETED';

export interface StepEntry {
  name: string;
  status: string;
  resource?: string;
  startedAt: string;
  endedAt?: string;
  phase: string;
  at: string;
}

export interface OperationRecord {
  id: string;
  type: Operation['type'];
  clusterName: string;
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
  /** Hash of the request an Idempotency-Key was used with: a replay must match it. */
  requestHash?: string;
}

export interface RegistryPort {
  /** Records the cluster and takes its lock; ClusterExistsError / ClusterBusyError otherwise. */
  beginCreate(operation: Operation, spec: unknown): Promise<void>;
  putOperation(record: OperationRecord): Promise<void>;
  getOperation(id: string): Promise<OperationRecord | undefined>;
  setExecution(operationId: string, executionArn: string): Promise<void>;
  /** Idempotent: the timeline is keyed by event id, so a retried step overwrites its own entry. */
  recordProgress(event: OperationStatusEvent): Promise<void>;
  /** Marks the operation terminal and releases the cluster lock. Returns the record as it now is. */
  finish(event: OperationStatusEvent, clusterStatus: ClusterStatus): Promise<OperationRecord>;
  markTerminalEventSent(operationId: string): Promise<void>;
  /** Undoes beginCreate when the execution could not be started. */
  abandonCreate(operation: Operation): Promise<void>;
}

const clusterKey = (name: string) => ({ pk: `CLUSTER#${name}`, sk: 'CLUSTER' });
const operationKey = (id: string) => ({ pk: `OPERATION#${id}`, sk: 'OPERATION' });
/** A cluster record in these states no longer holds its name (DESIGN: rollback makes the name reusable). */
const REUSABLE: ClusterStatus[] = ['ROLLED_BACK', 'DELETED'];

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
            createdAt: operation.requestedAt,
            updatedAt: operation.requestedAt,
            gsi1pk: `OWNER#${operation.requestedBy}`,
            gsi1sk: name,
          },
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
        Item: { ...operationKey(record.id), ...record, gsi1pk: `CLUSTER#${record.clusterName}`, gsi1sk: record.requestedAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      })),
    );
  }

  async getOperation(id: string): Promise<OperationRecord | undefined> {
    const { Item } = await this.call((c) => c.send(new GetCommand({ TableName: this.tableName(), Key: operationKey(id), ConsistentRead: true })));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...record } = Item;
    return record as OperationRecord;
  }

  async setExecution(operationId: string, executionArn: string): Promise<void> {
    await this.call((c) => c.send(new UpdateCommand({ TableName: this.tableName(), Key: operationKey(operationId), UpdateExpression: 'SET executionArn = :arn', ExpressionAttributeValues: { ':arn': executionArn } })));
  }

  async recordProgress(event: OperationStatusEvent): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#phase': 'phase' };
    const values: Record<string, unknown> = { ':status': event.status, ':phase': event.phase, ':now': event.time, ':t0': 'SUCCEEDED', ':t1': 'FAILED', ':t2': 'ROLLED_BACK' };
    let update = 'SET #status = :status, #phase = :phase, updatedAt = :now';
    if (event.step) {
      names['#id'] = event.eventId;
      values[':step'] = { ...event.step, phase: event.phase, at: event.time };
      update += ', steps.#id = :step';
    }
    try {
      await this.client().send(
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
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return;
      throw classifyAwsError(error, `registry ${this.tableName()}`);
    }
  }

  async finish(event: OperationStatusEvent, clusterStatus: ClusterStatus): Promise<OperationRecord> {
    const names: Record<string, string> = { '#status': 'status', '#phase': 'phase' };
    const values: Record<string, unknown> = { ':status': event.status, ':phase': event.phase, ':now': event.time };
    let update = 'SET #status = :status, #phase = :phase, updatedAt = :now';
    if (event.error) {
      values[':error'] = event.error;
      update += ', #error = :error';
      names['#error'] = 'error';
    }
    if (event.outputs) {
      values[':outputs'] = event.outputs;
      update += ', outputs = :outputs';
    }
    // Never conjure a partial record for an operation the registry does not know.
    await this.call((c) => c.send(new UpdateCommand({ TableName: this.tableName(), Key: operationKey(event.operationId), UpdateExpression: update, ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: names, ExpressionAttributeValues: values })));
    try {
      await this.client().send(
        new UpdateCommand({
          TableName: this.tableName(),
          Key: clusterKey(event.cluster.name),
          UpdateExpression: 'SET #status = :status, updatedAt = :now REMOVE lockedBy',
          ConditionExpression: 'lockedBy = :operation',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': clusterStatus, ':now': event.time, ':operation': event.operationId },
        }),
      );
    } catch (error) {
      // Already released by an earlier attempt of this step: nothing to do.
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw classifyAwsError(error, `registry ${this.tableName()}`);
    }
    return (await this.getOperation(event.operationId))!;
  }

  async markTerminalEventSent(operationId: string): Promise<void> {
    await this.call((c) => c.send(new UpdateCommand({ TableName: this.tableName(), Key: operationKey(operationId), UpdateExpression: 'SET terminalEventSent = :yes', ExpressionAttributeValues: { ':yes': true } })));
  }

  async abandonCreate(operation: Operation): Promise<void> {
    try {
      await this.client().send(
        new DeleteCommand({ TableName: this.tableName(), Key: clusterKey(operation.cluster.name), ConditionExpression: 'lockedBy = :operation', ExpressionAttributeValues: { ':operation': operation.id } }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw classifyAwsError(error, `registry ${this.tableName()}`);
    }
  }

  private async getCluster(name: string): Promise<{ status: ClusterStatus; lockedBy?: string; owner: string } | undefined> {
    const { Item } = await this.call((c) => c.send(new GetCommand({ TableName: this.tableName(), Key: clusterKey(name), ConsistentRead: true })));
    return Item as { status: ClusterStatus; lockedBy?: string; owner: string } | undefined;
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
