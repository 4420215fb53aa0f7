/**
 * The kube agent's HTTPS client of a cluster's Kubernetes API, with the cluster's CA and the
 * bearer token it is given: the aws-auth ConfigMap (read, write), nodes (list, cordon) and pods
 * (list by node, evict). No Kubernetes client library: a handful of verbs keep the agent's bundle
 * small and its cold start short.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AwsUnavailableError, KubernetesApiError, KubernetesConflictError } from '../shared/errors';

import type { BlockedEviction, ClusterEndpoint as ClusterAccess, NodeStatus, PodRef } from '../generated/types';

export interface ConfigMap {
  data: Record<string, string>;
  resourceVersion: string;
}

/** A pod as a drain needs it (the API's Pod, trimmed). */
export interface PodSummary extends PodRef {
  /** Owned by a DaemonSet: its controller puts it back on the node whatever a drain does, so drains leave it (kubectl drain --ignore-daemonsets). */
  daemonSet: boolean;
  /** A static pod's mirror: the kubelet runs it from a file, the API cannot evict it. */
  mirror: boolean;
  /** Succeeded or Failed: nothing runs any more. */
  finished: boolean;
  terminating: boolean;
}

export type EvictionOutcome = { evicted: true } | { evicted: false; gone: true } | { evicted: false; blocked: BlockedEviction };

interface KubeNode {
  metadata: { name: string; creationTimestamp?: string; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean; providerID?: string };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>; nodeInfo?: { kubeletVersion?: string } };
}

/** Names the operation of the service that cordoned a node, so its failure handling uncordons only what it cordoned. */
export const CORDONED_BY_ANNOTATION = 'eks-provisioner/cordoned-by';

interface KubePod {
  metadata: { name: string; namespace: string; deletionTimestamp?: string; annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; controller?: boolean }> };
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

interface HttpResult {
  status: number;
  body: string;
}

export class HttpKubernetes {
  constructor(private readonly token: (clusterName: string) => Promise<string>) {}

  async readConfigMap(cluster: ClusterAccess, namespace: string, name: string): Promise<ConfigMap | undefined> {
    const result = await this.call(cluster, 'GET', `/api/v1/namespaces/${namespace}/configmaps/${name}`);
    if (result.status === 404) return undefined;
    this.check(result, cluster, `read ConfigMap ${namespace}/${name}`, 'aws-auth');
    const body = JSON.parse(result.body) as { data?: Record<string, string>; metadata?: { resourceVersion?: string } };
    return { data: body.data ?? {}, resourceVersion: body.metadata?.resourceVersion ?? '' };
  }

  async writeConfigMap(cluster: ClusterAccess, namespace: string, name: string, data: Record<string, string>, resourceVersion?: string): Promise<void> {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) }, data };
    const result = resourceVersion
      ? await this.call(cluster, 'PUT', `/api/v1/namespaces/${namespace}/configmaps/${name}`, object)
      : await this.call(cluster, 'POST', `/api/v1/namespaces/${namespace}/configmaps`, object);
    // 409 on create means EKS (adding a node role) created it first; on replace, a newer version exists.
    if (result.status === 409) throw new KubernetesConflictError(`ConfigMap ${namespace}/${name} changed while we wrote it; re-reading`, { resource: 'aws-auth' });
    this.check(result, cluster, `write ConfigMap ${namespace}/${name}`, 'aws-auth');
  }

  /** The nodes `labelSelector` picks, each with its Ready condition as the kubelet last posted it. */
  async listNodes(cluster: ClusterAccess, labelSelector: string): Promise<NodeStatus[]> {
    const result = await this.call(cluster, 'GET', `/api/v1/nodes?labelSelector=${encodeURIComponent(labelSelector)}`);
    this.check(result, cluster, `list nodes ${labelSelector}`, 'nodes');
    const items = (JSON.parse(result.body) as { items?: KubeNode[] }).items ?? [];
    return items.map(nodeStatus);
  }

  /**
   * Sets spec.unschedulable, as `kubectl cordon` (true) and `uncordon` (false) do, in the same patch
   * as the annotation naming the operation that cordons (an uncordon takes it off); a node already
   * gone is left alone.
   */
  async setUnschedulable(cluster: ClusterAccess, node: string, unschedulable: boolean, cordonedBy?: string): Promise<void> {
    const annotation = unschedulable ? cordonedBy : null;
    const patch = { ...(annotation !== undefined ? { metadata: { annotations: { [CORDONED_BY_ANNOTATION]: annotation } } } : {}), spec: { unschedulable } };
    const result = await this.call(cluster, 'PATCH', `/api/v1/nodes/${encodeURIComponent(node)}`, patch, 'application/strategic-merge-patch+json');
    if (result.status === 404) return;
    this.check(result, cluster, `${unschedulable ? 'cordon' : 'uncordon'} node ${node}`, `node ${node}`);
  }

  /** Every pod bound to `node`. */
  async podsOn(cluster: ClusterAccess, node: string): Promise<PodSummary[]> {
    const result = await this.call(cluster, 'GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`);
    this.check(result, cluster, `list the pods of node ${node}`, `node ${node}`);
    const items = (JSON.parse(result.body) as { items?: KubePod[] }).items ?? [];
    return items.map((pod) => podSummary(pod, node));
  }

  /**
   * Asks the Eviction API to remove a pod (policy/v1): 201 when its PodDisruptionBudgets allow it,
   * 429 when one does not (the answer names the budget), 404 when the pod is gone already.
   */
  async evict(cluster: ClusterAccess, pod: PodRef): Promise<EvictionOutcome> {
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.name, namespace: pod.namespace } };
    const result = await this.call(cluster, 'POST', `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/eviction`, eviction);
    if (result.status === 404) return { evicted: false, gone: true };
    if (result.status === 429) return { evicted: false, blocked: { ...pod, message: evictionRefusal(result.body) } };
    // Two budgets over one pod: the API server cannot judge the eviction and says so with a 500 until
    // someone removes one; kubectl drain keeps retrying it, and so is it a refusal to report, not an outage.
    if (result.status === 500 && MULTIPLE_BUDGETS.test(safeMessage(result.body))) return { evicted: false, blocked: { ...pod, message: safeMessage(result.body) } };
    this.check(result, cluster, `evict pod ${pod.namespace}/${pod.name}`, `pod ${pod.namespace}/${pod.name}`);
    return { evicted: true };
  }

  private check(result: HttpResult, cluster: ClusterAccess, what: string, resource: string): void {
    if (result.status >= 200 && result.status < 300) return;
    const reason = safeMessage(result.body);
    if (result.status >= 500 || result.status === 429) throw new AwsUnavailableError(`Kubernetes API of ${cluster.name} answered ${result.status} to ${what}: ${reason}`, { resource });
    throw new KubernetesApiError(`Kubernetes API of ${cluster.name} refused to ${what} (${result.status}): ${reason}`, { resource, status: result.status });
  }

  private async call(cluster: ClusterAccess, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<HttpResult> {
    // Appended, not resolved: an endpoint with a path (a proxy, the local emulator's /k8s/<name>) keeps it.
    const url = new URL(cluster.endpoint.replace(/\/+$/, '') + path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const token = await this.token(cluster.name);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          timeout: 10_000,
          ...(cluster.certificateAuthority && url.protocol === 'https:' ? { ca: Buffer.from(cluster.certificateAuthority, 'base64') } : {}),
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out after 10 s')));
      req.on('error', (error) => reject(new AwsUnavailableError(`cannot reach the Kubernetes API of ${cluster.name} at ${url.origin}: ${error.message}`, { resource: 'aws-auth', cause: error })));
      if (payload) req.write(payload);
      req.end();
    });
  }
}

const MULTIPLE_BUDGETS = /more than one PodDisruptionBudget/;

function safeMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

function nodeStatus(node: KubeNode): NodeStatus {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  // A node whose kubelet never posted a Ready condition is as good as Unknown.
  const status = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  return {
    name: node.metadata.name,
    ready: status,
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(ready?.message ? { message: ready.message } : {}),
    ...(node.spec?.unschedulable ? { unschedulable: true } : {}),
    ...(node.metadata.creationTimestamp ? { createdAt: node.metadata.creationTimestamp } : {}),
    ...(node.status?.nodeInfo?.kubeletVersion ? { kubeletVersion: node.status.nodeInfo.kubeletVersion } : {}),
    ...(node.metadata.annotations?.[CORDONED_BY_ANNOTATION] ? { cordonedBy: node.metadata.annotations[CORDONED_BY_ANNOTATION] } : {}),
    ...(instanceOf(node.spec?.providerID) ? { instanceId: instanceOf(node.spec?.providerID) } : {}),
  };
}

/** The instance id of an EC2 node's providerID, `aws:///us-east-1a/i-0123…` (the cloud provider's form). */
function instanceOf(providerId: string | undefined): string | undefined {
  return /^aws:\/\/\/[^/]+\/(i-[0-9a-f]+)$/.exec(providerId ?? '')?.[1];
}

function podSummary(pod: KubePod, node: string): PodSummary {
  const phase = pod.status?.phase;
  return {
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    node: pod.spec?.nodeName ?? node,
    daemonSet: (pod.metadata.ownerReferences ?? []).some((owner) => owner.kind === 'DaemonSet' && owner.controller !== false),
    mirror: pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined,
    finished: phase === 'Succeeded' || phase === 'Failed',
    terminating: pod.metadata.deletionTimestamp !== undefined,
  };
}

/** The API server's refusal with its causes ("The disruption budget coredns needs 2 healthy pods and has 2 currently"). */
function evictionRefusal(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: string; details?: { causes?: Array<{ message?: string }> } };
    const causes = (status.details?.causes ?? []).flatMap((c) => (c.message ? [c.message] : []));
    return [status.message ?? 'eviction refused', ...causes].join(' ');
  } catch {
    return body.slice(0, 200);
  }
}
