import {
  AlreadyExistsException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStacksCommand,
  StackStatus,
  UpdateStackCommand,
  UpdateTerminationProtectionCommand,
  CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import { classifyAwsError } from '../shared/errors';
import type { StackEventLike } from '../domain/diagnosis';
import { once } from '../shared/once';

export interface StackDescription {
  stackId: string;
  stackName: string;
  status: string;
  statusReason?: string;
  creationTime?: Date;
  outputs: Record<string, string>;
  tags: Record<string, string>;
  terminationProtection: boolean;
}

export interface StackSummary {
  stackName: string;
  status: string;
}

export interface CreateStackRequest {
  stackName: string;
  templateBody: string;
  tags: Record<string, string>;
  clientRequestToken: string;
  roleArn?: string;
  onFailure: 'ROLLBACK' | 'DO_NOTHING';
}

export interface UpdateStackTagsRequest {
  stackName: string;
  /** The stack's new tags, which CloudFormation puts on every resource that takes tags (a resource's own Tags win). */
  tags: Record<string, string>;
  /** A new template body (the current one with resources' tags rewritten); absent, the previous template is kept. Parameters keep their values. */
  template?: { body: string; parameterKeys: string[] };
  clientRequestToken: string;
  roleArn?: string;
}

/** The CloudFormation calls the service makes, nothing more. */
export interface CloudFormationPort {
  /** Returns false when a stack of that name already exists (the caller decides whether it is ours). */
  createStack(request: CreateStackRequest): Promise<boolean>;
  /** undefined when no such stack exists (CloudFormation says ValidationError, not NotFound). */
  describeStack(stackName: string): Promise<StackDescription | undefined>;
  /** Every stack not yet DELETE_COMPLETE whose name starts with `namePrefix`: ListStacks has no name filter, so all are paged through. */
  listStacks(namePrefix: string): Promise<StackSummary[]>;
  /** Newest first, as CloudFormation returns them; at most `limit` events. */
  stackEvents(stackName: string, limit?: number): Promise<StackEventLike[]>;
  deleteStack(stackName: string, clientRequestToken: string, roleArn?: string): Promise<void>;
  setTerminationProtection(stackName: string, enabled: boolean): Promise<void>;
  /** The stack's current template body as it was submitted (GetTemplate, Original stage); undefined when no such stack exists. */
  getTemplate(stackName: string): Promise<string | undefined>;
  /**
   * UpdateStack with new stack tags and the previous template or one that differs only in its
   * resources' tags. False when nothing would change (CloudFormation's "No updates are to be performed.").
   */
  updateStackTags(request: UpdateStackTagsRequest): Promise<boolean>;
}

/** ListStacks keeps DELETE_COMPLETE stacks for 90 days: filtering them out server-side keeps the pages few. */
const EXISTING_STACK_STATUSES = Object.values(StackStatus).filter((status) => status !== StackStatus.DELETE_COMPLETE);

function isMissingStack(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}

export class SdkCloudFormation implements CloudFormationPort {
  constructor(private readonly client: () => CloudFormationClient) {}

  async createStack(request: CreateStackRequest): Promise<boolean> {
    try {
      await this.client().send(
        new CreateStackCommand({
          StackName: request.stackName,
          TemplateBody: request.templateBody,
          Capabilities: ['CAPABILITY_IAM'],
          Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
          ClientRequestToken: request.clientRequestToken,
          RoleARN: request.roleArn,
          OnFailure: request.onFailure,
          EnableTerminationProtection: true,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsException || (error as { name?: string }).name === 'AlreadyExistsException') return false;
      throw classifyAwsError(error, `stack ${request.stackName}`);
    }
  }

  async describeStack(stackName: string): Promise<StackDescription | undefined> {
    try {
      const { Stacks } = await this.client().send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = Stacks?.[0];
      if (!stack) return undefined;
      return {
        stackId: stack.StackId ?? stackName,
        stackName: stack.StackName ?? stackName,
        status: stack.StackStatus ?? 'UNKNOWN',
        statusReason: stack.StackStatusReason,
        creationTime: stack.CreationTime,
        outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
        tags: Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        terminationProtection: stack.EnableTerminationProtection ?? false,
      };
    } catch (error) {
      if (isMissingStack(error)) return undefined;
      throw classifyAwsError(error, `stack ${stackName}`);
    }
  }

  async listStacks(namePrefix: string): Promise<StackSummary[]> {
    const stacks: StackSummary[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client().send(new ListStacksCommand({ StackStatusFilter: EXISTING_STACK_STATUSES, NextToken: nextToken }));
        for (const s of page.StackSummaries ?? []) {
          if (s.StackName?.startsWith(namePrefix) && s.StackStatus !== StackStatus.DELETE_COMPLETE) stacks.push({ stackName: s.StackName, status: s.StackStatus ?? 'UNKNOWN' });
        }
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      throw classifyAwsError(error, `stacks ${namePrefix}*`);
    }
    return stacks;
  }

  async stackEvents(stackName: string, limit = 300): Promise<StackEventLike[]> {
    const events: StackEventLike[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client().send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: nextToken }));
        for (const e of page.StackEvents ?? []) {
          events.push({ logicalResourceId: e.LogicalResourceId, resourceType: e.ResourceType, resourceStatus: e.ResourceStatus, resourceStatusReason: e.ResourceStatusReason, timestamp: e.Timestamp });
        }
        nextToken = page.NextToken;
      } while (nextToken && events.length < limit);
    } catch (error) {
      if (isMissingStack(error)) return events;
      throw classifyAwsError(error, `stack ${stackName}`);
    }
    return events;
  }

  async deleteStack(stackName: string, clientRequestToken: string, roleArn?: string): Promise<void> {
    try {
      await this.client().send(new DeleteStackCommand({ StackName: stackName, ClientRequestToken: clientRequestToken, RoleARN: roleArn }));
    } catch (error) {
      throw classifyAwsError(error, `stack ${stackName}`);
    }
  }

  async getTemplate(stackName: string): Promise<string | undefined> {
    try {
      const { TemplateBody } = await this.client().send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
      return TemplateBody;
    } catch (error) {
      if (isMissingStack(error)) return undefined;
      throw classifyAwsError(error, `stack ${stackName}`);
    }
  }

  async updateStackTags(request: UpdateStackTagsRequest): Promise<boolean> {
    const { stackName, tags, template } = request;
    try {
      await this.client().send(
        new UpdateStackCommand({
          StackName: stackName,
          ...(template
            ? { TemplateBody: template.body, Parameters: template.parameterKeys.map((ParameterKey) => ({ ParameterKey, UsePreviousValue: true })) }
            : { UsePreviousTemplate: true }),
          // The stacks hold IAM roles: CloudFormation asks for the capability on every update.
          Capabilities: ['CAPABILITY_IAM'],
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          ClientRequestToken: request.clientRequestToken,
          RoleARN: request.roleArn,
        }),
      );
      return true;
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e?.name === 'ValidationError' && /No updates are to be performed/.test(e.message ?? '')) return false;
      throw classifyAwsError(error, `stack ${stackName}`);
    }
  }

  async setTerminationProtection(stackName: string, enabled: boolean): Promise<void> {
    try {
      await this.client().send(new UpdateTerminationProtectionCommand({ StackName: stackName, EnableTerminationProtection: enabled }));
    } catch (error) {
      if (isMissingStack(error)) return;
      throw classifyAwsError(error, `stack ${stackName}`);
    }
  }
}

/** The port over the SDK, with its client built once per container. */
export const sdkCloudFormation = once((): CloudFormationPort => new SdkCloudFormation(once(() => new CloudFormationClient({}))));
