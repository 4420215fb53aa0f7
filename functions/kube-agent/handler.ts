/**
 * The kube agent: a cluster's own Lambda function, in the cluster's private subnets with a
 * security group the control plane admits on 443 (functions/domain/cluster-template.ts). It is
 * how the service reaches a cluster's Kubernetes API from inside the VPC, so a private-only
 * endpoint needs no public window and a fully private VPC no internet path.
 *
 * Its contract is narrow and typed (schemas/kube-agent.schema.json): read and write the aws-auth
 * ConfigMap, with its resourceVersion; list nodes with their readiness; cordon nodes; one round
 * of a drain (evict what runs on nodes, as `kubectl drain --ignore-daemonsets` does). It holds no identity in the cluster: the step signs the
 * EKS token (as itself, or as the cluster creator in CONFIG_MAP mode) and the agent only carries
 * it, so who may do what in the cluster is decided where it was before (docs/security.md).
 * Outcomes of the Kubernetes API come back as a typed `error`, not a function error, so the
 * caller raises the same error classes a direct call would.
 */
import { validateKubeAgentRequest } from '../generated/validators';
import type { BlockedEviction, ClusterEndpoint, KubeAgentError, KubeAgentRequest, KubeAgentResponse, PodRef } from '../generated/types';
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
    switch (request.action) {
      case 'readAwsAuth': {
        const awsAuth = await kubernetes.readConfigMap(request.cluster, AWS_AUTH.namespace, AWS_AUTH.name);
        return awsAuth ? { awsAuth } : {};
      }
      case 'writeAwsAuth':
        await kubernetes.writeConfigMap(request.cluster, AWS_AUTH.namespace, AWS_AUTH.name, request.data!, request.resourceVersion);
        return {};
      case 'listNodes':
        return { nodes: await kubernetes.listNodes(request.cluster, request.labelSelector!) };
      case 'cordonNodes':
        for (const node of request.nodeNames!) await kubernetes.setUnschedulable(request.cluster, node, request.unschedulable ?? true, request.cordonedBy);
        return {};
      case 'drainNodes':
        return { drain: await drainRound(kubernetes, request.cluster, request.nodeNames!) };
    }
  } catch (error) {
    const name = (error as Error).name as KubeAgentError['name'];
    // Anything else is the agent's own failure: a function error, which the caller retries as unavailability.
    if (!OUTCOMES.has(name)) throw error;
    const status = (error as { status?: number }).status;
    return { error: { name, message: (error as Error).message, ...(status === undefined ? {} : { status }) } };
  }
}

/**
 * One round of a drain: every pod on the nodes that a drain moves (not DaemonSet pods, mirror
 * pods or finished ones) is asked to leave through the Eviction API, unless it is leaving already.
 * The caller comes back until nothing remains; a refusal is answered, not thrown, so the caller
 * can name the budget when it gives up.
 */
async function drainRound(kubernetes: HttpKubernetes, cluster: ClusterEndpoint, nodes: string[]): Promise<NonNullable<KubeAgentResponse['drain']>> {
  const remaining: PodRef[] = [];
  const blocked: BlockedEviction[] = [];
  let evicted = 0;
  for (const node of nodes) {
    for (const pod of await kubernetes.podsOn(cluster, node)) {
      if (pod.daemonSet || pod.mirror || pod.finished) continue;
      const ref = { namespace: pod.namespace, name: pod.name, node: pod.node };
      if (pod.terminating) {
        remaining.push(ref);
        continue;
      }
      const outcome = await kubernetes.evict(cluster, ref);
      if (outcome.evicted) {
        evicted += 1;
        remaining.push(ref);
      } else if ('blocked' in outcome) {
        blocked.push(outcome.blocked);
        remaining.push(ref);
      }
    }
  }
  return { evicted, remaining, blocked };
}

export const handler = handleKubeAgentRequest;
