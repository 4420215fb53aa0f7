/**
 * The stack lifecycle, as CloudFormation runs it:
 *
 *   CREATE_IN_PROGRESS ──▶ CREATE_COMPLETE
 *          │ a resource fails (its reason is the root cause; resources still creating are
 *          │ "Resource creation cancelled")
 *          ├─ OnFailure ROLLBACK   ──▶ ROLLBACK_IN_PROGRESS ──▶ ROLLBACK_COMPLETE | ROLLBACK_FAILED
 *          ├─ OnFailure DO_NOTHING ──▶ CREATE_FAILED
 *          └─ OnFailure DELETE     ──▶ DELETE_IN_PROGRESS ──▶ DELETE_COMPLETE | DELETE_FAILED
 *   DeleteStack: DELETE_IN_PROGRESS ──▶ DELETE_COMPLETE (gone from DescribeStacks by name) | DELETE_FAILED
 *   UpdateStack (new stack tags, a template changing only what the emulator changes in place:
 *   stack-update.ts):
 *          UPDATE_IN_PROGRESS ──▶ resources that change UPDATE_IN_PROGRESS ──▶ UPDATE_COMPLETE ──▶
 *          UPDATE_COMPLETE_CLEANUP_IN_PROGRESS ──▶ UPDATE_COMPLETE
 *          │ a resource UPDATE_FAILED (its service refused the change)
 *          └─▶ UPDATE_ROLLBACK_IN_PROGRESS ──▶ the changed resources updated back ──▶
 *              UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS ──▶ UPDATE_ROLLBACK_COMPLETE | UPDATE_ROLLBACK_FAILED
 *
 * Resources are created in dependency order (DependsOn, Ref, Fn::GetAtt, Fn::Sub), independent
 * ones in parallel, each taking its sampled emulated duration; deletion runs in reverse order.
 * Every transition is a stack event; stack status changes also go on the default event bus as
 * "CloudFormation Stack Status Change", as AWS publishes them.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import { EmulatorError } from '../../protocol';
import { trustAllows } from '../sts';
import type { World } from '../../world';
import { addLaunchTemplateVersion } from '../ec2/state';
import { evaluate, NO_VALUE, TemplateError, type EvaluationContext } from './intrinsics';
import { providerFor, reattachRolePolicies, ResourceFailure, updateAutoScalingGroup, type Created, type DeleteContext, type Json, type ProviderContext } from './providers';
import { resourceAttributes, resourceSpec, resourceValidation, takesTags } from './resource-spec';
import { canonical, checkUpdateRequest, inPlacePaths, isAutoScalingGroup, isRole, launchTemplateDataChanged, ownTags, retagged, ROLLING_BACK, tagHolder, tagMap, templateChanges, UPDATABLE, UPDATING, valueAt, withValueAt, type UpdateStackRequest } from './stack-update';
import {
  dependenciesOf,
  dependencyOrder,
  evaluateConditions,
  MAX_TEMPLATE_BODY,
  parseTemplateBody,
  requiredCapabilities,
  resolveParameters,
  type ResolvedParameter,
  type Template,
} from './template';

export interface StackEvent {
  eventId: string;
  stackId: string;
  stackName: string;
  logicalResourceId: string;
  physicalResourceId?: string;
  resourceType: string;
  timestamp: Date;
  resourceStatus: string;
  resourceStatusReason?: string;
  resourceProperties?: string;
  clientRequestToken?: string;
}

export interface StackResource {
  logicalId: string;
  type: string;
  status: string;
  reason?: string;
  physicalId?: string;
  attributes: Json;
  properties: Json;
  timestamp: Date;
  /** The underlying resource exists (its create succeeded, even if the stack had cancelled it). */
  created: boolean;
  /** Settles when the provider's create is over (a cancelled EKS cluster keeps creating). */
  settled: Promise<void>;
  dependencies: Set<string>;
  deletionPolicy?: string;
  /** Emulated seconds the create took: its sampled durations (or, for the EKS backend, the time it took). */
  createSeconds?: number;
  /** When the provider's current wait ends (emulated epoch ms): a restored stack waits out only the rest. */
  dueAt?: number;
}

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

export type OnFailure = 'ROLLBACK' | 'DO_NOTHING' | 'DELETE';

export interface Stack {
  stackId: string;
  stackName: string;
  description?: string;
  templateBody: string;
  template: Template;
  parameters: ResolvedParameter[];
  conditions: Map<string, boolean>;
  tags: Array<{ Key: string; Value: string }>;
  /** While UpdateStack changes the tags: the stack tags before it, which come off the resources. */
  previousTags?: Array<{ Key: string; Value: string }>;
  /** While UpdateStack runs: the resources whose declarations the new template changes in place. */
  retagging?: string[];
  /** While UpdateStack runs: the template before it, which a rollback goes back to. */
  previousTemplate?: { body: string; template: Template };
  capabilities: string[];
  notificationArns: string[];
  roleArn?: string;
  /** Who called CreateStack; the stack acts as them when it has no RoleARN. */
  callerArn?: string;
  timeoutInMinutes?: number;
  onFailure: OnFailure;
  terminationProtection: boolean;
  status: string;
  statusReason?: string;
  creationTime: Date;
  lastUpdatedTime?: Date;
  deletionTime?: Date;
  resources: Map<string, StackResource>;
  events: StackEvent[];
  outputs: StackOutput[];
  createToken?: string;
  deleteTokens: Set<string>;
  /** The token of the operation in progress, stamped on its events. */
  currentToken?: string;
  deleteRequested: boolean;
  retainOnDelete: Set<string>;
  abort: AbortController;
  /** TimeoutInMinutes ran out while creating. */
  timedOut: boolean;
  /** The running operation; tests may await it. */
  work: Promise<void>;
}

export interface CreateStackRequest {
  stackName?: string;
  templateBody?: string;
  templateUrl?: string;
  parameters: Array<{ key: string; value?: string; usePreviousValue?: boolean }>;
  tags: Array<{ Key: string; Value: string }>;
  capabilities: string[];
  notificationArns: string[];
  clientRequestToken?: string;
  roleArn?: string;
  /** The caller's ARN (the API's signer); absent for stacks made in-process (tests). */
  callerArn?: string;
  onFailure?: string;
  disableRollback?: boolean;
  enableTerminationProtection: boolean;
  timeoutInMinutes?: number;
}

const validation = (message: string) => new EmulatorError(400, 'ValidationError', message);
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const TOKEN = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const STACK_TYPE = 'AWS::CloudFormation::Stack';
const DONE_DELETING = new Set(['DELETE_COMPLETE', 'DELETE_SKIPPED']);
/** Statuses of a resource that exists, whose Ref and Fn::GetAtt resolve (a later update re-evaluates against them). */
const EXISTING = new Set(['CREATE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE', 'UPDATE_FAILED']);

const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

/**
 * Who CloudFormation acts as for a stack: the session it gets for the stack's RoleARN (AWS names
 * it AWSCloudFormation), else the CreateStack caller. Undefined for stacks made in-process.
 */
export function actingAs(stack: Pick<Stack, 'roleArn' | 'callerArn'>): string | undefined {
  if (!stack.roleArn) return stack.callerArn;
  const [, account, roleName] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(stack.roleArn) ?? [];
  return account && roleName ? `arn:aws:sts::${account}:assumed-role/${roleName}/AWSCloudFormation` : stack.callerArn;
}

class Cancelled extends Error {
  constructor() {
    super('Resource creation cancelled');
  }
}

/** Races a promise with the stack's abort signal. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof ResourceFailure || error instanceof TemplateError) return error.message;
  return `Internal Failure: ${(error as Error)?.message ?? String(error)}`;
}

/** CloudFormation's part of the World (world.cloudFormation), so it can be saved and restored. */
export class CloudFormationState {
  readonly stacks: Stack[] = [];
  /** Exports of this region: name → the exporting stack and value. */
  readonly exports = new Map<string, { stackId: string; value: string }>();
  /** Export name → ids of the stacks importing it. */
  readonly imports = new Map<string, Set<string>>();
}

/** Statuses a restored stack was interrupted in: its work is started again where it was. */
const IN_PROGRESS = new Set(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'DELETE_IN_PROGRESS']);

export class CloudFormationEngine {
  private readonly state: CloudFormationState;
  /** The resource specification, once loaded (the first stack loads it). */
  private db?: SpecDatabase;

  constructor(private readonly world: World) {
    this.state = world.cloudFormation ??= new CloudFormationState();
  }

  get stacks(): Stack[] {
    return this.state.stacks;
  }

  get exports(): Map<string, { stackId: string; value: string }> {
    return this.state.exports;
  }

  private get imports(): Map<string, Set<string>> {
    return this.state.imports;
  }

  /** Loads the resource specification now rather than at the first CreateStack (~0.6 s of busy event loop). */
  async warmUp(): Promise<void> {
    this.db = await resourceSpec();
  }

  // ── Lookups ────────────────────────────────────────────────────────────────────────────────

  /** By name: the live stack (deleted ones are only found by stack id, as in AWS). */
  find(nameOrId: string): Stack | undefined {
    if (nameOrId.startsWith('arn:')) return this.stacks.find((s) => s.stackId === nameOrId);
    return this.stacks.find((s) => s.stackName === nameOrId && s.status !== 'DELETE_COMPLETE');
  }

  require(nameOrId: string | undefined, message: (name: string) => string = (name) => `Stack with id ${name} does not exist`): Stack {
    const stack = nameOrId ? this.find(nameOrId) : undefined;
    if (!stack) throw validation(message(nameOrId ?? ''));
    return stack;
  }

  // ── CreateStack ────────────────────────────────────────────────────────────────────────────

  createStack(request: CreateStackRequest): Stack {
    const { stackName } = request;
    if (!stackName) throw validation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    if (!STACK_NAME.test(stackName) || stackName.length > 128) {
      throw validation(`1 validation error detected: Value '${stackName}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`);
    }
    const token = request.clientRequestToken;
    if (token !== undefined && (!TOKEN.test(token) || token.length > 128)) {
      throw validation(`1 validation error detected: Value '${token}' at 'clientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][-a-zA-Z0-9]*`);
    }
    const existing = this.find(stackName);
    if (existing) {
      if (token !== undefined && existing.createToken === token) return existing;
      throw new EmulatorError(400, 'AlreadyExistsException', `Stack [${stackName}] already exists`);
    }
    if (request.roleArn !== undefined) this.requireAssumableRole(request.roleArn);
    if (request.templateUrl !== undefined) throw validation('TemplateURL is not supported by the local emulator: pass the template as TemplateBody');
    const body = request.templateBody;
    if (body === undefined) throw validation('Either Template URL or Template Body must be specified.');
    if (Buffer.byteLength(body, 'utf8') > MAX_TEMPLATE_BODY) throw validation(`1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY}`);
    if (request.tags.length > 50) throw validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    if (request.onFailure !== undefined && request.disableRollback !== undefined) throw validation('You cannot specify both DisableRollback and OnFailure.');
    const onFailure = (request.onFailure ?? (request.disableRollback ? 'DO_NOTHING' : 'ROLLBACK')) as OnFailure;
    if (!['ROLLBACK', 'DO_NOTHING', 'DELETE'].includes(onFailure)) {
      throw validation(`1 validation error detected: Value '${onFailure}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`);
    }

    const stackId = this.world.arn('cloudformation', `stack/${stackName}/${randomUUID()}`);
    const template = this.asValidation(() => parseTemplateBody(body));
    const parameters = this.asValidation(() => resolveParameters(template, request.parameters, this.world));
    const stack: Stack = {
      stackId,
      stackName,
      ...(template.Description !== undefined ? { description: template.Description } : {}),
      templateBody: body,
      template,
      parameters,
      conditions: new Map(),
      tags: request.tags,
      capabilities: request.capabilities,
      notificationArns: request.notificationArns,
      ...(request.roleArn ? { roleArn: request.roleArn } : {}),
      ...(request.callerArn ? { callerArn: request.callerArn } : {}),
      ...(request.timeoutInMinutes !== undefined ? { timeoutInMinutes: request.timeoutInMinutes } : {}),
      onFailure,
      terminationProtection: request.enableTerminationProtection,
      status: 'CREATE_IN_PROGRESS',
      creationTime: this.world.clock.now(),
      resources: new Map(),
      events: [],
      outputs: [],
      ...(token !== undefined ? { createToken: token, currentToken: token } : {}),
      deleteTokens: new Set(),
      deleteRequested: false,
      retainOnDelete: new Set(),
      abort: new AbortController(),
      timedOut: false,
      work: Promise.resolve(),
    };
    // Every resource in flight listens for the cancellation.
    setMaxListeners(0, stack.abort.signal);
    stack.conditions = this.asValidation(() => evaluateConditions(template, this.evaluationContext(stack)));
    this.checkCapabilities(template, request.capabilities);

    this.stacks.push(stack);
    this.setStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    stack.work = this.runCreate(stack).catch((error: unknown) => this.setStatus(stack, stack.status.startsWith('DELETE') ? 'DELETE_FAILED' : 'CREATE_FAILED', reasonOf(error)));
    return stack;
  }

  /**
   * Restarts the work of stacks restored in progress (a local mode started on its data dir): a
   * create goes on with the resources it had not finished, each waiting out only what was left of
   * its duration; a rollback or delete deletes what is left. Resources whose providers had not
   * finished made nothing yet (they act after their wait), except an EKS cluster, which is found
   * in the EKS emulator and waited for.
   */
  resume(): void {
    // Providers' contexts read the resource specification: loaded before any resumed work runs.
    const loaded = this.db ? Promise.resolve() : resourceSpec().then((db) => void (this.db = db));
    for (const stack of this.stacks) {
      stack.abort = new AbortController();
      setMaxListeners(0, stack.abort.signal);
      for (const record of stack.resources.values()) record.settled = Promise.resolve();
      if (UPDATING.has(stack.status)) {
        stack.work = loaded.then(() => this.runUpdate(stack)).catch(() => this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE'));
        continue;
      }
      if (!IN_PROGRESS.has(stack.status)) continue;
      const failed = (status: string) => (error: unknown) => this.setStatus(stack, status, reasonOf(error));
      if (stack.status === 'CREATE_IN_PROGRESS') {
        stack.work = loaded.then(() => this.runCreate(stack, true)).catch(failed('CREATE_FAILED'));
      } else if (stack.status === 'ROLLBACK_IN_PROGRESS') {
        stack.work = loaded
          .then(() => this.cancelInterrupted(stack))
          .then(() => this.rollBack(stack))
          .catch(failed('ROLLBACK_FAILED'));
      } else {
        stack.work = loaded
          .then(() => this.cancelInterrupted(stack))
          .then(() => this.runDelete(stack))
          .catch(failed('DELETE_FAILED'));
      }
    }
  }

  /** A restored create that will not go on: resources it was making are cancelled, an EKS cluster is awaited so the delete finds it. */
  private async cancelInterrupted(stack: Stack): Promise<void> {
    for (const record of stack.resources.values()) {
      if (record.status !== 'CREATE_IN_PROGRESS') continue;
      this.reattach(stack, record);
      this.setResourceStatus(stack, record, 'CREATE_FAILED', 'Resource creation cancelled');
    }
    await Promise.all([...stack.resources.values()].map((r) => r.settled));
  }

  /** What a provider left running before the restart (an EKS cluster): `settled` follows it to its end. */
  private reattach(stack: Stack, record: StackResource): Promise<Created> | undefined {
    const work = providerFor(record.type).resume?.(this.resumeContext(stack, record));
    return work && this.track(record, work);
  }

  /**
   * A create in flight: `settled` follows it to its end, cancelled or not, so a rollback or a
   * delete that overtakes it still learns what it made and deletes that too.
   */
  private track(record: StackResource, work: Promise<Created>): Promise<Created> {
    record.settled = work.then(
      (created) => {
        record.physicalId = created.physicalId;
        record.attributes = created.attributes;
        record.created = true;
      },
      () => undefined,
    );
    return work;
  }

  private resumeContext(stack: Stack, record: StackResource): ProviderContext {
    if (!this.db) throw new Error('the resource specification is loaded before stacks resume');
    return this.providerContext(stack, record, this.db, stack.abort.signal);
  }

  private asValidation<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof TemplateError) throw validation(error.message);
      throw error;
    }
  }

  private checkCapabilities(template: Template, given: string[]): void {
    const { capability } = requiredCapabilities(template);
    if (!capability) return;
    if (given.includes('CAPABILITY_NAMED_IAM') || (capability === 'CAPABILITY_IAM' && given.includes('CAPABILITY_IAM'))) return;
    throw new EmulatorError(400, 'InsufficientCapabilitiesException', `Requires capabilities : [${capability}]`);
  }

  /** ValidateTemplate: the template's parameters, description and required capabilities. */
  validateTemplate(body: string | undefined): { template: Template; capability?: string; capabilityTypes: string[] } {
    if (body === undefined) throw validation('Either Template URL or Template Body must be specified.');
    if (Buffer.byteLength(body, 'utf8') > MAX_TEMPLATE_BODY) throw validation(`1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY}`);
    const template = this.asValidation(() => parseTemplateBody(body));
    const { capability, types } = requiredCapabilities(template);
    return { template, ...(capability ? { capability } : {}), capabilityTypes: types };
  }

  // ── Creating ───────────────────────────────────────────────────────────────────────────────

  private async runCreate(stack: Stack, resuming = false): Promise<void> {
    const { template } = stack;
    if (stack.timeoutInMinutes !== undefined && stack.timeoutInMinutes > 0) {
      void this.world.clock.sleepUntil(stack.creationTime.getTime() + stack.timeoutInMinutes * 60_000).then(() => {
        if (stack.status !== 'CREATE_IN_PROGRESS' || stack.abort.signal.aborted) return;
        stack.timedOut = true;
        stack.abort.abort();
      });
    }
    const db = (this.db ??= await resourceSpec());
    const active = Object.keys(template.Resources).filter((id) => {
      const condition = template.Resources[id]?.Condition;
      return condition === undefined || stack.conditions.get(condition) === true;
    });
    const activeSet = new Set(active);
    const order = dependencyOrder(template, active);
    const dependencies = new Map(order.map((id) => [id, [...dependenciesOf(template, id)].filter((d) => activeSet.has(d))]));
    // Resumed: what is complete (or failed) stays so; what was in progress starts again.
    const pending = order.filter((id) => !resuming || (stack.resources.get(id)?.status ?? 'CREATE_IN_PROGRESS') === 'CREATE_IN_PROGRESS');
    const running = new Set<Promise<void>>();
    const signal = stack.abort.signal;
    if (resuming && (stack.timedOut || [...stack.resources.values()].some((r) => r.status === 'CREATE_FAILED'))) {
      stack.abort.abort();
      await this.cancelInterrupted(stack);
    }
    const launch = () => {
      for (const id of [...pending]) {
        if (signal.aborted) return;
        if (!(dependencies.get(id) ?? []).every((d) => stack.resources.get(d)?.status === 'CREATE_COMPLETE')) continue;
        pending.splice(pending.indexOf(id), 1);
        const creation: Promise<void> = this.createResource(stack, id, db, dependencies.get(id) ?? [], resuming ? stack.resources.get(id) : undefined).finally(() => running.delete(creation));
        running.add(creation);
      }
    };
    launch();
    while (running.size > 0) {
      await Promise.race(running);
      launch();
    }
    await Promise.all([...stack.resources.values()].map((r) => r.settled));

    if (stack.deleteRequested) return this.runDelete(stack);
    let failure: string | undefined;
    // In the order they failed: the root cause first, then what was cancelled.
    const failed = stack.events.filter((e) => e.resourceStatus === 'CREATE_FAILED' && e.resourceType !== STACK_TYPE).map((e) => e.logicalResourceId);
    if (stack.timedOut) failure = 'Stack creation time exceeded the specified timeout. ';
    else if (failed.length > 0) failure = `The following resource(s) failed to create: [${failed.join(', ')}]. `;
    else {
      try {
        stack.outputs = this.evaluateOutputs(stack);
      } catch (error) {
        failure = `${reasonOf(error)} `;
      }
    }
    if (!failure) {
      for (const output of stack.outputs) if (output.ExportName) this.exports.set(output.ExportName, { stackId: stack.stackId, value: output.OutputValue });
      this.setStatus(stack, 'CREATE_COMPLETE');
      return;
    }
    stack.outputs = [];
    if (stack.onFailure === 'DO_NOTHING') {
      this.setStatus(stack, 'CREATE_FAILED', failure);
    } else if (stack.onFailure === 'DELETE') {
      this.setStatus(stack, 'DELETE_IN_PROGRESS', `${failure}Delete requested by user.`);
      return this.runDelete(stack);
    } else {
      this.setStatus(stack, 'ROLLBACK_IN_PROGRESS', `${failure}Rollback requested by user.`);
      return this.rollBack(stack);
    }
    if (stack.deleteRequested) {
      this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
      return this.runDelete(stack);
    }
  }

  /** ROLLBACK_IN_PROGRESS: deletes what the create made, then a delete asked for meanwhile. */
  private async rollBack(stack: Stack): Promise<void> {
    const undeleted = await this.deleteResources(stack);
    this.setStatus(stack, undeleted.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE', undeleted.length > 0 ? `The following resource(s) failed to delete: [${undeleted.join(', ')}]. ` : undefined);
    if (stack.deleteRequested) {
      this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
      return this.runDelete(stack);
    }
  }

  private async createResource(stack: Stack, logicalId: string, db: SpecDatabase, dependencies: string[], resumed?: StackResource): Promise<void> {
    const declaration = stack.template.Resources[logicalId];
    if (!declaration) return;
    if (resumed) return this.resumeResource(stack, resumed, db);
    const record: StackResource = {
      logicalId,
      type: declaration.Type,
      status: 'CREATE_IN_PROGRESS',
      attributes: {},
      properties: {},
      timestamp: this.world.clock.now(),
      created: false,
      settled: Promise.resolve(),
      dependencies: new Set(dependencies),
      ...(declaration.DeletionPolicy ? { deletionPolicy: declaration.DeletionPolicy } : {}),
    };
    stack.resources.set(logicalId, record);
    const signal = stack.abort.signal;
    let problem: string | undefined;
    try {
      const resolved = evaluate(declaration.Properties ?? {}, this.evaluationContext(stack));
      record.properties = resolved === NO_VALUE ? {} : (resolved as Json);
    } catch (error) {
      problem = reasonOf(error);
    }
    this.resourceEvent(stack, record, 'CREATE_IN_PROGRESS', undefined, JSON.stringify(record.properties));
    problem ??= resourceValidation(db, logicalId, declaration.Type, record.properties);
    const injected = problem === undefined ? this.world.faults.stackResourceFailure(stack.stackName, logicalId) : undefined;
    const context = this.providerContext(stack, record, db, signal);
    try {
      if (problem !== undefined) throw new ResourceFailure(problem);
      if (injected !== undefined) {
        await context.wait('networkResource');
        throw new ResourceFailure(injected);
      }
    } catch (error) {
      this.createFailed(stack, record, error);
      return;
    }
    await this.finishCreate(stack, record, this.track(record, providerFor(declaration.Type).create(context)), this.world.clock.now().getTime());
  }

  /** Waits for a create in flight and records how it ended. */
  private async finishCreate(stack: Stack, record: StackResource, work: Promise<Created>, startedMs: number): Promise<void> {
    try {
      const created = await abortable(work, stack.abort.signal);
      record.physicalId = created.physicalId;
      record.attributes = created.attributes;
      record.created = true;
      record.createSeconds ??= (this.world.clock.now().getTime() - startedMs) / 1000;
      this.setResourceStatus(stack, record, 'CREATE_COMPLETE');
    } catch (error) {
      this.createFailed(stack, record, error);
    }
  }

  private createFailed(stack: Stack, record: StackResource, error: unknown): void {
    if (error instanceof Cancelled) {
      this.setResourceStatus(stack, record, 'CREATE_FAILED', 'Resource creation cancelled');
      return;
    }
    this.setResourceStatus(stack, record, 'CREATE_FAILED', reasonOf(error));
    // The first failure stops the stack: nothing new starts, what is in flight is cancelled.
    stack.abort.abort();
  }

  /** A resource whose create was under way at the restart: its provider's wait goes on to the same end. */
  private async resumeResource(stack: Stack, record: StackResource, db: SpecDatabase): Promise<void> {
    const context = this.providerContext(stack, record, db, stack.abort.signal, record.dueAt);
    await this.finishCreate(stack, record, this.reattach(stack, record) ?? this.track(record, providerFor(record.type).create(context)), record.timestamp.getTime());
  }

  /**
   * CloudFormation assumes a stack's RoleARN for everything it does to the stack: the role must
   * exist and trust cloudformation.amazonaws.com, or CreateStack fails as in AWS.
   */
  private requireAssumableRole(roleArn: string): void {
    const role = this.world.iam.byArn(roleArn);
    if (!role || !trustAllows(role.assumeRolePolicyDocument, { service: CLOUDFORMATION_SERVICE })) throw validation(`Role ${roleArn} is invalid or cannot be assumed`);
  }

  /** `resumeAt`: the first wait ends then (a restored resource), not after a fresh sample. */
  private providerContext(stack: Stack, record: StackResource, db: SpecDatabase, signal: AbortSignal, resumeAt?: number): ProviderContext {
    const { world } = this;
    let resumeWaitAt = resumeAt;
    const identity = actingAs(stack);
    return {
      world,
      stackName: stack.stackName,
      stackId: stack.stackId,
      logicalId: record.logicalId,
      type: record.type,
      properties: record.properties,
      stackTags: {
        ...Object.fromEntries(stack.tags.map((t) => [t.Key, t.Value])),
        'aws:cloudformation:stack-name': stack.stackName,
        'aws:cloudformation:stack-id': stack.stackId,
      },
      specAttributes: resourceAttributes(db, record.type) ?? [],
      ...(identity ? { actingAs: identity } : {}),
      signal,
      wait: (kind) => {
        if (resumeWaitAt !== undefined) {
          const at = resumeWaitAt;
          resumeWaitAt = undefined;
          return abortable(world.clock.sleepUntil(at), signal);
        }
        const seconds = world.durations.sample(kind, `${stack.stackName}/${record.logicalId}`);
        record.createSeconds = (record.createSeconds ?? 0) + seconds;
        record.dueAt = world.clock.now().getTime() + seconds * 1000;
        return abortable(world.clock.sleepUntil(record.dueAt), signal);
      },
    };
  }

  private evaluateOutputs(stack: Stack): StackOutput[] {
    const context = this.evaluationContext(stack);
    const outputs: StackOutput[] = [];
    const names = new Set<string>();
    for (const [key, declaration] of Object.entries(stack.template.Outputs)) {
      if (declaration.Condition !== undefined && stack.conditions.get(declaration.Condition) !== true) continue;
      const value = evaluate(declaration.Value, context);
      const outputValue = Array.isArray(value) ? value.join(',') : String(value);
      const output: StackOutput = { OutputKey: key, OutputValue: outputValue, ...(declaration.Description !== undefined ? { Description: String(declaration.Description) } : {}) };
      if (declaration.Export !== undefined) {
        const exportName = String(evaluate(declaration.Export.Name, context));
        if (names.has(exportName)) throw new TemplateError(`Template format error: duplicate Export names ${exportName}`);
        names.add(exportName);
        const owner = this.exports.get(exportName);
        if (owner && owner.stackId !== stack.stackId) throw new TemplateError(`Export with name ${exportName} is already exported by stack ${this.stacks.find((s) => s.stackId === owner.stackId)?.stackName ?? owner.stackId}.`);
        if (outputValue === '') throw new TemplateError(`Template error: Output ${key} exports ${exportName} with an empty value.`);
        output.ExportName = exportName;
      }
      outputs.push(output);
    }
    return outputs;
  }

  // ── Deleting ───────────────────────────────────────────────────────────────────────────────

  deleteStack(nameOrId: string | undefined, token: string | undefined, retainResources: string[]): void {
    if (!nameOrId) throw validation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    const stack = this.find(nameOrId);
    if (!stack || stack.status === 'DELETE_COMPLETE') return; // deleting a missing stack succeeds, as in AWS
    if (stack.terminationProtection) throw validation(`Stack [${stack.stackName}] cannot be deleted while TerminationProtection is enabled`);
    if (token !== undefined && stack.deleteTokens.has(token)) return;
    if (stack.status === 'DELETE_IN_PROGRESS') return;
    if (UPDATING.has(stack.status)) throw validation(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`);
    if (retainResources.length > 0) {
      if (stack.status !== 'DELETE_FAILED') throw validation(`Invalid operation on stack [${stack.stackId}]. RetainResources can only be specified when the stack is in the DELETE_FAILED state`);
      for (const id of retainResources) stack.retainOnDelete.add(id);
    }
    if (token !== undefined) stack.deleteTokens.add(token);
    // The delete's events carry its token (or none), not the create's.
    if (token === undefined) delete stack.currentToken;
    else stack.currentToken = token;
    switch (stack.status) {
      case 'CREATE_IN_PROGRESS':
        // The running create cancels what is in flight, then deletes what was made.
        stack.deleteRequested = true;
        this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
        stack.abort.abort();
        return;
      case 'ROLLBACK_IN_PROGRESS':
        stack.deleteRequested = true;
        return;
      default:
        this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
        stack.work = this.runDelete(stack).catch((error: unknown) => this.setStatus(stack, 'DELETE_FAILED', reasonOf(error)));
    }
  }

  private async runDelete(stack: Stack): Promise<void> {
    stack.deletionTime = this.world.clock.now();
    for (const output of stack.outputs) {
      if (!output.ExportName) continue;
      const importers = [...(this.imports.get(output.ExportName) ?? [])]
        .map((id) => this.stacks.find((s) => s.stackId === id))
        .filter((s): s is Stack => s !== undefined && s !== stack && !['DELETE_COMPLETE', 'ROLLBACK_COMPLETE'].includes(s.status));
      if (importers.length > 0) {
        this.setStatus(stack, 'DELETE_FAILED', `Export ${output.ExportName} cannot be deleted as it is in use by ${importers.map((s) => s.stackName).join(', ')}`);
        return;
      }
    }
    const undeleted = await this.deleteResources(stack);
    if (undeleted.length > 0) {
      this.setStatus(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${undeleted.join(', ')}]. `);
      return;
    }
    for (const [name, owner] of this.exports) if (owner.stackId === stack.stackId) this.exports.delete(name);
    for (const importers of this.imports.values()) importers.delete(stack.stackId);
    this.setStatus(stack, 'DELETE_COMPLETE');
  }

  /** Deletes what the stack made (or the resources `only` names), dependents first, independent ones in parallel; returns the ids that failed. */
  private async deleteResources(stack: Stack, only?: Set<string>): Promise<string[]> {
    const targets = [...stack.resources.values()].filter((r) => !DONE_DELETING.has(r.status) && (!only || only.has(r.logicalId)));
    await Promise.all(targets.map((r) => r.settled));
    const remaining = new Set(targets.map((r) => r.logicalId));
    const started = new Set<string>();
    const failed: string[] = [];
    const running = new Set<Promise<void>>();
    const blocked = (id: string) => [...remaining].some((other) => other !== id && stack.resources.get(other)?.dependencies.has(id));
    const launch = () => {
      for (const id of remaining) {
        if (started.has(id) || blocked(id)) continue;
        started.add(id);
        const record = stack.resources.get(id) as StackResource;
        const deletion: Promise<void> = this.deleteResource(stack, record)
          .then((ok) => {
            if (ok) remaining.delete(id);
            else failed.push(id);
          })
          .finally(() => running.delete(deletion));
        running.add(deletion);
      }
    };
    launch();
    while (running.size > 0) {
      await Promise.race(running);
      launch();
    }
    return failed;
  }

  private async deleteResource(stack: Stack, record: StackResource): Promise<boolean> {
    if (record.created && (record.deletionPolicy === 'Retain' || record.deletionPolicy === 'RetainExceptOnCreate' || stack.retainOnDelete.has(record.logicalId))) {
      if (!(record.deletionPolicy === 'RetainExceptOnCreate' && stack.status === 'ROLLBACK_IN_PROGRESS')) {
        this.setResourceStatus(stack, record, 'DELETE_SKIPPED');
        return true;
      }
    }
    if (!record.created) {
      this.setResourceStatus(stack, record, 'DELETE_COMPLETE');
      return true;
    }
    // A delete restored in progress goes on to the end it had; its event was already sent.
    let resumeAt = record.status === 'DELETE_IN_PROGRESS' ? record.dueAt : undefined;
    if (record.status !== 'DELETE_IN_PROGRESS') this.setResourceStatus(stack, record, 'DELETE_IN_PROGRESS');
    const db = (this.db ??= await resourceSpec());
    const never = new AbortController().signal;
    const context: DeleteContext = {
      ...this.providerContext(stack, record, db, never),
      wait: (kind) => {
        if (resumeAt === undefined) record.dueAt = this.world.clock.now().getTime() + this.world.durations.sample(kind, `${stack.stackName}/${record.logicalId} (delete)`) * 1000;
        resumeAt = undefined;
        return this.world.clock.sleepUntil(record.dueAt as number);
      },
      physicalId: record.physicalId as string,
      attributes: record.attributes,
    };
    try {
      await providerFor(record.type).delete(context);
      record.created = false;
      this.setResourceStatus(stack, record, 'DELETE_COMPLETE');
      return true;
    } catch (error) {
      this.setResourceStatus(stack, record, 'DELETE_FAILED', reasonOf(error));
      return false;
    }
  }

  /**
   * The stack's critical path in AWS time: the longest dependency chain of created resources,
   * summing their sampled durations (what AWS would have taken with perfect parallelism).
   */
  criticalPath(nameOrId: string): { seconds: number; resources: string[] } {
    const stack = this.require(nameOrId);
    const memo = new Map<string, { seconds: number; resources: string[] }>();
    const longest = (id: string): { seconds: number; resources: string[] } => {
      const known = memo.get(id);
      if (known) return known;
      const record = stack.resources.get(id);
      const before = [...(record?.dependencies ?? [])].map(longest).reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, resources: [] as string[] });
      const result = { seconds: before.seconds + (record?.createSeconds ?? 0), resources: [...before.resources, id] };
      memo.set(id, result);
      return result;
    };
    return [...stack.resources.keys()].map(longest).reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, resources: [] as string[] });
  }

  // ── Updating (new stack tags, and what changes in place: stack-update.ts) ──────────────────

  updateStack(request: UpdateStackRequest): Stack {
    const stack = this.require(request.stackName, (name) => `Stack [${name}] does not exist`);
    if (!UPDATABLE.has(stack.status)) throw validation(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    checkUpdateRequest(request, stack);
    const body = request.usePreviousTemplate ? undefined : request.templateBody;
    if (body !== undefined && Buffer.byteLength(body, 'utf8') > MAX_TEMPLATE_BODY) throw validation(`1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY}`);
    const template = body === undefined ? stack.template : this.asValidation(() => parseTemplateBody(body));
    const { changed: retagging, removed, removedOutputs } = templateChanges(stack.template, template);
    this.checkExportsUnused(stack, removedOutputs);
    this.checkCapabilities(template, request.capabilities);
    const tags = request.tags ?? stack.tags;
    if (tags.length > 50) throw validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    const before = tagMap(stack.tags);
    const after = tagMap(tags);
    const same = Object.keys(before).length === Object.keys(after).length && Object.entries(after).every(([k, v]) => before[k] === v);
    if (same && retagging.length === 0 && removed.length === 0 && removedOutputs.length === 0) throw validation('No updates are to be performed.');
    stack.previousTags = stack.tags;
    stack.tags = tags.map((t) => ({ ...t }));
    stack.previousTemplate = { body: stack.templateBody, template: stack.template };
    if (body !== undefined) {
      stack.templateBody = body;
      stack.template = template;
    }
    stack.retagging = retagging;
    stack.capabilities = request.capabilities;
    if (request.clientRequestToken === undefined) delete stack.currentToken;
    else stack.currentToken = request.clientRequestToken;
    stack.lastUpdatedTime = this.world.clock.now();
    this.setStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    stack.work = this.runUpdate(stack).catch((error: unknown) => this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE', reasonOf(error)));
    return stack;
  }

  /**
   * Runs an update (or its rollback) to its end: the resources changed one after another, then the
   * stack complete; a resource that fails turns the update into a rollback to the previous
   * template and tags, and a rollback that fails ends UPDATE_ROLLBACK_FAILED.
   */
  private async runUpdate(stack: Stack): Promise<void> {
    const rollingBack = ROLLING_BACK.has(stack.status);
    if (stack.status === 'UPDATE_IN_PROGRESS' || stack.status === 'UPDATE_ROLLBACK_IN_PROGRESS') {
      const failed = await this.updateResources(stack);
      if (failed !== undefined && rollingBack) {
        this.setStatus(stack, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${failed}]. `);
        return;
      }
      if (failed !== undefined) {
        this.startRollback(stack);
        this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', `The following resource(s) failed to update: [${failed}]. `);
        return this.runUpdate(stack);
      }
      this.setStatus(stack, rollingBack ? 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' : 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    }
    if (!rollingBack) await this.cleanUp(stack);
    delete stack.previousTags;
    delete stack.retagging;
    delete stack.previousTemplate;
    this.setStatus(stack, rollingBack ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_COMPLETE');
  }

  /**
   * An update's cleanup: the resources the new template dropped are deleted (dependents first; one
   * whose delete fails is left behind, DELETE_FAILED, and the update still completes, as in
   * CloudFormation), and the outputs it dropped go with their exports.
   */
  private async cleanUp(stack: Stack): Promise<void> {
    const dropped = new Set([...stack.resources.keys()].filter((id) => !(id in stack.template.Resources)));
    if (dropped.size > 0) await this.deleteResources(stack, dropped);
    for (const id of dropped) stack.resources.delete(id);
    const kept = stack.outputs.filter((output) => output.OutputKey in stack.template.Outputs);
    for (const output of stack.outputs) if (!kept.includes(output) && output.ExportName) this.exports.delete(output.ExportName);
    stack.outputs = kept;
  }

  /** CloudFormation refuses to drop an export another stack imports. */
  private checkExportsUnused(stack: Stack, removedOutputs: string[]): void {
    for (const output of stack.outputs) {
      if (!removedOutputs.includes(output.OutputKey) || !output.ExportName) continue;
      const importers = [...(this.imports.get(output.ExportName) ?? [])]
        .map((id) => this.stacks.find((s) => s.stackId === id))
        .filter((s): s is Stack => s !== undefined && s !== stack && !['DELETE_COMPLETE', 'ROLLBACK_COMPLETE'].includes(s.status));
      if (importers.length > 0) throw validation(`Export ${output.ExportName} cannot be deleted as it is in use by ${importers.map((s) => s.stackName).join(', ')}`);
    }
  }

  /** The rollback is an update back to the previous template and tags; the resource that failed is updated back too, as CloudFormation does. */
  private startRollback(stack: Stack): void {
    const [tags, previousTags] = [stack.previousTags ?? stack.tags, stack.tags];
    stack.tags = tags;
    stack.previousTags = previousTags;
    const previous = stack.previousTemplate;
    if (previous) {
      stack.previousTemplate = { body: stack.templateBody, template: stack.template };
      [stack.templateBody, stack.template] = [previous.body, previous.template];
    }
  }

  /**
   * Updates each created resource that changes, one after another in the order they were made
   * (so a launch template's new version is there before the group that names it re-resolves it),
   * each a short wait: the stack tags on those that take them, the in-place changes the template
   * makes (a launch template's new data a new version, a group resized or pointed at a new
   * version, a role's managed policies attached and detached). Returns the logical id of a
   * resource whose service refused its change (UPDATE_FAILED), which ends the pass.
   */
  private async updateResources(stack: Stack): Promise<string | undefined> {
    const db = (this.db ??= await resourceSpec());
    const before = tagMap(stack.previousTags ?? []);
    const after = tagMap(stack.tags);
    const rollingBack = ROLLING_BACK.has(stack.status);
    for (const record of stack.resources.values()) {
      // A resource the new template dropped is left as it is until the cleanup deletes it.
      if (!record.created || record.physicalId === undefined || !(record.logicalId in stack.template.Resources)) continue;
      let properties: Json;
      try {
        properties = this.inPlaceProperties(stack, record);
      } catch (error) {
        this.setResourceStatus(stack, record, 'UPDATE_FAILED', reasonOf(error));
        return record.logicalId;
      }
      // A rollback updates the resource that failed back as well, even when nothing of it changed.
      const templateChanged = canonical(properties) !== canonical(record.properties) || (rollingBack && record.status === 'UPDATE_FAILED');
      const stackTagged = takesTags(db, record.type);
      if (!stackTagged && !templateChanged) continue;
      const holder = tagHolder(this.world, record.type, record.physicalId);
      const next = holder ? retagged(holder.tags, stackTagged ? before : {}, stackTagged ? after : {}, ownTags(record.type, record.properties), ownTags(record.type, properties)) : undefined;
      if (!templateChanged && (!holder || JSON.stringify(next) === JSON.stringify(holder.tags))) continue;
      // A resource restored mid-update waits out the rest of its wait; its event was already sent.
      if (record.status !== 'UPDATE_IN_PROGRESS' || record.dueAt === undefined) {
        record.dueAt = this.world.clock.now().getTime() + this.world.durations.sample('networkResource', `${stack.stackName}/${record.logicalId} (update)`) * 1000;
        this.setResourceStatus(stack, record, 'UPDATE_IN_PROGRESS');
      }
      await this.world.clock.sleepUntil(record.dueAt);
      try {
        if (templateChanged) this.changeInPlace(record, properties);
      } catch (error) {
        this.setResourceStatus(stack, record, 'UPDATE_FAILED', reasonOf(error));
        return record.logicalId;
      }
      if (holder && next) holder.tags = next;
      record.properties = properties;
      stack.retagging = stack.retagging?.filter((id) => id !== record.logicalId);
      this.setResourceStatus(stack, record, 'UPDATE_COMPLETE');
    }
    return undefined;
  }

  /** What the resource's service does for an in-place change of its properties (tags aside, which the caller sets). */
  private changeInPlace(record: StackResource, properties: Json): void {
    const physicalId = record.physicalId as string;
    if (isRole(record.type)) reattachRolePolicies(this.world, physicalId, record.properties.ManagedPolicyArns, properties.ManagedPolicyArns);
    if (launchTemplateDataChanged(record.type, record.properties, properties)) this.newLaunchTemplateVersion(record, properties);
    if (isAutoScalingGroup(record.type)) updateAutoScalingGroup(this.world, physicalId, properties);
  }

  /** The resource's properties with what may change in place (stack-update.ts inPlacePaths) as the stack's template declares it now, evaluated. */
  private inPlaceProperties(stack: Stack, record: StackResource): Json {
    const declared = stack.template.Resources[record.logicalId]?.Properties;
    let properties = record.properties;
    for (const path of inPlacePaths(record.type)) {
      const value = valueAt(declared, path);
      const evaluated = value === undefined ? undefined : evaluate(value, this.evaluationContext(stack));
      properties = withValueAt(properties, path, evaluated === NO_VALUE ? undefined : evaluated);
    }
    return properties;
  }

  /**
   * A launch template whose data changed: CloudFormation creates a new version, which becomes the
   * default and latest; the earlier ones stay (ec2/state.ts).
   */
  private newLaunchTemplateVersion(record: StackResource, properties: Json): void {
    const template = this.world.ec2.other.get(record.physicalId ?? '');
    if (!template) return;
    const version = addLaunchTemplateVersion(template, (properties.LaunchTemplateData ?? {}) as Record<string, unknown>, this.world.clock.now());
    record.attributes = { ...record.attributes, LatestVersionNumber: String(version), DefaultVersionNumber: String(version) };
  }

  setTerminationProtection(nameOrId: string | undefined, enabled: boolean): Stack {
    const stack = this.require(nameOrId, (name) => `Stack [${name}] does not exist`);
    if (stack.status === 'DELETE_IN_PROGRESS' || stack.status === 'DELETE_COMPLETE') {
      throw validation(`Stack [${stack.stackName}] is in ${stack.status} state and can not be updated.`);
    }
    stack.terminationProtection = enabled;
    return stack;
  }

  // ── Intrinsic evaluation against a stack ───────────────────────────────────────────────────

  private evaluationContext(stack: Stack): EvaluationContext {
    const { world } = this;
    const { template } = stack;
    const unresolved = (name: string) => new TemplateError(`Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`);
    return {
      region: world.region,
      ref: (name) => {
        const parameter = stack.parameters.find((p) => p.key === name);
        if (parameter) return parameter.value;
        switch (name) {
          case 'AWS::AccountId':
            return world.account;
          case 'AWS::Region':
            return world.region;
          case 'AWS::StackName':
            return stack.stackName;
          case 'AWS::StackId':
            return stack.stackId;
          case 'AWS::Partition':
            return 'aws';
          case 'AWS::URLSuffix':
            return 'amazonaws.com';
          case 'AWS::NotificationARNs':
            return stack.notificationArns;
        }
        const resource = stack.resources.get(name);
        if (resource?.physicalId !== undefined && EXISTING.has(resource.status)) return resource.physicalId;
        throw unresolved(name);
      },
      getAtt: (logicalId, attribute) => {
        const resource = stack.resources.get(logicalId);
        const declared = template.Resources[logicalId];
        if (!declared) throw new TemplateError(`Template error: instance of Fn::GetAtt references undefined resource ${logicalId}`);
        if (!resource || !EXISTING.has(resource.status)) throw unresolved(logicalId);
        const value = resource.attributes[attribute];
        if (value !== undefined) return value;
        const known = this.db ? resourceAttributes(this.db, resource.type) : undefined;
        if (known?.includes(attribute)) throw new TemplateError(`Template error: the local emulator does not model attribute ${attribute} of ${resource.type} (resource ${logicalId})`);
        throw new TemplateError(`Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`);
      },
      condition: (name) => {
        const value = stack.conditions.get(name);
        if (value === undefined) throw new TemplateError(`Template error: unresolved condition dependency ${name} in Fn::If`);
        return value;
      },
      importValue: (name) => {
        const exported = this.exports.get(name);
        if (!exported) throw new TemplateError(`No export named ${name} found`);
        let importers = this.imports.get(name);
        if (!importers) this.imports.set(name, (importers = new Set()));
        importers.add(stack.stackId);
        return exported.value;
      },
      availabilityZones: (region) => world.availabilityZones(region),
      findInMap: (map, top, second) => {
        const value = template.Mappings[map]?.[top]?.[second];
        if (value === undefined) throw new TemplateError(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
        return value;
      },
    };
  }

  // ── Events ─────────────────────────────────────────────────────────────────────────────────

  private setStatus(stack: Stack, status: string, reason?: string): void {
    stack.status = status;
    if (reason === undefined) delete stack.statusReason;
    else stack.statusReason = reason;
    if (status === 'ROLLBACK_IN_PROGRESS' || status === 'DELETE_IN_PROGRESS') stack.lastUpdatedTime = this.world.clock.now();
    const event = this.pushEvent(stack, { logicalResourceId: stack.stackName, physicalResourceId: stack.stackId, resourceType: STACK_TYPE, resourceStatus: status, ...(reason !== undefined ? { resourceStatusReason: reason } : {}) });
    this.world.busEvents.push({
      bus: 'default',
      source: 'aws.cloudformation',
      detailType: 'CloudFormation Stack Status Change',
      detail: { 'stack-id': stack.stackId, 'status-details': { status, 'detailed-status': '', 'status-reason': reason ?? '' } },
      time: event.timestamp.toISOString(),
      id: randomUUID(),
    });
  }

  private setResourceStatus(stack: Stack, record: StackResource, status: string, reason?: string): void {
    record.status = status;
    if (reason === undefined) delete record.reason;
    else record.reason = reason;
    record.timestamp = this.world.clock.now();
    this.resourceEvent(stack, record, status, reason);
  }

  private resourceEvent(stack: Stack, record: StackResource, status: string, reason?: string, properties?: string): void {
    this.pushEvent(stack, {
      logicalResourceId: record.logicalId,
      ...(record.physicalId !== undefined ? { physicalResourceId: record.physicalId } : { physicalResourceId: '' }),
      resourceType: record.type,
      resourceStatus: status,
      ...(reason !== undefined ? { resourceStatusReason: reason } : {}),
      ...(properties !== undefined ? { resourceProperties: properties } : {}),
    });
  }

  private pushEvent(stack: Stack, event: Omit<StackEvent, 'eventId' | 'stackId' | 'stackName' | 'timestamp'>): StackEvent {
    const full: StackEvent = {
      eventId: randomUUID(),
      stackId: stack.stackId,
      stackName: stack.stackName,
      timestamp: this.world.clock.now(),
      ...event,
      ...(stack.currentToken !== undefined ? { clientRequestToken: stack.currentToken } : {}),
    };
    stack.events.push(full);
    return full;
  }
}

