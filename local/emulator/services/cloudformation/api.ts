/**
 * The CloudFormation actions over awsQuery (Action=X&Version=2010-05-15, lists as `.member.N`),
 * answering the XML shapes the SDK v3 and the AWS CLI deserialize. query/dispatch.ts answers
 * unknown actions with InvalidAction, counts every call (world.calls) and lets fault rules
 * throttle it.
 */
import { formList, formStructList, EmulatorError, type XmlValue } from '../../protocol';
import type { QueryOperation } from '../../query';
import { stsIdentities } from '../sts';
import type { CloudFormationEngine, Stack, StackEvent, StackResource } from './engine';

export const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
export const API_VERSION = '2010-05-15';
const PAGE_SIZE = 100;

/** The request's caller, resolved only by the actions that need it (the identity a stack acts as without a RoleARN). */
type Action = (form: URLSearchParams, engine: CloudFormationEngine, callerArn: () => string) => Record<string, XmlValue>;

const validation = (message: string) => new EmulatorError(400, 'ValidationError', message);

function optional(form: URLSearchParams, name: string): string | undefined {
  return form.get(name) ?? undefined;
}

function booleanParam(form: URLSearchParams, name: string): boolean | undefined {
  const value = form.get(name);
  return value === null ? undefined : value === 'true';
}

/** NextToken: the position, base64-encoded (opaque to callers, as AWS's are). */
function encodeToken(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64');
}

function decodeToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  try {
    const position = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { p?: unknown }).p;
    if (typeof position === 'number' && Number.isInteger(position) && position >= 0) return position;
  } catch {
    // fall through
  }
  throw validation('Invalid NextToken');
}

function page<T>(items: T[], token: string | undefined, size = PAGE_SIZE): { items: T[]; nextToken?: string } {
  const start = decodeToken(token) ?? 0;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, nextToken: encodeToken(start + size) } : { items: slice };
}

// ── Shapes ───────────────────────────────────────────────────────────────────────────────────

function stackShape(stack: Stack): Record<string, XmlValue> {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    Description: stack.description,
    Parameters: stack.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.noEcho ? '****' : p.raw })),
    CreationTime: stack.creationTime,
    DeletionTime: stack.deletionTime,
    LastUpdatedTime: stack.lastUpdatedTime,
    RollbackConfiguration: {},
    StackStatus: stack.status,
    StackStatusReason: stack.statusReason,
    DisableRollback: stack.onFailure === 'DO_NOTHING',
    NotificationARNs: stack.notificationArns,
    TimeoutInMinutes: stack.timeoutInMinutes,
    Capabilities: stack.capabilities,
    // Set when the create completes; kept while the stack exists (a DELETE_FAILED stack still shows them).
    Outputs: stack.outputs.map((o) => ({ ...o })),
    RoleARN: stack.roleArn,
    Tags: stack.tags.map((t) => ({ ...t })),
    EnableTerminationProtection: stack.terminationProtection,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

function eventShape(event: StackEvent): Record<string, XmlValue> {
  return {
    StackId: event.stackId,
    EventId: event.eventId,
    StackName: event.stackName,
    LogicalResourceId: event.logicalResourceId,
    PhysicalResourceId: event.physicalResourceId,
    ResourceType: event.resourceType,
    Timestamp: event.timestamp,
    ResourceStatus: event.resourceStatus,
    ResourceStatusReason: event.resourceStatusReason,
    ResourceProperties: event.resourceProperties,
    ClientRequestToken: event.clientRequestToken,
  };
}

function resourceShape(stack: Stack, resource: StackResource): Record<string, XmlValue> {
  return {
    StackName: stack.stackName,
    StackId: stack.stackId,
    LogicalResourceId: resource.logicalId,
    PhysicalResourceId: resource.physicalId,
    ResourceType: resource.type,
    Timestamp: resource.timestamp,
    ResourceStatus: resource.status,
    ResourceStatusReason: resource.reason,
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

function resourceFilter(form: URLSearchParams, engine: CloudFormationEngine): Array<[Stack, StackResource]> {
  const stackName = optional(form, 'StackName');
  const physicalId = optional(form, 'PhysicalResourceId');
  const logicalId = optional(form, 'LogicalResourceId');
  if (!stackName && !physicalId) throw validation('Either StackName or PhysicalResourceId must be specified.');
  let pairs: Array<[Stack, StackResource]>;
  if (stackName) {
    const stack = engine.require(stackName);
    pairs = [...stack.resources.values()].map((r) => [stack, r]);
  } else {
    const owner = engine.stacks.find((s) => s.status !== 'DELETE_COMPLETE' && [...s.resources.values()].some((r) => r.physicalId === physicalId));
    if (!owner) throw validation(`Stack for ${physicalId} does not exist`);
    pairs = [...owner.resources.values()].map((r) => [owner, r]);
  }
  return logicalId ? pairs.filter(([, r]) => r.logicalId === logicalId) : pairs;
}

// ── Actions ──────────────────────────────────────────────────────────────────────────────────

export const ACTIONS: Record<string, Action> = {
  CreateStack(form, engine, callerArn) {
    const stack = engine.createStack({
      callerArn: callerArn(),
      stackName: optional(form, 'StackName'),
      templateBody: optional(form, 'TemplateBody'),
      templateUrl: optional(form, 'TemplateURL'),
      parameters: formStructList(form, 'Parameters', ['ParameterKey', 'ParameterValue', 'UsePreviousValue']).map((p) => ({
        key: p.ParameterKey ?? '',
        ...(p.ParameterValue !== undefined ? { value: p.ParameterValue } : {}),
      })),
      tags: formStructList(form, 'Tags', ['Key', 'Value']).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
      capabilities: formList(form, 'Capabilities'),
      notificationArns: formList(form, 'NotificationARNs'),
      clientRequestToken: optional(form, 'ClientRequestToken'),
      roleArn: optional(form, 'RoleARN'),
      onFailure: optional(form, 'OnFailure'),
      disableRollback: booleanParam(form, 'DisableRollback'),
      enableTerminationProtection: booleanParam(form, 'EnableTerminationProtection') ?? false,
      ...(form.get('TimeoutInMinutes') !== null ? { timeoutInMinutes: Number(form.get('TimeoutInMinutes')) } : {}),
    });
    return { StackId: stack.stackId };
  },

  UpdateStack(form, engine) {
    const tagged = form.has('Tags') || [...form.keys()].some((k) => k.startsWith('Tags.'));
    const stack = engine.updateStack({
      stackName: optional(form, 'StackName'),
      usePreviousTemplate: booleanParam(form, 'UsePreviousTemplate') ?? false,
      templateBody: optional(form, 'TemplateBody'),
      templateUrl: optional(form, 'TemplateURL'),
      parameters: formStructList(form, 'Parameters', ['ParameterKey', 'ParameterValue', 'UsePreviousValue']).map((p) => ({
        key: p.ParameterKey ?? '',
        ...(p.ParameterValue !== undefined ? { value: p.ParameterValue } : {}),
        ...(p.UsePreviousValue !== undefined ? { usePreviousValue: p.UsePreviousValue === 'true' } : {}),
      })),
      // Tags= (an empty list) removes every stack tag; no Tags at all keeps them.
      ...(tagged ? { tags: formStructList(form, 'Tags', ['Key', 'Value']).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })) } : {}),
      capabilities: formList(form, 'Capabilities'),
      clientRequestToken: optional(form, 'ClientRequestToken'),
    });
    return { StackId: stack.stackId };
  },

  DescribeStacks(form, engine) {
    const name = optional(form, 'StackName');
    const stacks = name ? [engine.require(name)] : engine.stacks.filter((s) => s.status !== 'DELETE_COMPLETE');
    const { items, nextToken } = page(stacks, optional(form, 'NextToken'));
    return { Stacks: items.map(stackShape), NextToken: nextToken };
  },

  DescribeStackEvents(form, engine) {
    const stack = engine.require(optional(form, 'StackName'), (name) => `Stack [${name}] does not exist`);
    const newestFirst = [...stack.events].reverse();
    // Positions count from the oldest event, so pages stay stable while new events arrive.
    const total = stack.events.length;
    const token = optional(form, 'NextToken');
    const remaining = token === undefined ? total : Math.min(decodeToken(token) ?? total, total);
    const start = total - remaining;
    const items = newestFirst.slice(start, start + PAGE_SIZE);
    const left = remaining - items.length;
    return { StackEvents: items.map(eventShape), NextToken: left > 0 ? encodeToken(left) : undefined };
  },

  DescribeStackResources(form, engine) {
    return { StackResources: resourceFilter(form, engine).map(([stack, resource]) => resourceShape(stack, resource)) };
  },

  DescribeStackResource(form, engine) {
    const logicalId = optional(form, 'LogicalResourceId');
    if (!logicalId) throw validation("1 validation error detected: Value null at 'logicalResourceId' failed to satisfy constraint: Member must not be null");
    const stack = engine.require(optional(form, 'StackName'));
    const resource = stack.resources.get(logicalId);
    if (!resource) throw validation(`Resource ${logicalId} does not exist for stack ${stack.stackName}`);
    return {
      StackResourceDetail: { ...resourceShape(stack, resource), Timestamp: undefined, LastUpdatedTimestamp: resource.timestamp, Metadata: JSON.stringify(stack.template.Resources[logicalId]?.Metadata ?? {}) },
    };
  },

  ListStackResources(form, engine) {
    const stack = engine.require(optional(form, 'StackName'));
    const { items, nextToken } = page([...stack.resources.values()], optional(form, 'NextToken'));
    return {
      StackResourceSummaries: items.map((r) => ({
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        LastUpdatedTimestamp: r.timestamp,
        ResourceStatus: r.status,
        ResourceStatusReason: r.reason,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: nextToken,
    };
  },

  ListStacks(form, engine) {
    const filter = formList(form, 'StackStatusFilter');
    const stacks = [...engine.stacks].reverse().filter((s) => filter.length === 0 || filter.includes(s.status));
    const { items, nextToken } = page(stacks, optional(form, 'NextToken'));
    return {
      StackSummaries: items.map((s) => ({
        StackId: s.stackId,
        StackName: s.stackName,
        TemplateDescription: s.description,
        CreationTime: s.creationTime,
        LastUpdatedTime: s.lastUpdatedTime,
        DeletionTime: s.deletionTime,
        StackStatus: s.status,
        StackStatusReason: s.statusReason,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: nextToken,
    };
  },

  DeleteStack(form, engine) {
    engine.deleteStack(optional(form, 'StackName'), optional(form, 'ClientRequestToken'), formList(form, 'RetainResources'));
    return {};
  },

  UpdateTerminationProtection(form, engine) {
    const enabled = form.get('EnableTerminationProtection');
    if (enabled === null) throw validation("1 validation error detected: Value null at 'enableTerminationProtection' failed to satisfy constraint: Member must not be null");
    const stack = engine.setTerminationProtection(optional(form, 'StackName'), enabled === 'true');
    return { StackId: stack.stackId };
  },

  ListExports(form, engine) {
    const all = [...engine.exports].map(([name, { stackId, value }]) => ({ ExportingStackId: stackId, Name: name, Value: value }));
    const { items, nextToken } = page(all, optional(form, 'NextToken'));
    return { Exports: items, NextToken: nextToken };
  },

  GetTemplate(form, engine) {
    const stack = engine.require(optional(form, 'StackName'));
    return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
  },

  ValidateTemplate(form, engine) {
    if (form.get('TemplateURL') !== null) throw validation('TemplateURL is not supported by the local emulator: pass the template as TemplateBody');
    const { template, capability, capabilityTypes } = engine.validateTemplate(optional(form, 'TemplateBody'));
    return {
      Parameters: Object.entries(template.Parameters).map(([key, p]) => ({
        ParameterKey: key,
        DefaultValue: p.Default === undefined ? undefined : Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default),
        NoEcho: p.NoEcho === true || p.NoEcho === 'true',
        Description: p.Description,
      })),
      Description: template.Description,
      Capabilities: capability ? [capability] : [],
      CapabilitiesReason: capability ? `The following resource(s) require capabilities: [${capabilityTypes.join(', ')}]` : undefined,
      DeclaredTransforms: [],
    };
  },
};

/** The operations for query/dispatch.ts over one engine; the caller is resolved only by the actions that ask for it. */
export function operationsOver(engine: CloudFormationEngine): Record<string, QueryOperation> {
  return Object.fromEntries(
    Object.entries(ACTIONS).map(([name, action]) => [name, (world, form, ctx) => action(form, engine, () => stsIdentities(world).identify(ctx.signing.accessKeyId).arn)]),
  );
}
