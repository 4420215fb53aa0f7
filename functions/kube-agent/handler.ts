/**
 * The kube agent: a cluster's own Lambda function, in the cluster's private subnets with a
 * security group the control plane admits on 443 (functions/domain/cluster-template.ts). It is
 * how the service reaches a cluster's Kubernetes API from inside the VPC, so a private-only
 * endpoint needs no public window and a fully private VPC no internet path.
 *
 * Its contract is narrow and typed (schemas/kube-agent.schema.json): read and write the aws-auth
 * ConfigMap, with its resourceVersion. It holds no identity in the cluster: the step signs the
 * EKS token (as itself, or as the cluster creator in CONFIG_MAP mode) and the agent only carries
 * it, so who may do what in the cluster is decided where it was before (docs/security.md).
 * Outcomes of the Kubernetes API come back as a typed `error`, not a function error, so the
 * caller raises the same error classes a direct call would.
 */
import { validateKubeAgentRequest } from '../generated/validators';
import type { KubeAgentError, KubeAgentRequest, KubeAgentResponse } from '../generated/types';
import { HttpKubernetes } from './http-kubernetes';

const AWS_AUTH = { namespace: 'kube-system', name: 'aws-auth' } as const;
const OUTCOMES = new Set<KubeAgentError['name']>(['KubernetesConflictError', 'KubernetesApiError', 'AwsUnavailableError']);

export async function handleKubeAgentRequest(event: unknown): Promise<KubeAgentResponse> {
  if (!validateKubeAgentRequest(event)) {
    const problems = (validateKubeAgentRequest.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    return { error: { name: 'KubeAgentContractError', message: `the kube agent refuses the request: ${problems.join('; ')}` } };
  }
  const request = event as KubeAgentRequest;
  const kubernetes = new HttpKubernetes(async () => request.token);
  try {
    if (request.action === 'readAwsAuth') {
      const awsAuth = await kubernetes.readConfigMap(request.cluster, AWS_AUTH.namespace, AWS_AUTH.name);
      return awsAuth ? { awsAuth } : {};
    }
    await kubernetes.writeConfigMap(request.cluster, AWS_AUTH.namespace, AWS_AUTH.name, request.data!, request.resourceVersion);
    return {};
  } catch (error) {
    const name = (error as Error).name as KubeAgentError['name'];
    // Anything else is the agent's own failure: a function error, which the caller retries as unavailability.
    if (!OUTCOMES.has(name)) throw error;
    const status = (error as { status?: number }).status;
    return { error: { name, message: (error as Error).message, ...(status === undefined ? {} : { status }) } };
  }
}

export const handler = handleKubeAgentRequest;
