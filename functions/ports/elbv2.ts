/**
 * The Elastic Load Balancing v2 calls the service makes to clear a cluster's VPC of what a load
 * balancer controller left (functions/step-support/controller-leftovers.ts): the load balancers
 * and target groups of a VPC with their tags, and deleting them. ELBv2 has no tag or VPC filter
 * on its Describe calls: everything is paged through, filtered by VPC here, and tagged with
 * DescribeTags (20 ARNs a call).
 */
import {
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type TagDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isAwsError } from '../shared/errors';
import { once } from '../shared/once';

export interface LoadBalancerDescription {
  arn: string;
  name: string;
  vpcId: string;
  tags: Record<string, string>;
}

export interface TargetGroupDescription {
  arn: string;
  name: string;
  vpcId: string;
  /** The load balancers whose listeners forward to it: it cannot be deleted before they are gone. */
  loadBalancerArns: string[];
  tags: Record<string, string>;
}

export interface Elbv2Port {
  /** The load balancers in the VPC, with their tags. One being deleted is listed until it is gone. */
  describeLoadBalancers(vpcId: string): Promise<LoadBalancerDescription[]>;
  /** The target groups in the VPC, with their tags. */
  describeTargetGroups(vpcId: string): Promise<TargetGroupDescription[]>;
  /** Starts deleting; one already deleted (or being deleted) is accepted, as ELBv2 does. */
  deleteLoadBalancer(arn: string): Promise<void>;
  /** 'in-use' while a listener (of a load balancer still being deleted) forwards to it; one already gone counts as deleted. */
  deleteTargetGroup(arn: string): Promise<'deleted' | 'in-use'>;
}

/** The SDK's names for ELBv2's LoadBalancerNotFound and TargetGroupNotFound. */
const NOT_FOUND = ['LoadBalancerNotFoundException', 'TargetGroupNotFoundException'];

/** DescribeTags takes at most 20 ARNs. */
const TAG_BATCH = 20;

export class SdkElbv2 implements Elbv2Port {
  constructor(private readonly client: () => ElasticLoadBalancingV2Client) {}

  async describeLoadBalancers(vpcId: string): Promise<LoadBalancerDescription[]> {
    const found: Array<Omit<LoadBalancerDescription, 'tags'>> = [];
    let marker: string | undefined;
    do {
      const page = await this.client().send(new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
      for (const lb of page.LoadBalancers ?? []) if (lb.VpcId === vpcId) found.push({ arn: lb.LoadBalancerArn ?? '', name: lb.LoadBalancerName ?? '', vpcId });
      marker = page.NextMarker || undefined;
    } while (marker);
    const tags = await this.tagsOf(found.map((lb) => lb.arn));
    return found.map((lb) => ({ ...lb, tags: tags.get(lb.arn) ?? {} }));
  }

  async describeTargetGroups(vpcId: string): Promise<TargetGroupDescription[]> {
    const found: Array<Omit<TargetGroupDescription, 'tags'>> = [];
    let marker: string | undefined;
    do {
      const page = await this.client().send(new DescribeTargetGroupsCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
      for (const g of page.TargetGroups ?? []) if (g.VpcId === vpcId) found.push({ arn: g.TargetGroupArn ?? '', name: g.TargetGroupName ?? '', vpcId, loadBalancerArns: g.LoadBalancerArns ?? [] });
      marker = page.NextMarker || undefined;
    } while (marker);
    const tags = await this.tagsOf(found.map((g) => g.arn));
    return found.map((g) => ({ ...g, tags: tags.get(g.arn) ?? {} }));
  }

  async deleteLoadBalancer(arn: string): Promise<void> {
    try {
      await this.client().send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    } catch (error) {
      if (!isAwsError(error, 'LoadBalancerNotFoundException')) throw error;
    }
  }

  async deleteTargetGroup(arn: string): Promise<'deleted' | 'in-use'> {
    try {
      await this.client().send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
      return 'deleted';
    } catch (error) {
      if (isAwsError(error, 'ResourceInUseException')) return 'in-use';
      if (isAwsError(error, 'TargetGroupNotFoundException')) return 'deleted';
      throw error;
    }
  }

  /** Tags by ARN. A resource deleted between the Describe and DescribeTags fails the batch: it is asked for again alone, and left out if gone. */
  private async tagsOf(arns: string[]): Promise<Map<string, Record<string, string>>> {
    const tags = new Map<string, Record<string, string>>();
    for (let i = 0; i < arns.length; i += TAG_BATCH) {
      const batch = arns.slice(i, i + TAG_BATCH);
      for (const description of await this.describeTags(batch)) tags.set(description.ResourceArn ?? '', Object.fromEntries((description.Tags ?? []).map((t): [string, string] => [t.Key ?? '', t.Value ?? ''])));
    }
    return tags;
  }

  private async describeTags(arns: string[]): Promise<TagDescription[]> {
    try {
      return (await this.client().send(new DescribeTagsCommand({ ResourceArns: arns }))).TagDescriptions ?? [];
    } catch (error) {
      if (!isAwsError(error, ...NOT_FOUND)) throw error;
      if (arns.length === 1) return [];
      return (await Promise.all(arns.map((arn) => this.describeTags([arn])))).flat();
    }
  }
}

/** The port over the SDK, with its client built once per container. */
export const sdkElbv2 = once((): Elbv2Port => new SdkElbv2(once(() => new ElasticLoadBalancingV2Client({}))));
