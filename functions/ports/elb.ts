/**
 * The Elastic Load Balancing (Classic) calls the service makes to clear a cluster's VPC of the
 * load balancers the in-tree Kubernetes service controller left (functions/step-support/
 * controller-leftovers.ts): the Classic Load Balancers of a VPC with their tags, and deleting
 * them. Like ELBv2, the Classic API has no tag or VPC filter on DescribeLoadBalancers:
 * everything is paged through, filtered by VPC here, and tagged with DescribeTags (20 names a
 * call). Classic Load Balancers are named, not ARN'd, in their API.
 */
import { DeleteLoadBalancerCommand, DescribeLoadBalancersCommand, DescribeTagsCommand, ElasticLoadBalancingClient, type TagDescription } from '@aws-sdk/client-elastic-load-balancing';
import { isAwsError } from '../shared/errors';
import { once } from '../shared/once';

export interface ClassicLoadBalancerDescription {
  name: string;
  vpcId: string;
  tags: Record<string, string>;
}

export interface ElbPort {
  /** The Classic Load Balancers in the VPC, with their tags. One deleted is gone at once (its interfaces go some seconds later). */
  describeLoadBalancers(vpcId: string): Promise<ClassicLoadBalancerDescription[]>;
  /** Deletes it; one already gone is accepted, as ELB does. */
  deleteLoadBalancer(name: string): Promise<void>;
}

/** DescribeTags takes at most 20 names. */
const TAG_BATCH = 20;

export class SdkElb implements ElbPort {
  constructor(private readonly client: () => ElasticLoadBalancingClient) {}

  async describeLoadBalancers(vpcId: string): Promise<ClassicLoadBalancerDescription[]> {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.client().send(new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
      for (const lb of page.LoadBalancerDescriptions ?? []) if (lb.VPCId === vpcId && lb.LoadBalancerName) names.push(lb.LoadBalancerName);
      marker = page.NextMarker || undefined;
    } while (marker);
    const tags = new Map<string, Record<string, string>>();
    for (let i = 0; i < names.length; i += TAG_BATCH) {
      for (const description of await this.describeTags(names.slice(i, i + TAG_BATCH))) {
        tags.set(description.LoadBalancerName ?? '', Object.fromEntries((description.Tags ?? []).map((t): [string, string] => [t.Key ?? '', t.Value ?? ''])));
      }
    }
    // One deleted between the two calls has no tags left to read: it is not listed.
    return names.filter((name) => tags.has(name)).map((name) => ({ name, vpcId, tags: tags.get(name)! }));
  }

  async deleteLoadBalancer(name: string): Promise<void> {
    await this.client().send(new DeleteLoadBalancerCommand({ LoadBalancerName: name }));
  }

  /** A load balancer deleted between the Describe and DescribeTags fails the batch: each is asked for again alone, and left out if gone. */
  private async describeTags(names: string[]): Promise<TagDescription[]> {
    try {
      return (await this.client().send(new DescribeTagsCommand({ LoadBalancerNames: names }))).TagDescriptions ?? [];
    } catch (error) {
      if (!isAwsError(error, 'AccessPointNotFoundException')) throw error;
      if (names.length === 1) return [];
      return (await Promise.all(names.map((name) => this.describeTags([name])))).flat();
    }
  }
}

/** The port over the SDK, with its client built once per container. */
export const sdkElb = once((): ElbPort => new SdkElb(once(() => new ElasticLoadBalancingClient({}))));
