/** Names, ownership tags and idempotency tokens: deterministic, so every retry computes the same ones. */
import { createHash } from 'node:crypto';

export const SERVICE_TAG_PREFIX = 'eks-provisioner:';
/** On the access entry the service grants itself for one step's work in a cluster, naming the operation (step-support/temporary-admin.ts). */
export const TEMPORARY_ADMIN_TAG = `${SERVICE_TAG_PREFIX}temporary-admin`;
export const TAG_CLUSTER = `${SERVICE_TAG_PREFIX}cluster`;
export const TAG_OWNER = `${SERVICE_TAG_PREFIX}owner`;
export const TAG_OPERATION = `${SERVICE_TAG_PREFIX}operation-id`;
export const TAG_MANAGED_BY = `${SERVICE_TAG_PREFIX}managed-by`;
/** Tags AWS itself puts on what a stack or EKS made (such resources go with their stack or cluster). */
export const MADE_BY_AWS_TAGS = ['aws:cloudformation:stack-name', 'aws:eks:cluster-name'] as const;

/** Like eksctl's `eksctl-<name>-cluster`. */
export function clusterStackName(clusterName: string): string {
  return `eksp-${clusterName}-cluster`;
}

/**
 * A nodegroup added after provisioning gets its own stack (node role, launch template), like
 * eksctl's `eksctl-<cluster>-nodegroup-<ng>`; nodegroups made at provisioning live in the cluster stack.
 */
export function nodegroupStackName(clusterName: string, nodegroupName: string): string {
  // Stack names allow no underscore, nodegroup names do: "ng_1" becomes "ng-1-<hash>", distinct from "ng-1".
  const safe = /^[A-Za-z0-9-]+$/.test(nodegroupName) ? nodegroupName : `${nodegroupName.replace(/[^A-Za-z0-9-]/g, '-')}-${createHash('sha256').update(nodegroupName).digest('hex').slice(0, 8)}`;
  return `${nodegroupStackPrefix(clusterName)}${safe}`;
}

/**
 * What every nodegroup stack of a cluster starts with. Other clusters' stacks can start with it
 * too (cluster "a-nodegroup-x" has "eksp-a-nodegroup-x-cluster"): tell them apart by TAG_CLUSTER.
 */
export function nodegroupStackPrefix(clusterName: string): string {
  return `eksp-${clusterName}-nodegroup-`;
}

/**
 * The Fargate pod execution role of a cluster made without Fargate profiles: the first profile
 * added later brings this small stack; every later profile shares its role.
 */
export function fargateStackName(clusterName: string): string {
  return `eksp-${clusterName}-fargate`;
}

/** The stack of the Auto Mode node role of a cluster switched to Auto Mode after it was made, like eksctl's per-purpose stacks. */
export function autoModeStackName(clusterName: string): string {
  return `eksp-${clusterName}-automode`;
}

/** The IAM OIDC provider (IRSA) of a cluster whose iam.withOIDC is switched on after it was made. */
export function oidcStackName(clusterName: string): string {
  return `eksp-${clusterName}-oidc`;
}

/** Export names of the cluster stack's outputs: `<stack>::<Output>`, as eksctl does. */
export function exportName(stackName: string, output: string): string {
  return `${stackName}::${output}`;
}

export interface Ownership {
  clusterName: string;
  owner: string;
  operationId: string;
}

/** The caller's tags plus the service's ownership tags (which win: callers cannot forge ownership). */
export function ownershipTags(userTags: Record<string, string> | undefined, ownership: Ownership): Record<string, string> {
  return {
    ...(userTags ?? {}),
    [TAG_CLUSTER]: ownership.clusterName,
    [TAG_OWNER]: ownership.owner,
    [TAG_OPERATION]: ownership.operationId,
    [TAG_MANAGED_BY]: 'eks-provisioner',
  };
}

/**
 * Idempotency token for one AWS create/delete call of one operation. Same operation + step +
 * resource → same token, so a retried step repeats the call without creating twice.
 * Fits CloudFormation's ClientRequestToken ([a-zA-Z0-9][-a-zA-Z0-9]*, ≤128) and EKS's (≤64).
 */
export function idempotencyToken(operationId: string, step: string, resource = ''): string {
  const digest = createHash('sha256').update(`${operationId}\u0000${step}\u0000${resource}`).digest('hex');
  return `eksp-${digest.slice(0, 40)}`;
}

/** Deterministic event id: consumers dedupe on it if a step's retry re-sends an event. */
export function eventId(...parts: string[]): string {
  return createHash('md5').update(parts.join('\u0000')).digest('hex');
}

export function accessPolicyArn(policy: string): string {
  return policy.startsWith('arn:') ? policy : `arn:aws:eks::aws:cluster-access-policy/${policy}`;
}

const KUBE_AGENT_PREFIX = 'eksp-kube-agent-';
/** Lambda function names are at most 64 characters; cluster names up to 100. */
const FUNCTION_NAME_MAX = 64;

/**
 * The cluster's kube agent (functions/kube-agent): `eksp-kube-agent-<cluster>`, or for a name too
 * long for Lambda its first characters and a hash, so every cluster has its own and the steps'
 * permission to invoke is one pattern (`eksp-kube-agent-*`).
 */
export function kubeAgentFunctionName(clusterName: string): string {
  const name = `${KUBE_AGENT_PREFIX}${clusterName}`;
  if (name.length <= FUNCTION_NAME_MAX) return name;
  const hash = createHash('sha256').update(clusterName).digest('hex').slice(0, 8);
  return `${name.slice(0, FUNCTION_NAME_MAX - hash.length - 1)}-${hash}`;
}

/** What every kube agent's function name starts with: the steps may invoke those and no other function. */
export const KUBE_AGENT_NAME_PATTERN = `${KUBE_AGENT_PREFIX}*`;
