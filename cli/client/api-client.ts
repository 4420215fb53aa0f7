/**
 * A typed client of the eks-provisioner REST API (docs/api.md): one method per route, problems
 * turned into ApiProblemError. No terminal code here: the CLI and other tools (a Backstage action)
 * share it.
 */
import { ApiProblemError, ApiUnreachableError, causeText } from './errors';
import { DEFAULT_RETRY_POLICY, RETRIED_STATUSES, retryDelayMs, sleep, type RetryNotice, type RetryPolicy } from './retry';
import type { RequestSigner } from './signing';
import type { AcceptedOperation, Addon, AddonChange, ClusterDetail, ClusterSettingsChange, ClusterSummary, EndpointAccess, IdentityMapping, ManagedNodeGroup, Operation, Page, PodIdentityAssociation, Problem, SelfManagedNodeGroup } from './types';

export interface ApiClientOptions {
  baseUrl: string;
  /** SigV4 for the deployed API; absent for local mode. */
  signer?: RequestSigner;
  /** Extra headers on every request (local mode's x-eksp-caller, say). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** When to send a request again (429, 503, no answer); default DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
  /** Told before each retry: the CLI says it on stderr. */
  onRetry?: (notice: RetryNotice) => void;
}

/** A request body as sent: JSON by default; a spec file goes as its own text and media type. */
export interface RawBody {
  text: string;
  contentType: string;
}

export interface StartOptions {
  /** Same key, same request: the same operation. Default: a new key for this call, kept on its retries. */
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

  private readonly retry: RetryPolicy;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  // Clusters

  createCluster(spec: RawBody | Record<string, unknown>, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', '/clusters', spec, options);
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
    return this.start('DELETE', `/clusters/${seg(name)}${options.disableDeletionProtection ? '?disableDeletionProtection=true' : ''}`, undefined, options);
  }

  upgradeCluster(name: string, body: { version: string; force?: boolean }, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', `/clusters/${seg(name)}/upgrade`, body, options);
  }

  /** The upgrade plan Preflight would make from the cluster as it is; nothing starts. */
  planUpgrade(name: string, body: { version: string; force?: boolean }): Promise<UpgradePlan> {
    return this.json('POST', `/clusters/${seg(name)}/upgrade?dryRun=true`, { body });
  }

  updateClusterSettings(name: string, body: ClusterSettingsChange, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('PATCH', `/clusters/${seg(name)}`, body, options);
  }

  setEndpointAccess(name: string, body: EndpointAccess, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('PUT', `/clusters/${seg(name)}/endpoint-access`, body, options);
  }

  async kubeconfig(name: string): Promise<string> {
    return (await this.send('GET', `/clusters/${seg(name)}/kubeconfig`)).text;
  }

  // Nodegroups, Fargate profiles, access

  /** A managed nodegroup (managedNodeGroups[] of the spec). */
  addNodegroup(cluster: string, body: ManagedNodeGroup, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', `/clusters/${seg(cluster)}/nodegroups`, body, options);
  }

  /** A self-managed nodegroup (selfManagedNodeGroups[] of the spec): an Auto Scaling group of the service's own launch template. */
  addSelfManagedNodegroup(cluster: string, body: SelfManagedNodeGroup, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', `/clusters/${seg(cluster)}/nodegroups?managed=false`, body, options);
  }

  updateNodegroup(cluster: string, nodegroup: string, body: Partial<ManagedNodeGroup>, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('PATCH', `/clusters/${seg(cluster)}/nodegroups/${seg(nodegroup)}`, body, options);
  }

  deleteNodegroup(cluster: string, nodegroup: string, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('DELETE', `/clusters/${seg(cluster)}/nodegroups/${seg(nodegroup)}`, undefined, options);
  }

  addFargateProfile(cluster: string, body: { name: string; selectors: Array<{ namespace: string; labels?: Record<string, string> }>; subnets?: string[] }, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', `/clusters/${seg(cluster)}/fargate-profiles`, body, options);
  }

  deleteFargateProfile(cluster: string, profile: string, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('DELETE', `/clusters/${seg(cluster)}/fargate-profiles/${seg(profile)}`, undefined, options);
  }

  /** An EKS access entry (`principalArn`) or an aws-auth identity mapping (`arn`). */
  addAccess(cluster: string, body: AccessEntryRequest | IdentityMapping, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', `/clusters/${seg(cluster)}/access-entries`, body, options);
  }

  /** Removes the principal's access entry and its aws-auth mapping, whichever the spec has. */
  removeAccess(cluster: string, principalArn: string, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('DELETE', `/clusters/${seg(cluster)}/access-entries/${seg(principalArn)}`, undefined, options);
  }

  // Add-ons and Pod Identity

  /** Installs an add-on: at `version`, or EKS's default for the cluster's Kubernetes version. */
  addAddon(cluster: string, body: Addon, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', `/clusters/${seg(cluster)}/addons`, body, options);
  }

  updateAddon(cluster: string, addon: string, body: AddonChange, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('PATCH', `/clusters/${seg(cluster)}/addons/${seg(addon)}`, body, options);
  }

  /** `preserve`: EKS stops managing the add-on and leaves its Kubernetes resources on the cluster. */
  removeAddon(cluster: string, addon: string, options: StartOptions & { preserve?: boolean } = {}): Promise<AcceptedOperation> {
    return this.start('DELETE', `/clusters/${seg(cluster)}/addons/${seg(addon)}${options.preserve ? '?preserve=true' : ''}`, undefined, options);
  }

  addPodIdentityAssociation(cluster: string, body: PodIdentityAssociation, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('POST', `/clusters/${seg(cluster)}/pod-identity-associations`, body, options);
  }

  removePodIdentityAssociation(cluster: string, namespace: string, serviceAccount: string, options: StartOptions = {}): Promise<AcceptedOperation> {
    return this.start('DELETE', `/clusters/${seg(cluster)}/pod-identity-associations/${seg(namespace)}/${seg(serviceAccount)}`, undefined, options);
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

  /**
   * A request that starts an operation: it always carries an Idempotency-Key (the caller's, or one
   * made for this call), so its retries, and a request the service got but could not answer,
   * start the operation once.
   */
  private start(method: string, path: string, body: RawBody | object | undefined, options: StartOptions): Promise<AcceptedOperation> {
    return this.json(method, path, { ...(body !== undefined ? { body } : {}), idempotencyKey: options.idempotencyKey ?? newIdempotencyKey() });
  }

  private async json<T>(method: string, path: string, options: { body?: RawBody | unknown } & StartOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return JSON.parse(response.text) as T;
  }

  /**
   * One request, sent again (the same Idempotency-Key, signed anew) while the answer is 429 or 503
   * or there is none, as the retry policy allows; a non-2xx answer then throws ApiProblemError
   * with the service's problem, no answer ApiUnreachableError.
   */
  async send(method: string, path: string, options: { body?: RawBody | unknown } & StartOptions = {}): Promise<ApiResponse> {
    const url = new URL(`${this.options.baseUrl}${path}`);
    const body = options.body === undefined ? undefined : isRawBody(options.body) ? options.body : { text: JSON.stringify(options.body), contentType: 'application/json' };
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json, application/yaml',
      ...(this.options.headers ?? {}),
      ...(body ? { 'content-type': body.contentType } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    };
    const { attempts } = this.retry;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(method, url, headers, body);
      const last = attempt >= attempts;
      if ('cause' in outcome) {
        if (last) throw new ApiUnreachableError(this.options.baseUrl, { cause: outcome.cause }, attempt);
        await this.pause({ method, path, reason: causeText(outcome.cause), attempt: attempt + 1, attempts, delayMs: retryDelayMs(this.retry, attempt, null) });
        continue;
      }
      const { response, text } = outcome;
      const contentType = response.headers.get('content-type');
      if (response.ok) return { status: response.status, contentType, text };
      const problem = problemOf(response.status, contentType, text);
      if (last || !RETRIED_STATUSES.has(response.status)) throw new ApiProblemError(problem, { method, path }, attempt);
      // API Gateway's own refusals have no title of their own: their message says what happened.
      const said = problem.title === `HTTP ${response.status}` ? problem.detail : problem.title;
      await this.pause({ method, path, reason: `HTTP ${response.status}${said ? ` ${said}` : ''}`, attempt: attempt + 1, attempts, delayMs: retryDelayMs(this.retry, attempt, response.headers.get('retry-after')) });
    }
  }

  private async attempt(method: string, url: URL, unsigned: Record<string, string>, body: RawBody | undefined): Promise<{ response: Response; text: string } | { cause: unknown }> {
    // Signed on each attempt: a signature carries its time (x-amz-date) and expires.
    const headers = this.options.signer ? await this.options.signer({ method, url, headers: unsigned, ...(body ? { body: body.text } : {}) }) : unsigned;
    try {
      const response = await this.fetch(url, { method, headers, ...(body ? { body: body.text } : {}) });
      return { response, text: await response.text() };
    } catch (cause) {
      return { cause };
    }
  }

  private async pause(notice: RetryNotice): Promise<void> {
    this.options.onRetry?.(notice);
    await (this.retry.sleep ?? sleep)(notice.delayMs);
  }
}

/** One key per call: printable ASCII, as the API's Idempotency-Key rule asks. */
export function newIdempotencyKey(): string {
  return `eksp-${globalThis.crypto.randomUUID()}`;
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
    /** Absent from servers older than the upgrade of self-managed nodegroups. */
    selfManagedNodegroups?: Array<{ name: string; from: string; to: string; pinnedAmi?: string; skipped?: string }>;
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
