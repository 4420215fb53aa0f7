/**
 * UpdateStack as far as the local emulator takes it: the same template (UsePreviousTemplate, or
 * the same body) and the same parameter values, with new stack tags. CloudFormation then tags
 * every resource that takes tags with the new stack tags (and takes the old ones off), each
 * resource UPDATE_IN_PROGRESS → UPDATE_COMPLETE, the stack UPDATE_IN_PROGRESS →
 * UPDATE_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_COMPLETE; when nothing would change, the call
 * fails with "No updates are to be performed.". This module has the rules and where each
 * resource type keeps its tags; engine.ts runs the update.
 */
import { EmulatorError } from '../../protocol';
import type { World } from '../../world';

export interface UpdateStackRequest {
  stackName?: string;
  usePreviousTemplate: boolean;
  templateBody?: string;
  templateUrl?: string;
  parameters: Array<{ key: string; value?: string; usePreviousValue?: boolean }>;
  /** Undefined: the stack keeps its tags (as AWS does when Tags is not passed). */
  tags?: Array<{ Key: string; Value: string }>;
  capabilities: string[];
  clientRequestToken?: string;
}

/** Stack statuses UpdateStack starts from (AWS lists these as the stable, updatable ones). */
export const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
/** A stack saved in one of these resumes its tag update after a restart. */
export const UPDATING = new Set(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS']);

const validation = (message: string) => new EmulatorError(400, 'ValidationError', message);

/** The tag list as a map. */
export function tagMap(tags: ReadonlyArray<{ Key: string; Value: string }>): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/**
 * What the update keeps of the stack: it must be the same template and the same parameter values,
 * since the local emulator does not replace or modify resources; new tags are the change.
 */
export function checkSameTemplate(
  request: UpdateStackRequest,
  stack: { templateBody: string; parameters: Array<{ key: string; raw: string }> },
): void {
  if (request.usePreviousTemplate && (request.templateBody !== undefined || request.templateUrl !== undefined)) {
    throw validation('You cannot specify both usePreviousTemplate and Template Body/Template URL');
  }
  if (!request.usePreviousTemplate) {
    if (request.templateUrl !== undefined) throw validation('TemplateURL is not supported by the local emulator: pass the template as TemplateBody');
    if (request.templateBody === undefined) throw validation('Either Template URL or Template Body must be specified.');
    if (request.templateBody !== stack.templateBody) throw validation('The local emulator updates a stack\'s tags only: pass the same template (or UsePreviousTemplate)');
  }
  for (const given of request.parameters) {
    const current = stack.parameters.find((p) => p.key === given.key);
    if (!current) throw validation(`Parameters: [${given.key}] do not exist in the template`);
    if (given.usePreviousValue === true && given.value !== undefined) throw validation(`Invalid input for parameter key ${given.key}. Cannot specify usePreviousValue as true and non empty value for a parameter`);
    if (given.usePreviousValue !== true && given.value !== current.raw) throw validation('The local emulator updates a stack\'s tags only: parameter values must stay the same (UsePreviousValue)');
  }
}

/**
 * A resource's tags after the stack tags change from `before` to `after`: the old stack tags come
 * off, the new ones go on, and the resource's own Tags from the template still win over both.
 */
export function retagged(current: Record<string, string>, before: Record<string, string>, after: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const next = { ...current };
  for (const key of Object.keys(before)) if (!(key in after) && !(key in own)) delete next[key];
  return { ...next, ...after, ...own };
}

/** Where a resource of a stack keeps its tags in the emulated account, when its type takes them. */
export function tagHolder(world: World, type: string, physicalId: string): { tags: Record<string, string> } | undefined {
  switch (type) {
    case 'AWS::EC2::VPC':
      return world.ec2.vpcs.get(physicalId);
    case 'AWS::EC2::Subnet':
      return world.ec2.subnets.get(physicalId);
    case 'AWS::EC2::SecurityGroup':
      return world.ec2.securityGroups.get(physicalId);
    case 'AWS::IAM::Role':
      return world.iam.roles.get(physicalId);
    case 'AWS::EKS::Cluster':
      return world.eks?.clusterTagsForStack?.(physicalId);
    default: {
      const other = world.ec2.other.get(physicalId);
      return other?.type === type ? other : undefined;
    }
  }
}
