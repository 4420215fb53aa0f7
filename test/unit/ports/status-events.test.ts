import { EventBridgeClient, EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EVENT_SOURCE, statusEvent, STATUS_DETAIL_TYPE } from '../../../functions/domain/status-event';
import { EventBridgeStatusEvents } from '../../../functions/ports/status-events';
import { rejectionOf } from './port-helpers';

const BUS = 'eks-provisioner';
const event = statusEvent(
  { id: 'op-1', type: 'CREATE', cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/portal', requestedAt: '2026-11-21T10:00:00.000Z' },
  { status: 'IN_PROGRESS', phase: 'Plan' },
  new Date('2026-11-21T10:00:05Z'),
);

function setup() {
  const client = new EventBridgeClient({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new EventBridgeStatusEvents(() => client, () => BUS) };
}

describe('EventBridgeStatusEvents', () => {
  it('puts the event on the bus with the service source and detail type', async () => {
    const { mock, port } = setup();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    await port.publish(event);

    expect(mock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [{ Source: EVENT_SOURCE, DetailType: STATUS_DETAIL_TYPE, Detail: JSON.stringify(event), EventBusName: BUS, Resources: [] }] });
  });

  it('puts a rejection with its own detail type, so requesters of event-triggered operations hear of refusals', async () => {
    const { mock, port } = setup();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
    const rejection = { requestId: 'evt-1', source: 'com.example.portal', operation: 'DELETE_CLUSTER', cluster: 'demo', problem: { status: 404, title: 'Cluster not found' }, time: '2026-11-21T10:00:05.000Z' };

    await port.publishRejection(rejection);

    expect(mock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [{ Source: EVENT_SOURCE, DetailType: 'EKS Cluster Operation Request Rejected', Detail: JSON.stringify(rejection), EventBusName: BUS, Resources: [] }] });
  });

  it('fails with the retryable AwsUnavailableError when PutEvents reports a failed entry in its 200 answer', async () => {
    const { mock, port } = setup();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });

    const error = await rejectionOf(port.publish(event));

    expect(error.name).toBe('AwsUnavailableError');
    expect(error.message).toBe(`event bus ${BUS}: PutEvents rejected the EKS Cluster Operation Status Change event: InternalFailure try again`);
  });

  it('names a refused call AwsRequestError, leading with the bus', async () => {
    const { mock, port } = setup();
    mock.on(PutEventsCommand).rejects(new EventBridgeServiceException({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Event bus eks-provisioner does not exist.' }));

    const error = await rejectionOf(port.publish(event));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toBe(`event bus ${BUS}: ResourceNotFoundException: Event bus eks-provisioner does not exist.`);
  });
});
