import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { OperationStatusEvent } from '../generated/types';
import { EVENT_SOURCE, STATUS_DETAIL_TYPE } from '../domain/status-event';
import { AwsUnavailableError, classifyAwsError } from '../shared/errors';
import { config } from '../shared/config';
import { once } from '../shared/once';

export interface StatusEventsPort {
  publish(event: OperationStatusEvent): Promise<void>;
}

export class EventBridgeStatusEvents implements StatusEventsPort {
  constructor(
    private readonly client: () => EventBridgeClient,
    private readonly busName: () => string,
  ) {}

  async publish(event: OperationStatusEvent): Promise<void> {
    let result;
    try {
      result = await this.client().send(
        new PutEventsCommand({
          Entries: [{ Source: EVENT_SOURCE, DetailType: STATUS_DETAIL_TYPE, Detail: JSON.stringify(event), EventBusName: this.busName(), Resources: [] }],
        }),
      );
    } catch (error) {
      throw classifyAwsError(error, `event bus ${this.busName()}`);
    }
    // PutEvents reports per-entry failures in a 200 response; they are transient (throttling, internal).
    if ((result.FailedEntryCount ?? 0) > 0) {
      const entry = result.Entries?.[0];
      throw new AwsUnavailableError(`PutEvents rejected the status event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`, { resource: `event bus ${this.busName()}` });
    }
  }
}

/** The port over the SDK, with its client built once per container. */
export const eventBridgeStatusEvents = once((): StatusEventsPort => new EventBridgeStatusEvents(once(() => new EventBridgeClient({})), config.eventBusName));
