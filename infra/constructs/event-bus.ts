/**
 * The bus every status event goes to (source `eks-provisioner`), with an archive so a portal
 * that was down, or an auditor, can replay what happened.
 *
 * Guarded by a resource policy: in an account, any principal with events:PutEvents on `*` could
 * otherwise publish on it, forging status events the portals trust or requests as a configured
 * source (acting as its principal). The policy denies PutEvents of the service's sources to every
 * principal but the service's own functions, and of each request source to every principal but
 * the one it is mapped to. Deny, not Allow: an identity policy in the same account is enough to
 * publish, so only an explicit Deny in the bus policy can stop it.
 */
import { ArnFormat, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Archive, CfnEventBus, EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { principalOf } from '../../functions/domain/caller';

export const EVENT_BUS_NAME = 'eks-provisioner';
export const EVENT_SOURCE = 'eks-provisioner';
/** The service's sources: its status events, and every eks-provisioner.* (reserved: operation-request.ts refuses them as request sources). */
export const SERVICE_SOURCES = [EVENT_SOURCE, `${EVENT_SOURCE}.*`];

export interface StatusEventBusProps {
  /** How long status events stay replayable. */
  archiveRetention?: Duration;
}

export class StatusEventBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  /** The bus's ARN from its fixed name: its own policy cannot Fn::GetAtt it (a resource may not depend on itself). */
  readonly arnByName: string;
  private readonly publishers: IRole[] = [];
  private requestSources: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: StatusEventBusProps = {}) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME, description: 'eks-provisioner: EKS cluster operation status events' });
    this.arnByName = Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: EVENT_BUS_NAME, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.archive = this.bus.archive('Archive', {
      description: 'Status events of eks-provisioner operations, replayable',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(90),
    });
    // One policy document on the bus (not one AWS::Events::EventBusPolicy per statement, which
    // CloudFormation would apply concurrently), rendered once every publisher is known.
    (this.bus.node.defaultChild as CfnEventBus).policy = Lazy.any({ produce: () => this.resourcePolicy() });
  }

  /** The one way a function gets to publish: PutEvents on the bus, and a place among the principals the bus policy lets send the service's events. */
  grantPublish(role: IRole): void {
    this.bus.grantPutEventsTo(role);
    this.publishers.push(role);
  }

  /** Request sources (EVENT_SOURCES): each may be sent only by the principal it acts as. */
  restrictRequestSources(sources: Record<string, string>): void {
    this.requestSources = { ...sources };
  }

  private resourcePolicy(): PolicyDocument {
    if (this.publishers.length === 0) throw new Error('the service bus has no publisher: grant one with grantPublish');
    const denyPutEvents = (sid: string, conditions: Record<string, Record<string, unknown>>) =>
      new PolicyStatement({ sid, effect: Effect.DENY, principals: [new AnyPrincipal()], actions: ['events:PutEvents'], resources: [this.arnByName], conditions });
    return new PolicyDocument({
      statements: [
        denyPutEvents('OnlyTheServiceSendsItsEvents', {
          StringLike: { 'events:source': SERVICE_SOURCES },
          ArnNotEquals: { 'aws:PrincipalArn': this.publishers.map((role) => role.roleArn) },
        }),
        ...Object.entries(this.requestSources).map(([source, principal], i) =>
          denyPutEvents(`OnlyItsPrincipalSendsRequestSource${i}`, { StringEquals: { 'events:source': source }, ArnNotLike: { 'aws:PrincipalArn': principalArnPatterns(principal) } }),
        ),
      ],
    });
  }
}

/**
 * What aws:PrincipalArn is for a request sent as `principal`: the role, not the session, for an
 * assumed role (as the API judges ownership, caller.ts), with or without an IAM path, which a
 * mapping written as role/<name> does not show.
 */
export function principalArnPatterns(principal: string): string[] {
  const arn = principalOf(principal);
  const role = /^(arn:[^:]+:iam::\d{12}:role\/)([^/]+)$/.exec(arn);
  return role ? [arn, `${role[1]}*/${role[2]}`] : [arn];
}
