/** EKS resource tags: TagResource and UntagResource on clusters, nodegroups, Fargate profiles, add-ons, access entries and Pod Identity associations. */
import { EmulatorError } from '../../protocol';
import { EksPart } from './context';

export class Tags extends EksPart {
  taggable(arn: string): { tags: Record<string, string> } {
    for (const cluster of this.clusters.values()) {
      if (cluster.arn === arn) return cluster;
      for (const collection of [cluster.nodegroups, cluster.fargateProfiles, cluster.addons, cluster.accessEntries] as Array<Map<string, { arn: string; tags: Record<string, string> }>>) {
        for (const item of collection.values()) if (item.arn === arn) return item;
      }
      for (const association of cluster.podIdentityAssociations?.values() ?? []) if (association.associationArn === arn) return association;
    }
    throw new EmulatorError(404, 'NotFoundException', `Resource ${arn} was not found`);
  }

  tagResource(arn: string, tags: Record<string, string>): void {
    const resource = this.taggable(arn);
    const next = { ...resource.tags, ...tags };
    if (Object.keys(next).length > 50) throw new EmulatorError(400, 'BadRequestException', 'A resource can have at most 50 tags');
    if (Object.keys(tags).some((k) => k.startsWith('aws:'))) throw new EmulatorError(400, 'BadRequestException', 'Tag keys starting with aws: are reserved');
    resource.tags = next;
  }

  untagResource(arn: string, keys: string[]): void {
    const resource = this.taggable(arn);
    resource.tags = Object.fromEntries(Object.entries(resource.tags).filter(([k]) => !keys.includes(k)));
  }
}
