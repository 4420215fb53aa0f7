/**
 * The bus every status event goes to (source `eks-provisioner`), with an archive so a portal
 * that was down, or an auditor, can replay what happened.
 */
import { Duration } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export const EVENT_BUS_NAME = 'eks-provisioner';
export const EVENT_SOURCE = 'eks-provisioner';

export interface StatusEventBusProps {
  /** How long status events stay replayable. */
  archiveRetention?: Duration;
}

export class StatusEventBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: StatusEventBusProps = {}) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME, description: 'eks-provisioner: EKS cluster operation status events' });
    this.archive = this.bus.archive('Archive', {
      description: 'Status events of eks-provisioner operations, replayable',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(90),
    });
  }
}
