/** Inputs the step tests share: one operation, specs built the way Plan builds them, and stack state as Check Cluster Stack leaves it. */
import { renderClusterTemplate } from '../../../functions/domain/cluster-template';
import { clusterStackName, ownershipTags, TAG_OPERATION } from '../../../functions/domain/naming';
import { normaliseSpec, type Spec } from '../../../functions/domain/spec';
import type { StackEventLike } from '../../../functions/domain/diagnosis';
import type { Failure, FailureState, ProvisionState, ResourceItem, StackOutputs, StackState } from '../../../functions/generated/types';
import type { Deps } from '../../../functions/shared/deps';
import { FakeAws, KUBE_AGENT_CODE, PERMISSIONS_BOUNDARY_ARN, POD_ROLE_BOUNDARY_ARN } from '../../support/fake-aws';
import { operationFor } from '../../support/provision-run';

export const CLUSTER = 'demo';
export const STACK = clusterStackName(CLUSTER);
export const operation = operationFor(CLUSTER);
/** FakeAws's clock starts here; every describe moves it on by its tickSeconds. */
export const T0 = new Date('2026-11-21T10:00:00Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const GUARDRAILS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };

/** A normalised spec: a new VPC and no access for the owner (tests of it say so) unless the overrides say otherwise. */
export function specOf(overrides: Record<string, unknown> = {}): Spec {
  return normaliseSpec({ name: CLUSTER, network: { vpc: {} }, ownerAccess: 'none', ...overrides }, GUARDRAILS);
}

export const EXISTING_SUBNETS = { private: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'], public: ['subnet-0bbb0000000000001', 'subnet-0bbb0000000000002'] };

/** A FakeAws with some resources taking a different number of describes, an operation record seeded. */
export function fakeAws(options: { durations?: Partial<FakeAws['durations']>; tickSeconds?: number; faults?: ConstructorParameters<typeof FakeAws>[0] } = {}): FakeAws {
  const defaults = new FakeAws().durations;
  const aws = new FakeAws(options.faults ?? {}, { ...defaults, ...options.durations }, options.tickSeconds ?? 60);
  aws.seedOperation(operation);
  return aws;
}

/** Deps whose clock reads a fixed time: "the check runs N minutes after the resource started". */
export function depsAt(aws: FakeAws, now: Date): Deps {
  return { ...aws.deps(), clock: () => new Date(now) };
}

/** Forget the calls made while arranging, so assertions see only the Act's. */
export function forgetCalls(aws: FakeAws): void {
  aws.calls.length = 0;
  aws.events.length = 0;
}

/** Outputs named exactly as the rendered cluster template names them, with recognisable values. */
export function outputsFor(spec: Spec): StackOutputs {
  const template = renderClusterTemplate({ spec, stackName: STACK, tags: {}, kubeAgentCode: KUBE_AGENT_CODE, existingVpcId: 'vpc-0ccc0000000000001', permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN, podRoleBoundaryArn: POD_ROLE_BOUNDARY_ARN });
  const value = (key: string): string => {
    if (key === 'SubnetsPrivate') return 'subnet-0aaa0000000000001,subnet-0aaa0000000000002';
    if (key === 'SubnetsPublic') return 'subnet-0bbb0000000000001,subnet-0bbb0000000000002';
    if (key === 'Endpoint') return `https://${CLUSTER}.gr7.us-east-1.eks.amazonaws.com`;
    if (key === 'ClusterArn') return `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`;
    if (key === 'CertificateAuthorityData') return Buffer.from('-----BEGIN CERTIFICATE-----fake').toString('base64');
    if (key.endsWith('RoleArn')) return `arn:aws:iam::111122223333:role/eks-provisioner/${CLUSTER}-${key}`;
    return `${key}-value`;
  };
  return Object.fromEntries(Object.keys(template.Outputs).map((key) => [key, value(key)])) as StackOutputs;
}

export function completeStack(spec: Spec): StackState {
  return { stackName: STACK, stackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/${STACK}/1`, ready: true, waitSeconds: 0, status: 'CREATE_COMPLETE', startedAt: T0.toISOString(), outputs: outputsFor(spec) };
}

export function provisionState(spec: Spec, extra: Partial<ProvisionState> = {}): ProvisionState {
  return { operation, spec, plan: { stackName: STACK, steps: [] }, ...extra };
}

/** One Map iteration's input: a nodegroup, Fargate profile or add-on of the spec and the complete stack. */
export function resourceItem<T extends object>(spec: Spec, item: T, stack: StackState = completeStack(spec)): ResourceItem & { item: T } {
  return { operation, stack, item: item as ResourceItem['item'] & T };
}

export function failureState(spec: Spec, failure: Failure, extra: Partial<FailureState> = {}): FailureState {
  return { operation, spec: spec as unknown as FailureState['spec'], plan: { stackName: STACK, steps: [] }, failure, ...extra };
}

/** What the Lambda runtime puts in a Catch's Cause for a thrown error. */
export const lambdaCause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`] });

/**
 * Puts a stack of the cluster's name into the fake in any status, as if another run (or CloudFormation
 * itself) had left it there; it stays in that status however often it is described.
 */
export async function putStack(
  aws: FakeAws,
  options: { status: string; operationId?: string; token?: string; events?: StackEventLike[]; statusReason?: string; terminationProtection?: boolean; outputs?: Record<string, string> },
): Promise<void> {
  const template = { Resources: { ControlPlane: { Type: 'AWS::EKS::Cluster', Properties: { Name: CLUSTER } } } };
  const tags = ownershipTags(undefined, { clusterName: CLUSTER, owner: operation.requestedBy, operationId: options.operationId ?? operation.id });
  await aws.cloudFormation.createStack({ stackName: STACK, templateBody: JSON.stringify(template), tags, clientRequestToken: options.token ?? 'token-of-another-run', onFailure: 'ROLLBACK' });
  const stack = aws.stacks.get(STACK)!;
  Object.assign(stack, {
    status: options.status,
    describesLeft: Number.MAX_SAFE_INTEGER,
    events: options.events ?? [],
    terminationProtection: options.terminationProtection ?? true,
    outputs: options.outputs ?? {},
    ...(options.statusReason ? { statusReason: options.statusReason } : {}),
  });
  if (options.operationId) stack.tags[TAG_OPERATION] = options.operationId;
  forgetCalls(aws);
}

export { rejectionOf } from '../../support/rejection';
