import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from '../../../functions/generated/types';
import { EVENT_SOURCE, STATUS_DETAIL_TYPE, isTerminal, statusEvent, type StatusChange } from '../../../functions/domain/status-event';

const readSchema = (path: string): object => JSON.parse(readFileSync(join(__dirname, '../../../schemas', path), 'utf8'));

const OPERATION: Operation = {
  id: 'op-0001',
  type: 'CREATE',
  cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' },
  requestedBy: 'arn:aws:iam::111122223333:role/platform-portal',
  requestedAt: '2026-11-21T10:00:00.000Z',
};
const NOW = new Date('2026-11-21T10:12:34.000Z');

let validateEvent: ValidateFunction;

beforeAll(() => {
  const ajv = new Ajv({ strict: false });
  ajv.addSchema(readSchema('workflow/workflow-state.schema.json'));
  validateEvent = ajv.compile(readSchema('events/operation-status.schema.json'));
});

const CHANGES: Array<[string, StatusChange]> = [
  ['an accepted operation', { status: 'ACCEPTED', phase: 'Accepted' }],
  ['a step that started', { status: 'IN_PROGRESS', phase: 'ClusterStack', step: { name: 'Create Cluster Stack', status: 'STARTED', resource: 'stack eksp-demo-cluster', startedAt: '2026-11-21T10:00:05.000Z' } }],
  ['a step that ended', { status: 'IN_PROGRESS', phase: 'ComputeAndAccess', step: { name: 'Create Nodegroup', status: 'SUCCEEDED', resource: 'nodegroup ng-general', startedAt: '2026-11-21T10:09:00.000Z', endedAt: '2026-11-21T10:12:30.000Z' } }],
  ['a success with outputs', { status: 'SUCCEEDED', phase: 'Completed', outputs: { ClusterName: 'demo', Endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com' } }],
  ['a failure with its cause', { status: 'FAILED', phase: 'Diagnose', error: { code: 'StackFailedError', message: 'stack eksp-demo-cluster: ROLLBACK_COMPLETE', resource: 'stack eksp-demo-cluster' } }],
  ['a rollback that ended', { status: 'ROLLED_BACK', phase: 'Rollback', error: { code: 'NodegroupFailedError', message: 'nodegroup ng-spot: CREATE_FAILED' } }],
];

describe('statusEvent', () => {
  it('uses the source and detail type consumers subscribe to', () => {
    expect([EVENT_SOURCE, STATUS_DETAIL_TYPE]).toEqual(['eks-provisioner', 'EKS Cluster Operation Status Change']);
  });

  it.each(CHANGES)('builds a detail that matches operation-status.schema.json for %s', (_, change) => {
    const event = statusEvent(OPERATION, change, NOW);

    const valid = validateEvent(event);

    expect(validateEvent.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is checked by a validator that does refuse a wrong phase (the schema check has teeth)', () => {
    const event = { ...statusEvent(OPERATION, { status: 'IN_PROGRESS', phase: 'Plan' }, NOW), phase: 'Polling' };

    expect(validateEvent(event)).toBe(false);
  });

  it('carries the operation, cluster, requester and time', () => {
    const event = statusEvent(OPERATION, { status: 'IN_PROGRESS', phase: 'Plan' }, NOW);

    expect(event).toMatchObject({
      schemaVersion: '1.0',
      operationId: 'op-0001',
      operation: 'CREATE',
      cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' },
      status: 'IN_PROGRESS',
      phase: 'Plan',
      requestedBy: 'arn:aws:iam::111122223333:role/platform-portal',
      time: '2026-11-21T10:12:34.000Z',
    });
  });

  it('leaves out step, error and outputs when the change has none', () => {
    const event = statusEvent(OPERATION, { status: 'ACCEPTED', phase: 'Accepted' }, NOW);

    expect(event).not.toHaveProperty('step');
    expect(event).not.toHaveProperty('error');
    expect(event).not.toHaveProperty('outputs');
  });

  it('gives a re-sent event the same eventId, whenever it is sent, so consumers can drop the duplicate', () => {
    const change = CHANGES[1]![1];

    const first = statusEvent(OPERATION, change, NOW);
    const retried = statusEvent(OPERATION, structuredClone(change), new Date('2026-11-21T10:20:00.000Z'));

    expect(retried.eventId).toBe(first.eventId);
  });

  it.each<[string, StatusChange]>([
    ['another status', { status: 'SUCCEEDED', phase: 'ClusterStack' }],
    ['another phase', { status: 'IN_PROGRESS', phase: 'EndpointAccess' }],
    ['a step', { status: 'IN_PROGRESS', phase: 'ClusterStack', step: { name: 'Create Cluster Stack', status: 'STARTED', startedAt: '2026-11-21T10:00:05.000Z' } }],
    ['the step ending', { status: 'IN_PROGRESS', phase: 'ClusterStack', step: { name: 'Create Cluster Stack', status: 'SUCCEEDED', startedAt: '2026-11-21T10:00:05.000Z' } }],
    ['another resource of the same step', { status: 'IN_PROGRESS', phase: 'ClusterStack', step: { name: 'Create Cluster Stack', status: 'STARTED', resource: 'other', startedAt: '2026-11-21T10:00:05.000Z' } }],
  ])('gives a different eventId to %s', (_, change) => {
    const base = statusEvent(OPERATION, { status: 'IN_PROGRESS', phase: 'ClusterStack' }, NOW);

    const other = statusEvent(OPERATION, change, NOW);

    expect(other.eventId).not.toBe(base.eventId);
  });

  it('gives the same change of another operation a different eventId', () => {
    const change: StatusChange = { status: 'IN_PROGRESS', phase: 'Plan' };

    const other = statusEvent({ ...OPERATION, id: 'op-0002' }, change, NOW);

    expect(other.eventId).not.toBe(statusEvent(OPERATION, change, NOW).eventId);
  });
});

describe('isTerminal', () => {
  it.each([
    ['ACCEPTED', false],
    ['IN_PROGRESS', false],
    ['SUCCEEDED', true],
    ['FAILED', true],
    ['ROLLED_BACK', true],
  ] as const)('says %s is terminal: %s', (status, expected) => {
    expect(isTerminal(status)).toBe(expected);
  });
});
