/**
 * The kube agent's HTTPS client of a cluster's Kubernetes API: ConfigMap read and write with the
 * cluster's CA and the bearer token it is given. No Kubernetes client library: two verbs on one
 * resource keep the agent's bundle small and its cold start short.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AwsUnavailableError, KubernetesApiError, KubernetesConflictError } from '../shared/errors';

import type { ClusterEndpoint as ClusterAccess } from '../generated/types';

export interface ConfigMap {
  data: Record<string, string>;
  resourceVersion: string;
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
    this.check(result, cluster, `read ConfigMap ${namespace}/${name}`);
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
    this.check(result, cluster, `write ConfigMap ${namespace}/${name}`);
  }

  private check(result: HttpResult, cluster: ClusterAccess, what: string): void {
    if (result.status >= 200 && result.status < 300) return;
    const reason = safeMessage(result.body);
    if (result.status >= 500 || result.status === 429) throw new AwsUnavailableError(`Kubernetes API of ${cluster.name} answered ${result.status} to ${what}: ${reason}`, { resource: 'aws-auth' });
    throw new KubernetesApiError(`Kubernetes API of ${cluster.name} refused to ${what} (${result.status}): ${reason}`, { resource: 'aws-auth', status: result.status });
  }

  private async call(cluster: ClusterAccess, method: string, path: string, body?: unknown): Promise<HttpResult> {
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
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
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

function safeMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
