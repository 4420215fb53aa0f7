/**
 * Root causes a person can act on, from what Step Functions hands the failure path
 * ({Error, Cause}) and from the evidence AWS keeps (stack events, nodegroup health, updates).
 */
import type { ClusterChange, Diagnosis, FailedState, Failure, Phase } from '../generated/types';
import { RETRYABLE_ERRORS, TERMINAL_ERRORS } from '../shared/errors';
import { changeResource } from './cluster-change';
import { clusterStackName } from './naming';

export interface StackEventLike {
  logicalResourceId?: string;
  resourceType?: string;
  resourceStatus?: string;
  resourceStatusReason?: string;
  timestamp?: Date | string;
}

/** CloudFormation's follow-on reasons: they name the symptom, not the cause. */
const CONSEQUENTIAL_REASONS = [/^Resource creation cancelled/i, /^The following resource\(s\) failed to/i, /^Resource update cancelled/i];

/** The first failed resource event (chronologically) whose reason is the cause, not a consequence. */
export function rootCauseFromStackEvents(events: StackEventLike[]): { resource: string; message: string } | undefined {
  const failed = events
    .filter((e) => e.resourceStatus?.endsWith('_FAILED') && e.resourceType !== 'AWS::CloudFormation::Stack')
    .sort((a, b) => new Date(a.timestamp ?? 0).getTime() - new Date(b.timestamp ?? 0).getTime());
  const cause = failed.find((e) => !CONSEQUENTIAL_REASONS.some((r) => r.test(e.resourceStatusReason ?? ''))) ?? failed[0];
  if (!cause) return undefined;
  return {
    resource: `${cause.logicalResourceId} (${cause.resourceType})`,
    message: `${cause.logicalResourceId} (${cause.resourceType}) ${cause.resourceStatus}: ${cause.resourceStatusReason ?? 'no reason given'}`,
  };
}

/** Our errors put the resource first ("nodegroup ng-spot: ..."); the Lambda runtime keeps only name and message. */
const RESOURCE_PREFIX = /^((?:stack|nodes of nodegroup|nodegroup|node|pod|Fargate profile|add-on|update|cluster|subnet|access entry|identity mapping|aws-auth|endpoint access|event bus)\s[^:]*|aws-auth|endpoint access):\s/;

export interface ParsedFailure {
  code: string;
  message: string;
  /** The resource the error's message names first, if it does. */
  resource?: string;
  /** The state that failed, as the Pass state after its Catch recorded it. */
  where?: FailedState;
}

/** A branch's failure, carried whole in the Cause of the Parallel state's own (see the Raise … Failure states). */
function isRaisedFailure(value: unknown): value is Failure & { Where: FailedState } {
  const v = value as Partial<Failure> | null;
  return typeof v === 'object' && v !== null && typeof v.Error === 'string' && typeof v.Where?.State === 'string';
}

function parsedJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: States.* errors and the local runner give the message as plain text.
    return undefined;
  }
}

/**
 * A raised failure as aws-local-stepfunctions (local mode, the ASL tests) hands it on: its
 * intrinsic functions drop every backslash from a string they return, so the JSON of a failure
 * whose Cause is itself JSON arrives unparseable. Where is last and plain (state and item names
 * hold no quotes), Error first: both survive, and the Cause between them is kept as text.
 */
const MANGLED_RAISED_FAILURE = /^\{"Error":"([^"]+)","Cause":"([\s\S]*)","Where":(\{"State":"[^"\\]+"(?:,"Item":"[^"\\]*")?\})\}$/;

function raisedFailure(cause: string | undefined): (Failure & { Where: FailedState }) | undefined {
  const parsed = parsedJson(cause);
  if (isRaisedFailure(parsed)) return parsed;
  const mangled = cause === undefined ? null : MANGLED_RAISED_FAILURE.exec(cause);
  return mangled ? { Error: mangled[1]!, Cause: mangled[2]!, Where: JSON.parse(mangled[3]!) as FailedState } : undefined;
}

/** The innermost failure: the state that failed first, not the Parallel state that passed it on. */
function innermost(failure: Failure): Failure {
  const inner = raisedFailure(failure.Cause);
  return inner ? innermost(inner) : failure;
}

/** A Lambda error's message: from its JSON Cause, or, when that lost its escapes (above), by its field. */
function lambdaMessage(cause: string): string | undefined {
  const parsed = parsedJson(cause) as { errorMessage?: string; ErrorMessage?: string } | undefined;
  if (parsed && typeof parsed === 'object') return parsed.errorMessage ?? parsed.ErrorMessage;
  return /^\{"errorType":"[^"]*","errorMessage":"([\s\S]*)","trace":\[/.exec(cause)?.[1];
}

export function parseFailure(failure: Failure): ParsedFailure {
  const at = innermost(failure);
  const code = at.Error;
  const cause = at.Cause || code;
  const message = lambdaMessage(cause) ?? cause;
  const match = RESOURCE_PREFIX.exec(message);
  return { code, message, ...(match ? { resource: match[1] } : {}), ...(at.Where ? { where: at.Where } : {}) };
}

// ── Where a failure happened ─────────────────────────────────────────────────────────────────

/** What a failed state was working on, for naming it. */
export interface FailureContext {
  cluster: string;
  /** update-cluster's change. */
  change?: ClusterChange;
  /** The Map item (nodegroup, Fargate profile or add-on name). */
  item?: string;
}

interface StateFacts {
  phase: Phase;
  /** The resource a failure in this state concerns, when the error does not name one itself. */
  resource: (at: FailureContext) => string;
}

const theCluster = (at: FailureContext) => `cluster ${at.cluster}`;
const theClusterStack = (at: FailureContext) => `stack ${clusterStackName(at.cluster)}`;
const theItem = (kind: string) => (at: FailureContext) => (at.item ? `${kind} ${at.item}` : theCluster(at));
const theChange = (at: FailureContext) => (at.change ? changeResource(at.change, at.cluster) : theCluster(at));

/**
 * Every state of the four workflows whose failure is caught: the phase it belongs to and what it
 * works on. The ASL test checks that each caught state is here and that its Catch records its name.
 */
export const FAILED_STATES: Record<string, StateFacts> = {
  // provision-cluster
  Plan: { phase: 'Plan', resource: theCluster },
  'Create Cluster Stack': { phase: 'ClusterStack', resource: theClusterStack },
  'Check Cluster Stack': { phase: 'ClusterStack', resource: theClusterStack },
  'Add Compute And Access': { phase: 'ComputeAndAccess', resource: theCluster },
  'Create Nodegroup': { phase: 'ComputeAndAccess', resource: theItem('nodegroup') },
  'Check Nodegroup': { phase: 'ComputeAndAccess', resource: theItem('nodegroup') },
  // A self-managed nodegroup's failure is its stack's: the check names the first resource that failed and why.
  'Create Self-managed Nodegroup': { phase: 'ComputeAndAccess', resource: theItem('nodegroup') },
  'Check Self-managed Nodegroup': { phase: 'ComputeAndAccess', resource: theItem('nodegroup') },
  'Create Fargate Profile': { phase: 'ComputeAndAccess', resource: theItem('Fargate profile') },
  'Check Fargate Profile': { phase: 'ComputeAndAccess', resource: theItem('Fargate profile') },
  'Create Add-on': { phase: 'ComputeAndAccess', resource: theItem('add-on') },
  'Check Add-on': { phase: 'ComputeAndAccess', resource: theItem('add-on') },
  'Map Identities': { phase: 'ComputeAndAccess', resource: theCluster },
  'Create Pod Identity Associations': { phase: 'ComputeAndAccess', resource: theCluster },
  'Check Nodes Ready': { phase: 'ComputeAndAccess', resource: theCluster },
  'Switch Endpoint Access': { phase: 'EndpointAccess', resource: theCluster },
  'Check Endpoint Update': { phase: 'EndpointAccess', resource: theCluster },
  'Collect Outputs': { phase: 'Finalize', resource: theCluster },
  // Finalize, Finalize Update and Finalize Deletion commit the outcome and have no Catch: nothing after it fails an operation.
  // update-cluster
  'Route Change': { phase: 'Update', resource: theChange },
  'Change Nodegroup': { phase: 'Update', resource: theChange },
  'Change Self-managed Nodegroup': { phase: 'Update', resource: theChange },
  // The same step as provisioning's Check Nodes Ready, for the nodegroup the change added or changed.
  'Check Changed Nodes Ready': { phase: 'Update', resource: theChange },
  'Change Fargate Profile': { phase: 'Update', resource: theChange },
  'Change Access': { phase: 'Update', resource: theChange },
  'Change Endpoint Access': { phase: 'Update', resource: theChange },
  'Change Settings': { phase: 'Update', resource: theChange },
  'Change Addon': { phase: 'Update', resource: theChange },
  'Change Pod Identity': { phase: 'Update', resource: theChange },
  // upgrade-cluster
  Preflight: { phase: 'Preflight', resource: theCluster },
  'Upgrade Control Plane': { phase: 'ControlPlane', resource: theCluster },
  'Upgrade Data Plane': { phase: 'DataPlane', resource: theCluster },
  'Upgrade Add-on': { phase: 'DataPlane', resource: theItem('add-on') },
  'Upgrade Nodegroup': { phase: 'DataPlane', resource: theItem('nodegroup') },
  'Upgrade Self-managed Nodegroup': { phase: 'DataPlane', resource: theItem('nodegroup') },
  // delete-cluster
  'Disable Deletion Protection': { phase: 'Teardown', resource: theCluster },
  'Delete Compute': { phase: 'Teardown', resource: theCluster },
  'Check Compute Deletion': { phase: 'Teardown', resource: theCluster },
  'Delete Controller Resources': { phase: 'Teardown', resource: theCluster },
  'Delete Cluster Stack': { phase: 'Teardown', resource: theClusterStack },
  'Check Cluster Stack Deletion': { phase: 'Teardown', resource: theClusterStack },
};

/** Errors our steps throw: their messages already lead with the resource (errors.ts). */
export const OUR_ERRORS = new Set<string>([...TERMINAL_ERRORS, ...RETRYABLE_ERRORS]);

export interface LocatedFailure {
  code: string;
  message: string;
  resource?: string;
  phase: Phase;
  /** The state that failed, when the workflow recorded it. */
  state?: string;
}

/**
 * The failure with where it happened: the phase of the state that failed and the resource it was
 * working on. Errors the service did not raise itself (Lambda.*, States.*, a crash) name neither,
 * so their message becomes "<resource>: <state>: <error>: <cause>" (docs/events.md).
 * `fallbackPhase` is for a failure no state recorded (an execution started before states did).
 */
export function locateFailure(failure: Failure, context: FailureContext, fallbackPhase?: Phase): LocatedFailure {
  const parsed = parseFailure(failure);
  const { code, where } = parsed;
  const facts = where ? FAILED_STATES[where.State] : undefined;
  if (!where || !facts) return { code, message: parsed.message, phase: fallbackPhase ?? phaseOfError(code), ...(parsed.resource ? { resource: parsed.resource } : {}) };
  const resource = parsed.resource ?? facts.resource({ ...context, ...(where.Item ? { item: where.Item } : {}) });
  const said = parsed.message === code ? code : `${code}: ${parsed.message}`;
  const message = OUR_ERRORS.has(code) ? parsed.message : `${resource}: ${where.State}: ${said}`;
  return { code, message, resource, phase: facts.phase, state: where.State };
}

/** Which phase an error belongs to, from its name: shown in the FAILED event. */
export function phaseOfError(code: string): Phase {
  if (code === 'InvalidSpecError') return 'Plan';
  if (code.startsWith('Stack')) return 'ClusterStack';
  if (/^(Nodegroup|FargateProfile|Addon|Kubernetes|Nodes)/.test(code)) return 'ComputeAndAccess';
  if (code.startsWith('EndpointUpdate') || code.startsWith('Update')) return 'EndpointAccess';
  return 'Diagnose';
}

export function diagnosis(code: string, message: string, phase: Phase, resourcesCreated: boolean, resource?: string): Diagnosis {
  return { code, message, phase, resourcesCreated, ...(resource ? { resource } : {}) };
}
