/** DynamoRegistry against dynalite (DynamoDB on in-memory LevelDB), started in-process on 127.0.0.1. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { statusEvent, type StatusChange } from '../../../functions/domain/status-event';
import type { Operation } from '../../../functions/generated/types';
import { DynamoRegistry, type OperationRecord } from '../../../functions/ports/registry';
import { encodeCursor } from '../../../functions/ports/page-cursor';
import { rejectionOf } from './port-helpers';
import { registryTableInput } from '../../../functions/ports/registry-table';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

const TABLE = 'eksp-registry';
let server: Server;
let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let registry: DynamoRegistry;
let sequence = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' } });
  documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  await raw.send(
    new CreateTableCommand(registryTableInput(TABLE)),
  );
  registry = new DynamoRegistry(() => documents, () => TABLE);
});

afterAll(async () => {
  raw?.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A fresh cluster name and operation per test: the table is shared. */
function newOperation(cluster = `cluster-${++sequence}`, id = `op-${sequence}-${Math.random().toString(36).slice(2, 8)}`): Operation {
  return { id, type: 'CREATE', cluster: { name: cluster, region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/portal', requestedAt: '2026-11-21T10:00:00.000Z' };
}

function recordOf(operation: Operation): OperationRecord {
  return { id: operation.id, type: 'CREATE', clusterName: operation.cluster.name, status: 'ACCEPTED', phase: 'Accepted', requestedBy: operation.requestedBy, requestedAt: operation.requestedAt, updatedAt: operation.requestedAt, steps: {} };
}

async function accepted(operation = newOperation()): Promise<Operation> {
  await registry.beginCreate(operation, { name: operation.cluster.name });
  await registry.putOperation(recordOf(operation));
  return operation;
}

const event = (operation: Operation, change: StatusChange, at = '2026-11-21T10:05:00Z') => statusEvent(operation, change, new Date(at));
const stackStarted: StatusChange = { status: 'IN_PROGRESS', phase: 'ClusterStack', step: { name: 'Create Cluster Stack', status: 'STARTED', resource: 'eksp-x-cluster', startedAt: '2026-11-21T10:01:00.000Z' } };
const rolledBack: StatusChange = { status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: { code: 'NodegroupFailedError', message: 'nodegroup ng-1: CREATE_FAILED' } };
const succeeded: StatusChange = { status: 'SUCCEEDED', phase: 'Completed', outputs: { clusterName: 'x' } };

const clusterItem = async (name: string) => (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: `CLUSTER#${name}`, sk: 'CLUSTER' } }))).Item;

describe('DynamoRegistry', () => {
  describe('the one-operation-per-cluster lock', () => {
    it('records a new cluster as CREATING, locked by the operation', async () => {
      const operation = newOperation();

      await registry.beginCreate(operation, { name: operation.cluster.name });

      expect(await clusterItem(operation.cluster.name)).toMatchObject({ name: operation.cluster.name, status: 'CREATING', lockedBy: operation.id, owner: operation.requestedBy, spec: { name: operation.cluster.name } });
    });

    it('refuses a second create of the same name with ClusterBusyError naming the running operation', async () => {
      const first = await accepted();
      const second = newOperation(first.cluster.name, 'op-second');

      const error = await rejectionOf(registry.beginCreate(second, {}));

      expect(error.name).toBe('ClusterBusyError');
      expect(error.runningOperationId).toBe(first.id);
      expect(error.message).toContain(first.id);
    });

    it('makes the name reusable once the first create finished ROLLED_BACK', async () => {
      const first = await accepted();
      await registry.finish(event(first, rolledBack), 'ROLLED_BACK');
      const second = newOperation(first.cluster.name, 'op-retry');

      await registry.beginCreate(second, {});

      expect(await clusterItem(first.cluster.name)).toMatchObject({ status: 'CREATING', lockedBy: 'op-retry' });
    });

    it('refuses the name with ClusterExistsError once the first create finished ACTIVE', async () => {
      const first = await accepted();
      await registry.finish(event(first, succeeded), 'ACTIVE');

      const error = await rejectionOf(registry.beginCreate(newOperation(first.cluster.name, 'op-again'), {}));

      expect(error.name).toBe('ClusterExistsError');
      expect(error.message).toContain('status ACTIVE');
    });

    it('releases the lock on finish', async () => {
      const operation = await accepted();

      await registry.finish(event(operation, rolledBack), 'ROLLED_BACK');

      const cluster = await clusterItem(operation.cluster.name);
      expect(cluster).toMatchObject({ status: 'ROLLED_BACK' });
      expect(cluster).not.toHaveProperty('lockedBy');
    });

    it("leaves another operation's lock alone when an old operation finishes late", async () => {
      const first = await accepted();
      await registry.finish(event(first, rolledBack), 'ROLLED_BACK');
      const second = await accepted(newOperation(first.cluster.name, 'op-now'));

      await registry.finish(event(first, rolledBack), 'ROLLED_BACK');

      expect(await clusterItem(second.cluster.name)).toMatchObject({ status: 'CREATING', lockedBy: 'op-now' });
    });

    it('abandonCreate frees a name whose execution never started', async () => {
      const operation = newOperation();
      await registry.beginCreate(operation, {});

      await registry.abandonCreate(operation);

      expect(await clusterItem(operation.cluster.name)).toBeUndefined();
      await expect(registry.beginCreate(newOperation(operation.cluster.name, 'op-next'), {})).resolves.toBeUndefined();
    });
  });

  describe('operation records', () => {
    it('stores and reads back an operation without its keys', async () => {
      const operation = await accepted();

      const record = await registry.getOperation(operation.id);

      expect(record).toEqual(recordOf(operation));
    });

    it('refuses a second record with the same id', async () => {
      const operation = await accepted();

      const error = await rejectionOf(registry.putOperation(recordOf(operation)));

      expect(error.name).toBe('AwsRequestError');
      expect(error.message).toContain('ConditionalCheckFailedException');
    });

    it('returns undefined for an unknown operation', async () => {
      await expect(registry.getOperation('op-unknown')).resolves.toBeUndefined();
    });

    it('records the execution ARN', async () => {
      const operation = await accepted();

      await registry.setExecution(operation.id, 'arn:aws:states:us-east-1:111122223333:execution:provision-cluster:x');

      expect((await registry.getOperation(operation.id))!.executionArn).toBe('arn:aws:states:us-east-1:111122223333:execution:provision-cluster:x');
    });
  });

  describe('recordProgress', () => {
    it('keys the step timeline by event id, so a retried step overwrites its own entry', async () => {
      const operation = await accepted();
      const started = event(operation, stackStarted, '2026-11-21T10:01:00Z');
      const retried = event(operation, stackStarted, '2026-11-21T10:02:00Z');

      await registry.recordProgress(started);
      await registry.recordProgress(retried);

      const record = await registry.getOperation(operation.id);
      expect(record).toMatchObject({ status: 'IN_PROGRESS', phase: 'ClusterStack', updatedAt: '2026-11-21T10:02:00.000Z' });
      expect(record!.steps).toEqual({ [started.eventId]: { ...stackStarted.step, phase: 'ClusterStack', at: '2026-11-21T10:02:00.000Z' } });
    });

    it('adds a new entry for a new step', async () => {
      const operation = await accepted();

      await registry.recordProgress(event(operation, stackStarted));
      await registry.recordProgress(event(operation, { ...stackStarted, step: { ...stackStarted.step!, status: 'SUCCEEDED' } }));

      expect(Object.keys((await registry.getOperation(operation.id))!.steps)).toHaveLength(2);
    });

    it('does not reopen a finished operation', async () => {
      const operation = await accepted();
      await registry.finish(event(operation, rolledBack), 'ROLLED_BACK');

      await registry.recordProgress(event(operation, stackStarted, '2026-11-21T11:00:00Z'));

      const record = await registry.getOperation(operation.id);
      expect(record).toMatchObject({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess' });
      expect(record!.steps).toEqual({});
    });

    it('writes nothing for an operation it has no record of', async () => {
      const operation = newOperation();

      await registry.recordProgress(event(operation, stackStarted));

      await expect(registry.getOperation(operation.id)).resolves.toBeUndefined();
    });
  });

  describe('finish and the terminal event', () => {
    it('records the terminal status with the error, and returns the record not yet marked sent', async () => {
      const operation = await accepted();

      const record = await registry.finish(event(operation, rolledBack), 'ROLLED_BACK');

      expect(record).toMatchObject({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: rolledBack.error });
      expect(record.terminalEventSent).toBeUndefined();
    });

    it('records outputs of a success', async () => {
      const operation = await accepted();

      const record = await registry.finish(event(operation, succeeded), 'ACTIVE');

      expect(record).toMatchObject({ status: 'SUCCEEDED', outputs: { clusterName: 'x' } });
    });

    it('remembers that the terminal event was sent, so a repeated finish can skip it', async () => {
      const operation = await accepted();
      await registry.finish(event(operation, rolledBack), 'ROLLED_BACK');

      await registry.markTerminalEventSent(operation.id);
      const again = await registry.finish(event(operation, rolledBack), 'ROLLED_BACK');

      expect(again.terminalEventSent).toBe(true);
    });

    it('keeps the first outcome: a later one changes neither the record, its terminal event nor the cluster', async () => {
      const operation = await accepted();
      await registry.finish(event(operation, succeeded), 'ACTIVE');

      const later = await registry.finish(event(operation, rolledBack, '2026-11-21T11:00:00Z'), 'ROLLED_BACK');

      expect(later).toMatchObject({ status: 'SUCCEEDED', outputs: { clusterName: 'x' }, terminalEvent: expect.objectContaining({ status: 'SUCCEEDED' }) });
      expect(later.error).toBeUndefined();
      expect(await clusterItem(operation.cluster.name)).toMatchObject({ status: 'ACTIVE' });
    });

    it('keeps the terminal event on the record until it is marked sent, and releases the lock with the committed cluster status', async () => {
      const operation = await accepted();

      const record = await registry.finish(event(operation, succeeded), 'ACTIVE');

      expect(record).toMatchObject({ terminalEvent: expect.objectContaining({ status: 'SUCCEEDED', eventId: expect.any(String) }), clusterAfter: { status: 'ACTIVE' } });
      const cluster = await clusterItem(operation.cluster.name);
      expect(cluster).toMatchObject({ status: 'ACTIVE' });
      expect(cluster!.lockedBy).toBeUndefined();
    });

    it('releases a lock a crash left held after the commit, from the record alone', async () => {
      const operation = await accepted();
      const record = await registry.finish(event(operation, rolledBack), 'ROLLED_BACK');
      await documents.send(new UpdateCommand({ TableName: TABLE, Key: { pk: `CLUSTER#${operation.cluster.name}`, sk: 'CLUSTER' }, UpdateExpression: 'SET lockedBy = :id, #status = :creating', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':id': operation.id, ':creating': 'CREATING' } }));

      await registry.releaseCluster(record);

      const cluster = await clusterItem(operation.cluster.name);
      expect(cluster).toMatchObject({ status: 'ROLLED_BACK' });
      expect(cluster!.lockedBy).toBeUndefined();
    });

    it('commits a settlement decided on a record only if the record has not moved since', async () => {
      const operation = await accepted();
      const seen = (await registry.getOperation(operation.id))!;
      await registry.recordProgress(event(operation, stackStarted, '2026-11-21T10:01:00Z'));

      const record = await registry.finish(event(operation, { status: 'FAILED', phase: 'Accepted', error: { code: 'ExecutionNeverStarted', message: 'x' } }), 'ROLLED_BACK', undefined, { unchangedSince: seen.updatedAt });

      expect(record).toMatchObject({ status: 'IN_PROGRESS' });
      expect(await clusterItem(operation.cluster.name)).toMatchObject({ lockedBy: operation.id });
    });

    it('refuses progress once the outcome is committed, so its event is never sent', async () => {
      const operation = await accepted();
      await registry.finish(event(operation, succeeded), 'ACTIVE');

      await expect(registry.recordProgress(event(operation, stackStarted, '2026-11-21T11:00:00Z'))).resolves.toBe(false);
    });
  });

  describe('delivering the terminal event', () => {
    it('lets one deliverer at a time claim it, another after the claim went stale or was given back, and none once it is sent', async () => {
      const operation = await accepted();
      await registry.finish(event(operation, succeeded), 'ACTIVE');

      const first = await registry.claimDelivery(operation.id, '2026-11-21T10:06:00.000Z', '2026-11-21T10:01:00.000Z');
      const concurrent = await registry.claimDelivery(operation.id, '2026-11-21T10:06:01.000Z', '2026-11-21T10:01:01.000Z');
      const afterStale = await registry.claimDelivery(operation.id, '2026-11-21T10:12:00.000Z', '2026-11-21T10:07:00.000Z');
      await registry.releaseDelivery(operation.id);
      const afterRelease = await registry.claimDelivery(operation.id, '2026-11-21T10:12:01.000Z', '2026-11-21T10:07:01.000Z');
      await registry.markTerminalEventSent(operation.id);
      const afterSent = await registry.claimDelivery(operation.id, '2026-11-21T11:00:00.000Z', '2026-11-21T10:55:00.000Z');

      expect([first, concurrent, afterStale, afterRelease, afterSent]).toEqual([true, false, true, true, false]);
    });

    it('has nothing to claim before the outcome is committed', async () => {
      const operation = await accepted();

      await expect(registry.claimDelivery(operation.id, '2026-11-21T10:06:00.000Z', '2026-11-21T10:01:00.000Z')).resolves.toBe(false);
    });
  });

  describe('version support notices', () => {
    const noticeOf = (cluster: string, threshold: number) => ({ cluster, clusterCreatedAt: '2026-11-21T10:00:00.000Z', version: '1.34', ending: 'STANDARD_SUPPORT', threshold });

    it('lets one run at a time claim a notice, another after the claim went stale or was given back, and none once it is sent', async () => {
      const { cluster } = await accepted();
      const notice = noticeOf(cluster.name, 30);

      const first = await registry.claimVersionNotice(notice, '2026-11-21T10:06:00.000Z', '2026-11-21T09:06:00.000Z');
      const concurrent = await registry.claimVersionNotice(notice, '2026-11-21T10:06:01.000Z', '2026-11-21T09:06:01.000Z');
      const afterStale = await registry.claimVersionNotice(notice, '2026-11-21T11:07:00.000Z', '2026-11-21T10:07:00.000Z');
      await registry.releaseVersionNotice(notice);
      const afterRelease = await registry.claimVersionNotice(notice, '2026-11-21T11:07:01.000Z', '2026-11-21T10:07:01.000Z');
      await registry.markVersionNoticeSent(notice, '2026-11-21T11:07:02.000Z');
      await registry.releaseVersionNotice(notice);
      const afterSent = await registry.claimVersionNotice(notice, '2026-11-22T11:00:00.000Z', '2026-11-22T10:00:00.000Z');

      expect([first, concurrent, afterStale, afterRelease, afterSent]).toEqual([true, false, true, true, false]);
    });

    it('lists the thresholds sent for a cluster\'s version and ending, not those only claimed nor other versions\'', async () => {
      const { cluster } = await accepted();
      for (const threshold of [90, 30, 7]) await registry.claimVersionNotice(noticeOf(cluster.name, threshold), '2026-11-21T10:00:00.000Z', '2026-11-21T09:00:00.000Z');
      await registry.markVersionNoticeSent(noticeOf(cluster.name, 90), '2026-11-21T10:00:01.000Z');
      await registry.markVersionNoticeSent(noticeOf(cluster.name, 30), '2026-11-21T10:00:01.000Z');
      await registry.claimVersionNotice({ ...noticeOf(cluster.name, 90), version: '1.33' }, '2026-11-21T10:00:00.000Z', '2026-11-21T09:00:00.000Z');
      await registry.markVersionNoticeSent({ ...noticeOf(cluster.name, 90), version: '1.33' }, '2026-11-21T10:00:01.000Z');

      const sent = await registry.versionNoticesSent({ cluster: cluster.name, clusterCreatedAt: '2026-11-21T10:00:00.000Z', version: '1.34', ending: 'STANDARD_SUPPORT' });

      expect(sent.sort()).toEqual([30, 90]);
    });

    it('keeps notices out of the cluster listing and the cluster record', async () => {
      const { cluster } = await accepted();
      await registry.claimVersionNotice(noticeOf(cluster.name, 90), '2026-11-21T10:00:00.000Z', '2026-11-21T09:00:00.000Z');

      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await registry.listClusters({ limit: 50, ...(cursor ? { cursor } : {}) });
        listed.push(...page.items.map((c) => c.name));
        cursor = page.cursor;
      } while (cursor);

      expect(listed.filter((name) => name === cluster.name)).toEqual([cluster.name]);
      expect((await registry.getCluster(cluster.name))?.status).toBe('CREATING');
    });
  });

  describe('the unsettled index', () => {
    const unsettledIds = async () => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await registry.listUnsettled({ limit: 2, ...(cursor ? { cursor } : {}) });
        ids.push(...page.items.map((r) => r.id));
        cursor = page.cursor;
      } while (cursor);
      return ids;
    };

    it('lists an operation from acceptance until its terminal event is sent, through its outcome', async () => {
      const operation = await accepted();
      expect(await unsettledIds()).toContain(operation.id);

      await registry.finish(event(operation, succeeded), 'ACTIVE');
      expect(await unsettledIds()).toContain(operation.id);

      await registry.markTerminalEventSent(operation.id);
      expect(await unsettledIds()).not.toContain(operation.id);
    });
  });

  describe('a start that failed', () => {
    it('lets the same operation be recorded again once marked not started, and only then', async () => {
      const operation = await accepted();
      const again = { ...recordOf(operation), requestedAt: '2026-11-21T10:10:00.000Z', updatedAt: '2026-11-21T10:10:00.000Z' };
      const refused = await rejectionOf(registry.putOperation(again));

      await registry.markNotStarted(operation.id);
      await registry.putOperation(again);

      expect(refused.name).toMatch(/ConditionalCheckFailed|AwsRequestError/);
      const record = await registry.getOperation(operation.id);
      expect(record).toMatchObject({ status: 'ACCEPTED', requestedAt: '2026-11-21T10:10:00.000Z' });
      expect(record!.notStarted).toBeUndefined();
    });
  });

  describe('clusters', () => {
    /** An ACTIVE cluster, as a finished provisioning leaves it. */
    async function activeCluster(owner = 'arn:aws:iam::111122223333:role/portal', name = `cluster-${++sequence}`): Promise<Operation> {
      const operation = { ...newOperation(name), requestedBy: owner };
      await accepted(operation);
      await registry.finish(event(operation, succeeded), 'ACTIVE');
      return operation;
    }
    const updateOf = (created: Operation, id = `op-u-${++sequence}`): Operation => ({ ...created, id, type: 'UPDATE', action: 'UPDATE_NODEGROUP' });

    it('reads a cluster back with its owner, spec, status and version, without its keys', async () => {
      const created = await activeCluster();

      const record = await registry.getCluster(created.cluster.name);

      expect(record).toEqual({ name: created.cluster.name, owner: created.requestedBy, status: 'ACTIVE', spec: { name: created.cluster.name }, lastOperationId: created.id, createdAt: created.requestedAt, updatedAt: '2026-11-21T10:05:00.000Z', version: 2 });
    });

    it('locks an ACTIVE cluster for an update at the version read, and bumps the version', async () => {
      const created = await activeCluster();
      const update = updateOf(created);

      await registry.beginOperation(update, { expectedVersion: 2, from: ['ACTIVE'], to: 'UPDATING' });

      expect(await registry.getCluster(created.cluster.name)).toMatchObject({ status: 'UPDATING', lockedBy: update.id, lastOperationId: update.id, version: 3 });
    });

    it('refuses a second operation while one runs, naming the running one', async () => {
      const created = await activeCluster();
      const first = updateOf(created);
      await registry.beginOperation(first, { expectedVersion: 2, from: ['ACTIVE'], to: 'UPDATING' });

      const error = await rejectionOf(registry.beginOperation(updateOf(created), { expectedVersion: 3, from: ['ACTIVE', 'UPDATING'], to: 'UPDATING' }));

      expect(error).toMatchObject({ name: 'ClusterBusyError', runningOperationId: first.id });
    });

    it('refuses a lock taken on a stale read (optimistic versioning)', async () => {
      const created = await activeCluster();

      const error = await rejectionOf(registry.beginOperation(updateOf(created), { expectedVersion: 1, from: ['ACTIVE'], to: 'UPDATING' }));

      expect(error.name).toBe('ClusterChangedError');
      expect(error.message).toMatch(/version 2/);
    });

    it('refuses a lock from a status the operation does not allow', async () => {
      const created = await activeCluster();

      const error = await rejectionOf(registry.beginOperation(updateOf(created), { expectedVersion: 2, from: ['FAILED'], to: 'DELETING' }));

      expect(error.name).toBe('ClusterChangedError');
      expect(error.message).toMatch(/now ACTIVE/);
    });

    it('stores the new spec when an update finishes, and releases the lock', async () => {
      const created = await activeCluster();
      const update = updateOf(created);
      await registry.beginOperation(update, { expectedVersion: 2, from: ['ACTIVE'], to: 'UPDATING' });
      await registry.putOperation({ ...recordOf(update), type: 'UPDATE' });

      await registry.finish(event(update, succeeded), 'ACTIVE', { name: created.cluster.name, version: '1.33' });

      const record = await registry.getCluster(created.cluster.name);
      expect(record).toMatchObject({ status: 'ACTIVE', spec: { name: created.cluster.name, version: '1.33' }, version: 4 });
      expect(record?.lockedBy).toBeUndefined();
    });

    it('abandonOperation restores the status and frees the lock when the execution never started', async () => {
      const created = await activeCluster();
      const update = updateOf(created);
      await registry.beginOperation(update, { expectedVersion: 2, from: ['ACTIVE'], to: 'DELETING' });

      await registry.abandonOperation(update, 'ACTIVE');

      const record = await registry.getCluster(created.cluster.name);
      expect(record).toMatchObject({ status: 'ACTIVE', version: 4 });
      expect(record?.lockedBy).toBeUndefined();
    });

    it("lists an owner's clusters by name, across the role's sessions, in pages", async () => {
      const owner = `arn:aws:iam::111122223333:role/lister-${++sequence}`;
      const names = ['c-b', 'c-a', 'c-c'].map((n) => `${n}-${sequence}`);
      for (const name of names) await activeCluster(owner, name);
      await activeCluster('arn:aws:iam::111122223333:role/someone-else');

      const session = owner.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/session-1';
      const first = await registry.listClusters({ owner: session, limit: 2 });
      const second = await registry.listClusters({ owner, limit: 2, cursor: first.cursor });

      expect([...first.items, ...second.items].map((c) => c.name)).toEqual([...names].sort());
      expect(second.cursor).toBeUndefined();
    });

    it('leaves deleted and rolled-back clusters out of listings', async () => {
      const owner = `arn:aws:iam::111122223333:role/gone-${++sequence}`;
      const kept = await activeCluster(owner);
      const gone = { ...newOperation(), requestedBy: owner };
      await accepted(gone);
      await registry.finish(event(gone, rolledBack), 'ROLLED_BACK');

      const { items } = await registry.listClusters({ owner, limit: 10 });

      expect(items.map((c) => c.name)).toEqual([kept.cluster.name]);
    });

    it('lists every cluster for an admin (no owner), in pages that together hold them all', async () => {
      const created = await activeCluster();
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await registry.listClusters({ limit: 3, cursor });
        seen.push(...page.items.map((c) => c.name));
        cursor = page.cursor;
      } while (cursor);

      expect(seen).toContain(created.cluster.name);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('fills each page although DynamoDB filters after its limit (operations and gone clusters share the table)', async () => {
      const owner = `arn:aws:iam::111122223333:role/pages-${++sequence}`;
      for (let i = 0; i < 5; i++) {
        const gone = { ...newOperation(), requestedBy: owner };
        await accepted(gone);
        await registry.finish(event(gone, rolledBack), 'ROLLED_BACK');
        await activeCluster(owner);
      }
      const pages: number[] = [];
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await registry.listClusters({ owner, limit: 2, cursor });
        pages.push(page.items.length);
        names.push(...page.items.map((c) => c.name));
        cursor = page.cursor;
      } while (cursor);

      expect(pages.slice(0, 2)).toEqual([2, 2]);
      expect(names).toHaveLength(5);
      expect(new Set(names).size).toBe(5);
      const admin = await registry.listClusters({ limit: 3 });
      expect(admin.items).toHaveLength(3);
    });

    it("lists a cluster's operations newest first", async () => {
      const created = await activeCluster();
      const later = { ...updateOf(created), requestedAt: '2026-11-22T09:00:00.000Z' };
      await registry.putOperation({ ...recordOf(later), type: 'UPDATE' });

      const { items } = await registry.listOperations(created.cluster.name, { limit: 10 });

      expect(items.map((o) => o.id)).toEqual([later.id, created.id]);
    });

    it('refuses a cursor it did not hand out', async () => {
      const error = await rejectionOf(registry.listClusters({ limit: 2, cursor: 'not-a-cursor' }));

      expect(error.name).toBe('InvalidCursorError');
    });

    it("refuses another caller's or another listing's cursor, and a forged one, before reading the table", async () => {
      const owner = `arn:aws:iam::111122223333:role/cursors-${++sequence}`;
      const created = await activeCluster(owner);
      await activeCluster(owner);
      await activeCluster(owner);
      const { cursor } = await registry.listClusters({ owner, limit: 1, caller: owner });
      const forged = encodeCursor({ pk: `CLUSTER#${created.cluster.name}` }, { listing: `OWNER#${owner}`, caller: owner }, { attributes: ['pk', 'sk', 'gsi1sk'] });
      let reads = 0;
      const counted = new DynamoRegistry(() => {
        reads++;
        return documents;
      }, () => TABLE);

      const refused = await Promise.all([
        rejectionOf(counted.listClusters({ owner, limit: 1, cursor, caller: 'arn:aws:iam::111122223333:role/someone-else' })),
        rejectionOf(counted.listClusters({ limit: 1, cursor, caller: owner })),
        rejectionOf(counted.listOperations(created.cluster.name, { limit: 1, cursor, caller: owner })),
        rejectionOf(counted.listClusters({ owner, limit: 1, cursor: forged, caller: owner })),
      ]);

      expect(refused.map((e) => e.name)).toEqual(['InvalidCursorError', 'InvalidCursorError', 'InvalidCursorError', 'InvalidCursorError']);
      expect(reads).toBe(0);
      expect((await counted.listClusters({ owner, limit: 1, cursor, caller: `${owner.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/session-9` })).items).toHaveLength(1);
    });
  });

  it('names an unreachable table AwsRequestError with the registry first', async () => {
    const elsewhere = new DynamoRegistry(() => documents, () => 'no-such-table');

    const error = await rejectionOf(elsewhere.getOperation('op-1'));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toMatch(/^registry no-such-table: ResourceNotFoundException/);
  });
});

describe('DynamoRegistry readyNodes', () => {
  const twoOfTwo = { ready: 2, desired: 2, observedAt: '2026-11-21T10:20:00.000Z' };

  it("records each nodegroup's observation on the cluster record, replacing its own and keeping the others, without adding a version", async () => {
    const operation = await accepted();
    const name = operation.cluster.name;

    await registry.recordReadyNodes(name, { 'ng-a': { ready: 1, desired: 2, observedAt: '2026-11-21T10:15:00.000Z' } });
    await registry.recordReadyNodes(name, { 'ng-b': { ready: 3, desired: 3, observedAt: '2026-11-21T10:16:00.000Z' }, 'ng.dotted': twoOfTwo });
    await registry.recordReadyNodes(name, { 'ng-a': twoOfTwo });
    await registry.recordReadyNodes(name, { 'ng-a': twoOfTwo });

    const cluster = await registry.getCluster(name);
    expect(cluster?.readyNodes).toEqual({ 'ng-a': twoOfTwo, 'ng-b': { ready: 3, desired: 3, observedAt: '2026-11-21T10:16:00.000Z' }, 'ng.dotted': twoOfTwo });
    expect(cluster?.version).toBe(1);
  });

  it('keeps the observations across the lock release and the status the outcome sets', async () => {
    const operation = await accepted();
    await registry.recordReadyNodes(operation.cluster.name, { 'ng-a': twoOfTwo });

    await registry.finish(event(operation, succeeded), 'ACTIVE');

    expect(await registry.getCluster(operation.cluster.name)).toMatchObject({ status: 'ACTIVE', readyNodes: { 'ng-a': twoOfTwo } });
  });

  it("records self-managed nodegroups' versions the same way, kept by the next operation's lock and outcome", async () => {
    const operation = await accepted();
    const name = operation.cluster.name;
    await registry.finish(event(operation, succeeded), 'ACTIVE');

    await registry.recordNodeVersions(name, { batch: { version: '1.32', observedAt: '2026-11-21T10:15:00.000Z' } });
    await registry.recordNodeVersions(name, { other: { version: '1.33', observedAt: '2026-11-21T10:16:00.000Z' } });
    const upgrade = { ...newOperation(), cluster: operation.cluster, type: 'UPGRADE' as const };
    await registry.beginOperation(upgrade, { expectedVersion: (await registry.getCluster(name))!.version, from: ['ACTIVE'], to: 'UPDATING' });
    await registry.recordNodeVersions(name, { batch: { version: '1.33', observedAt: '2026-11-21T10:30:00.000Z' } });
    await registry.putOperation(recordOf(upgrade));
    await registry.finish(event(upgrade, succeeded), 'ACTIVE');

    expect((await registry.getCluster(name))?.nodeVersions).toEqual({ batch: { version: '1.33', observedAt: '2026-11-21T10:30:00.000Z' }, other: { version: '1.33', observedAt: '2026-11-21T10:16:00.000Z' } });
  });

  it('makes no record for a cluster the registry does not have, and no call for nothing observed', async () => {
    await registry.recordReadyNodes('never-created', { 'ng-a': twoOfTwo });
    await registry.recordReadyNodes('never-created', {});

    expect(await clusterItem('never-created')).toBeUndefined();
  });
});
