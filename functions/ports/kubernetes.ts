/**
 * What the service does in a cluster's Kubernetes API, and how it gets there: through the
 * cluster's kube agent (functions/kube-agent/handler.ts), the Lambda function in the cluster's
 * VPC, invoked synchronously. The step signs the EKS token here, as its own role or as the
 * cluster creator (KUBERNETES_ACCESS_ROLE_ARN), and the agent carries it to the API server
 * from inside: the endpoint may be private, or public only to the VPC's NAT addresses.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import type { ClusterEndpoint, KubeAgentRequest, KubeAgentResponse, NodeStatus } from '../generated/types';
import { kubeAgentFunctionName } from '../domain/naming';
import { config } from '../shared/config';
import { AwsUnavailableError, classifyAwsError, isAwsError, KubernetesApiError, KubernetesConflictError } from '../shared/errors';
import { once } from '../shared/once';
import { kubernetesCredentials, kubernetesPrincipal, kubernetesToken } from './kubernetes-token';

/** A cluster as the agent needs it: name, endpoint and CA, as DescribeCluster (or the stack's outputs) give them. */
export type ClusterAccess = ClusterEndpoint;

/** The aws-auth ConfigMap's data and the resourceVersion a replace must name. */
export type AwsAuth = NonNullable<KubeAgentResponse['awsAuth']>;

/** One round of a drain: pods still on the nodes (leaving or not) and the evictions refused. */
export type DrainRound = NonNullable<KubeAgentResponse['drain']>;

export type { NodeStatus };

export interface KubernetesPort {
  /** The IAM principal the Kubernetes API sees the service as (a role ARN for assumed roles): the one access entries must name. */
  principal(): Promise<string>;
  /** kube-system/aws-auth, or undefined when it does not exist. */
  readAwsAuth(cluster: ClusterAccess): Promise<AwsAuth | undefined>;
  /** Creates it when resourceVersion is undefined, else replaces that version (a newer one → KubernetesConflictError). */
  writeAwsAuth(cluster: ClusterAccess, data: Record<string, string>, resourceVersion?: string): Promise<void>;
  /** The nodes a label selector picks, with their Ready condition. */
  listNodes(cluster: ClusterAccess, labelSelector: string): Promise<NodeStatus[]>;
  /** Cordons (or, with false, uncordons) the nodes; a cordon names the operation that made it (NodeStatus.cordonedBy). */
  cordonNodes(cluster: ClusterAccess, nodeNames: string[], unschedulable?: boolean, cordonedBy?: string): Promise<void>;
  /** Evicts what a drain moves off the nodes; call again until nothing remains. */
  drainNodes(cluster: ClusterAccess, nodeNames: string[]): Promise<DrainRound>;
}

const RESOURCE = 'aws-auth';

export class KubeAgentKubernetes implements KubernetesPort {
  constructor(
    private readonly lambda: () => LambdaClient,
    private readonly token: (clusterName: string) => Promise<string>,
    readonly principal: () => Promise<string>,
  ) {}

  async readAwsAuth(cluster: ClusterAccess): Promise<AwsAuth | undefined> {
    return (await this.ask(cluster, { action: 'readAwsAuth' })).awsAuth;
  }

  async writeAwsAuth(cluster: ClusterAccess, data: Record<string, string>, resourceVersion?: string): Promise<void> {
    await this.ask(cluster, { action: 'writeAwsAuth', data, ...(resourceVersion ? { resourceVersion } : {}) });
  }

  async listNodes(cluster: ClusterAccess, labelSelector: string): Promise<NodeStatus[]> {
    return (await this.ask(cluster, { action: 'listNodes', labelSelector }, 'nodes')).nodes ?? [];
  }

  async cordonNodes(cluster: ClusterAccess, nodeNames: string[], unschedulable = true, cordonedBy?: string): Promise<void> {
    if (nodeNames.length === 0) return;
    const request = { action: 'cordonNodes' as const, nodeNames, unschedulable };
    if (!(unschedulable && cordonedBy)) {
      await this.ask(cluster, request, 'nodes');
      return;
    }
    const named = await this.invoke(cluster, { ...request, cordonedBy }, 'nodes');
    // A cluster's agent keeps the code it was made with: one made before cordons named their
    // operation refuses the field (Ajv's "must NOT have additional properties"). Its nodes are
    // cordoned without the name (a failure path then leaves them cordoned, as before); a refusal
    // for another reason comes back from that request.
    if (named.error?.name === 'KubeAgentContractError') await this.ask(cluster, request, 'nodes');
    else this.answer(cluster, named, 'nodes');
  }

  async drainNodes(cluster: ClusterAccess, nodeNames: string[]): Promise<DrainRound> {
    if (nodeNames.length === 0) return { evicted: 0, remaining: [], blocked: [] };
    return (await this.ask(cluster, { action: 'drainNodes', nodeNames }, 'nodes')).drain ?? { evicted: 0, remaining: [], blocked: [] };
  }

  private async ask(cluster: ClusterAccess, request: Omit<KubeAgentRequest, 'cluster' | 'token'>, resource = RESOURCE): Promise<KubeAgentResponse> {
    return this.answer(cluster, await this.invoke(cluster, request, resource), resource);
  }

  /** The agent's response as it came, its refusals and Kubernetes' answers included. */
  private async invoke(cluster: ClusterAccess, request: Omit<KubeAgentRequest, 'cluster' | 'token'>, resource: string): Promise<KubeAgentResponse> {
    const agent = kubeAgentFunctionName(cluster.name);
    const event: KubeAgentRequest = { ...request, cluster: { name: cluster.name, endpoint: cluster.endpoint, ...(cluster.certificateAuthority ? { certificateAuthority: cluster.certificateAuthority } : {}) }, token: await this.token(cluster.name) };
    let reply;
    try {
      reply = await this.lambda().send(new InvokeCommand({ FunctionName: agent, Payload: Buffer.from(JSON.stringify(event)) }));
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) {
        throw new KubernetesApiError(`the kube agent ${agent} of cluster ${cluster.name} does not exist: its cluster stack was made without one, or it was removed from the stack`, { resource, cause: error });
      }
      // Pending (Lambda still making its network interfaces) and throttling pass; the step's retry comes back.
      if (isAwsError(error, 'ResourceConflictException')) throw new AwsUnavailableError(`the kube agent ${agent} is not ready yet: ${(error as Error).message}`, { resource, cause: error });
      throw classifyAwsError(error, `kube agent ${agent}`);
    }
    const body = reply.Payload ? Buffer.from(reply.Payload).toString('utf8') : '';
    if (reply.FunctionError) {
      // The agent's own failure (a crash, a timeout): not an answer of the Kubernetes API, so worth another try.
      throw new AwsUnavailableError(`the kube agent ${agent} failed (${reply.FunctionError}): ${functionErrorMessage(body)}`, { resource });
    }
    return JSON.parse(body || '{}') as KubeAgentResponse;
  }

  /** The response, or its failure as the error a step handles. */
  private answer(cluster: ClusterAccess, response: KubeAgentResponse, resource: string): KubeAgentResponse {
    const agent = kubeAgentFunctionName(cluster.name);
    const failure = response.error;
    if (!failure) return response;
    // The agent's messages already lead with the resource.
    switch (failure.name) {
      case 'KubernetesConflictError':
        throw new KubernetesConflictError(failure.message);
      case 'AwsUnavailableError':
        throw new AwsUnavailableError(failure.message);
      case 'KubernetesApiError':
        throw new KubernetesApiError(failure.message, { status: failure.status });
      case 'KubeAgentContractError':
        // The service sent what its own agent's contract refuses: a version mismatch or a bug, never fixed by retrying.
        throw new KubernetesApiError(`${agent}: ${failure.message}`, { resource });
    }
  }
}

function functionErrorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errorType?: string; errorMessage?: string };
    return `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? ''}`;
  } catch {
    return body.slice(0, 200);
  }
}

/**
 * The port as each step deploys with it: tokens signed as the role in KUBERNETES_ACCESS_ROLE_ARN
 * when set (the cluster's creator), else as the function itself. Either way it has access only
 * while a step grants it (step-support/temporary-admin.ts).
 */
export const inVpcKubernetes = once((): KubernetesPort => {
  const sts = once(() => new STSClient({}));
  const roleArn = process.env.KUBERNETES_ACCESS_ROLE_ARN || undefined;
  const credentials = kubernetesCredentials(sts, roleArn);
  return new KubeAgentKubernetes(once(() => new LambdaClient({})), (cluster) => kubernetesToken(cluster, config.region(), credentials), kubernetesPrincipal(sts, roleArn));
});
