import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { OperationStatusEvent, VersionSupportEndingEvent } from '../generated/types';
import { OPERATION_REJECTED_DETAIL_TYPE } from '../domain/operation-request';
import { EVENT_SOURCE, STATUS_DETAIL_TYPE } from '../domain/status-event';
import { VERSION_SUPPORT_ENDING_DETAIL_TYPE } from '../domain/version-support';
import { AwsUnavailableError, classifyAwsError } from '../shared/errors';
import { config } from '../shared/config';
import { once } from '../shared/once';

/** Detail of "EKS Cluster Operation Request Rejected": an event-requested operation that was not accepted. */
export interface RequestRejection {
  /** The id of the requesting event. */
  requestId: string;
  source: string;
  operation: string;
  cluster: string;
  /** The problem the REST API would have answered (status, title, detail, errors). */
  problem: Record<string, unknown>;
  time: string;
}

export interface StatusEventsPort {
  publish(event: OperationStatusEvent): Promise<void>;
  /** Tells an event requester its request was refused: nobody waits on a response to an event. */
  publishRejection(rejection: RequestRejection): Promise<void>;
  /** Tells a cluster's owner its Kubernetes version's support ends soon (the daily version support check). */
  publishVersionSupportEnding(notice: VersionSupportEndingEvent): Promise<void>;
}

export class EventBridgeStatusEvents implements StatusEventsPort {
  constructor(
    private readonly client: () => EventBridgeClient,
    private readonly busName: () => string,
  ) {}

  publish(event: OperationStatusEvent): Promise<void> {
    return this.put(STATUS_DETAIL_TYPE, event);
  }

  publishRejection(rejection: RequestRejection): Promise<void> {
    return this.put(OPERATION_REJECTED_DETAIL_TYPE, rejection);
  }

  publishVersionSupportEnding(notice: VersionSupportEndingEvent): Promise<void> {
    return this.put(VERSION_SUPPORT_ENDING_DETAIL_TYPE, notice);
  }

  private async put(detailType: string, detail: unknown): Promise<void> {
    let result;
    try {
      result = await this.client().send(
        new PutEventsCommand({
          Entries: [{ Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: this.busName(), Resources: [] }],
        }),
      );
    } catch (error) {
      throw classifyAwsError(error, `event bus ${this.busName()}`);
    }
    // PutEvents reports per-entry failures in a 200 response; they are transient (throttling, internal).
    if ((result.FailedEntryCount ?? 0) > 0) {
      const entry = result.Entries?.[0];
      throw new AwsUnavailableError(`PutEvents rejected the ${detailType} event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`, { resource: `event bus ${this.busName()}` });
    }
  }
}

/** The port over the SDK, with its client built once per container. */
export const eventBridgeStatusEvents = once((): StatusEventsPort => new EventBridgeStatusEvents(once(() => new EventBridgeClient({})), config.eventBusName));
