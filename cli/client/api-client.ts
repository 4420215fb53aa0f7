/**
 * A typed client of the eks-provisioner REST API (docs/api.md): one method per route, problems
 * turned into ApiProblemError. No terminal code here: the CLI and other tools (a Backstage action)
 * share it.
 */
import { ApiProblemError, ApiUnreachableError } from './errors';
import type { RequestSigner } from './signing';
import type { AcceptedOperation, ClusterDetail, ClusterSummary, EndpointAccess, IdentityMapping, Operation, Page, Problem } from './types';

export interface ApiClientOptions {
  baseUrl: string;
  /** SigV4 for the deployed API; absent for local mode. */
  signer?: RequestSigner;
  /** Extra headers on every request (local mode's x-eksp-caller, say). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** A request body as sent: JSON by default; a spec file goes as its own text and media type. */
export interface RawBody {
  text: string;
  contentType: string;
}

export interface StartOptions {
  idempotencyKey?: string;
}

export interface AccessEntryRequest {
  principalArn: string;
  type?: string;
  username?: string;
  kubernetesGroups?: string[];
  accessPolicies?: Array<{ policy: string; scope: 'cluster' | 'namespace'; namespaces?: string[] }>;
}

export interface ApiResponse {
  status: number;
  contentType: string | null;
  text: string;
}

const seg = encodeURIComponent;

export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  // Clusters

  createCluster(spec: RawBody | Record<string, unknown>, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('POST', '/clusters', { body: spec, ...options });
  }

  /** The plan of a create: normalised spec, stack name, steps, template. Nothing is created. */
  planCluster(spec: RawBody | Record<string, unknown>): Promise<{ spec: Record<string, unknown>; stackName: string; steps: string[]; template: unknown }> {
    return this.json('POST', '/clusters?dryRun=true', { body: spec });
  }

  async listClusters(): Promise<ClusterSummary[]> {
    return this.allPages('/clusters', (page: { clusters: ClusterSummary[]; nextCursor?: string }) => ({ items: page.clusters, nextCursor: page.nextCursor }));
  }

  getCluster(name: string): Promise<ClusterDetail> {
    return this.json('GET', `/clusters/${seg(name)}`);
  }

  deleteCluster(name: string, options: StartOptions & { disableDeletionProtection?: boolean } = {}): Promise<AcceptedOperation> {
    return this.json('DELETE', `/clusters/${seg(name)}${options.disableDeletionProtection ? '?disableDeletionProtection=true' : ''}`, options);
  }

  upgradeCluster(name: string, body: { version: string; force?: boolean }, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('POST', `/clusters/${seg(name)}/upgrade`, { body, ...options });
  }

  /** The upgrade plan Preflight would make from the cluster as it is; nothing starts. */
  planUpgrade(name: string, body: { version: string; force?: boolean }): Promise<UpgradePlan> {
    return this.json('POST', `/clusters/${seg(name)}/upgrade?dryRun=true`, { body });
  }

  setEndpointAccess(name: string, body: EndpointAccess, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('PUT', `/clusters/${seg(name)}/endpoint-access`, { body, ...options });
  }

  async kubeconfig(name: string): Promise<string> {
    return (await this.send('GET', `/clusters/${seg(name)}/kubeconfig`)).text;
  }

  // Nodegroups, Fargate profiles, access

  addNodegroup(cluster: string, body: Record<string, unknown>, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('POST', `/clusters/${seg(cluster)}/nodegroups`, { body, ...options });
  }

  updateNodegroup(cluster: string, nodegroup: string, body: Record<string, unknown>, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('PATCH', `/clusters/${seg(cluster)}/nodegroups/${seg(nodegroup)}`, { body, ...options });
  }

  deleteNodegroup(cluster: string, nodegroup: string, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('DELETE', `/clusters/${seg(cluster)}/nodegroups/${seg(nodegroup)}`, options);
  }

  addFargateProfile(cluster: string, body: { name: string; selectors: Array<{ namespace: string; labels?: Record<string, string> }>; subnets?: string[] }, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('POST', `/clusters/${seg(cluster)}/fargate-profiles`, { body, ...options });
  }

  deleteFargateProfile(cluster: string, profile: string, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('DELETE', `/clusters/${seg(cluster)}/fargate-profiles/${seg(profile)}`, options);
  }

  /** An EKS access entry (`principalArn`) or an aws-auth identity mapping (`arn`). */
  addAccess(cluster: string, body: AccessEntryRequest | IdentityMapping, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('POST', `/clusters/${seg(cluster)}/access-entries`, { body, ...options });
  }

  /** Removes the principal's access entry and its aws-auth mapping, whichever the spec has. */
  removeAccess(cluster: string, principalArn: string, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.json('DELETE', `/clusters/${seg(cluster)}/access-entries/${seg(principalArn)}`, options);
  }

  // Operations

  getOperation(id: string): Promise<Operation> {
    return this.json('GET', `/operations/${seg(id)}`);
  }

  listOperations(cluster: string): Promise<Operation[]> {
    return this.allPages(`/operations?cluster=${seg(cluster)}`, (page: { operations: Operation[]; nextCursor?: string }) => ({ items: page.operations, nextCursor: page.nextCursor }));
  }

  // Transport

  private async allPages<P, T>(path: string, read: (page: P) => Page<T>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = read(await this.json<P>('GET', cursor ? `${path}${separator}cursor=${seg(cursor)}` : path));
      items.push(...page.items);
      cursor = page.nextCursor && page.items.length > 0 ? page.nextCursor : undefined;
    } while (cursor);
    return items;
  }

  private async json<T>(method: string, path: string, options: { body?: RawBody | unknown } & StartOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return JSON.parse(response.text) as T;
  }

  /** One request; a non-2xx answer throws ApiProblemError with the service's problem. */
  async send(method: string, path: string, options: { body?: RawBody | unknown } & StartOptions = {}): Promise<ApiResponse> {
    const url = new URL(`${this.options.baseUrl}${path}`);
    const body = options.body === undefined ? undefined : isRawBody(options.body) ? options.body : { text: JSON.stringify(options.body), contentType: 'application/json' };
    let headers: Record<string, string> = {
      accept: 'application/json, application/problem+json, application/yaml',
      ...(this.options.headers ?? {}),
      ...(body ? { 'content-type': body.contentType } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    };
    if (this.options.signer) headers = await this.options.signer({ method, url, headers, ...(body ? { body: body.text } : {}) });
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers, ...(body ? { body: body.text } : {}) });
    } catch (cause) {
      throw new ApiUnreachableError(this.options.baseUrl, { cause });
    }
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    if (!response.ok) throw new ApiProblemError(problemOf(response.status, contentType, text), { method, path });
    return { status: response.status, contentType, text };
  }
}

export interface UpgradePlan {
  dryRun: true;
  plan: {
    cluster: string;
    from: string;
    to: string;
    force: boolean;
    passes: string[];
    addons: Array<{ name: string; from: string; to: string; choice?: string }>;
    nodegroups: Array<{ name: string; from: string; to: string }>;
    problems: Array<{ code: string; severity: string; resource: string; message: string; recommendation?: string }>;
    canProceed: boolean;
  };
  blocking: Array<{ code: string; resource: string; message: string }>;
  [field: string]: unknown;
}

function isRawBody(body: unknown): body is RawBody {
  return typeof body === 'object' && body !== null && typeof (body as RawBody).text === 'string' && typeof (body as RawBody).contentType === 'string' && Object.keys(body).length === 2;
}

/** The service's problem+json; API Gateway's own refusals (`{"message": …}`) and other bodies made into one. */
function problemOf(status: number, contentType: string | null, text: string): Problem {
  let parsed: unknown;
  try {
    parsed = contentType?.includes('json') ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && typeof (parsed as Problem).title === 'string') return { ...(parsed as Problem), status };
  const message = parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string' ? (parsed as { message: string }).message : text.trim().slice(0, 500);
  return { title: `HTTP ${status}`, status, ...(message ? { detail: message } : {}) };
}
