/** HttpKubernetes against a small Kubernetes-API stand-in on 127.0.0.1. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpKubernetes } from '../../../functions/kube-agent/http-kubernetes';
import type { ClusterAccess } from '../../../functions/ports/kubernetes';
import { rejectionOf } from '../ports/port-helpers';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body?: Record<string, unknown>;
}
interface Reply {
  status: number;
  body?: unknown;
}

let server: Server;
let cluster: ClusterAccess;
let seen: Seen[] = [];
let reply: Reply = { status: 200 };

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, ...(body ? { body: JSON.parse(body) } : {}) });
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cluster = { name: 'demo', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  reply = { status: 200 };
});

const kubernetes = new HttpKubernetes(async (name: string) => `k8s-aws-v1.token-for-${name}`);
const AWS_AUTH_PATH = '/api/v1/namespaces/kube-system/configmaps/aws-auth';

describe('HttpKubernetes', () => {
  it('reads a ConfigMap with its data and resourceVersion, sending the IAM bearer token', async () => {
    reply = { status: 200, body: { kind: 'ConfigMap', metadata: { name: 'aws-auth', resourceVersion: '4711' }, data: { mapRoles: '- rolearn: x\n' } } };

    const map = await kubernetes.readConfigMap(cluster, 'kube-system', 'aws-auth');

    expect(map).toEqual({ data: { mapRoles: '- rolearn: x\n' }, resourceVersion: '4711' });
    expect(seen).toEqual([{ method: 'GET', url: AWS_AUTH_PATH, authorization: 'Bearer k8s-aws-v1.token-for-demo' }]);
  });

  it('reads a missing ConfigMap (404) as undefined', async () => {
    reply = { status: 404, body: { kind: 'Status', message: 'configmaps "aws-auth" not found', code: 404 } };

    await expect(kubernetes.readConfigMap(cluster, 'kube-system', 'aws-auth')).resolves.toBeUndefined();
  });

  it('replaces a ConfigMap with PUT carrying the resourceVersion it read', async () => {
    reply = { status: 200, body: {} };

    await kubernetes.writeConfigMap(cluster, 'kube-system', 'aws-auth', { mapRoles: '[]\n' }, '4711');

    expect(seen).toEqual([
      {
        method: 'PUT',
        url: AWS_AUTH_PATH,
        authorization: 'Bearer k8s-aws-v1.token-for-demo',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system', resourceVersion: '4711' }, data: { mapRoles: '[]\n' } },
      },
    ]);
  });

  it('creates a ConfigMap with POST when there was none', async () => {
    reply = { status: 201, body: {} };

    await kubernetes.writeConfigMap(cluster, 'kube-system', 'aws-auth', { mapRoles: '[]\n' });

    expect(seen).toEqual([expect.objectContaining({ method: 'POST', url: '/api/v1/namespaces/kube-system/configmaps', body: expect.objectContaining({ metadata: { name: 'aws-auth', namespace: 'kube-system' } }) })]);
  });

  it('throws the retryable KubernetesConflictError on 409 (someone wrote in between)', async () => {
    reply = { status: 409, body: { kind: 'Status', message: 'the object has been modified', code: 409 } };

    const error = await rejectionOf(kubernetes.writeConfigMap(cluster, 'kube-system', 'aws-auth', {}, '1'));

    expect(error.name).toBe('KubernetesConflictError');
    expect(error.message).toMatch(/^aws-auth: /);
  });

  it("throws the terminal KubernetesApiError on 403, with the API server's reason", async () => {
    reply = { status: 403, body: { kind: 'Status', message: 'configmaps "aws-auth" is forbidden: User "arn:aws:sts::1:assumed-role/x" cannot update resource', code: 403 } };

    const error = await rejectionOf(kubernetes.writeConfigMap(cluster, 'kube-system', 'aws-auth', {}, '1'));

    expect(error.name).toBe('KubernetesApiError');
    expect(error.message).toBe('aws-auth: Kubernetes API of demo refused to write ConfigMap kube-system/aws-auth (403): configmaps "aws-auth" is forbidden: User "arn:aws:sts::1:assumed-role/x" cannot update resource');
  });

  it.each([500, 503, 429])('throws the retryable AwsUnavailableError when the API server answers %i', async (status) => {
    reply = { status, body: 'upstream unavailable' };

    const error = await rejectionOf(kubernetes.readConfigMap(cluster, 'kube-system', 'aws-auth'));

    expect(error.name).toBe('AwsUnavailableError');
    expect(error.message).toContain('upstream unavailable');
  });

  it('throws AwsUnavailableError when the API server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await rejectionOf(kubernetes.readConfigMap({ name: 'demo', endpoint: `http://127.0.0.1:${port}` }, 'kube-system', 'aws-auth'));

    expect(error.name).toBe('AwsUnavailableError');
    expect(error.message).toContain(`cannot reach the Kubernetes API of demo at http://127.0.0.1:${port}`);
  });
});

describe('HttpKubernetes endpoints with a path', () => {
  it('keeps the endpoint path in front of the API path, as kubectl does', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","message":"not found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const kubernetes = new HttpKubernetes(async () => 'k8s-aws-v1.token');

    await kubernetes.readConfigMap({ name: 'demo', endpoint: `http://127.0.0.1:${port}/k8s/demo/` }, 'kube-system', 'aws-auth');
    await new Promise((resolve) => server.close(resolve));

    expect(seen).toEqual(['/k8s/demo/api/v1/namespaces/kube-system/configmaps/aws-auth']);
  });
});

describe('HttpKubernetes nodes and pods', () => {
  const kubernetes = new HttpKubernetes(async () => 'k8s-aws-v1.token');

  it('lists nodes by label selector with their Ready condition; a node that never posted one is Unknown', async () => {
    reply = {
      status: 200,
      body: {
        items: [
          { metadata: { name: 'a', creationTimestamp: '2026-12-04T00:00:00Z' }, status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] } },
          { metadata: { name: 'b' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'cni plugin not initialized' }] } },
          { metadata: { name: 'c' } },
        ],
      },
    };

    await expect(kubernetes.listNodes(cluster, 'eks.amazonaws.com/nodegroup=ng-1')).resolves.toEqual([
      { name: 'a', ready: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', createdAt: '2026-12-04T00:00:00Z' },
      { name: 'b', ready: 'False', reason: 'KubeletNotReady', message: 'cni plugin not initialized', unschedulable: true },
      { name: 'c', ready: 'Unknown' },
    ]);
    expect(seen[0]!.url).toBe('/api/v1/nodes?labelSelector=eks.amazonaws.com%2Fnodegroup%3Dng-1');
  });

  it('cordons with a strategic merge patch of spec.unschedulable, as kubectl cordon does', async () => {
    await kubernetes.setUnschedulable(cluster, 'ip-10-0-1-5.ec2.internal', true);

    expect(seen[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/nodes/ip-10-0-1-5.ec2.internal', body: { spec: { unschedulable: true } } });
  });

  it("names the operation that cordons in the node's eks-provisioner/cordoned-by annotation, and takes it off with the cordon", async () => {
    await kubernetes.setUnschedulable(cluster, 'ip-10-0-1-5.ec2.internal', true, 'op-upgrade-1');
    await kubernetes.setUnschedulable(cluster, 'ip-10-0-1-5.ec2.internal', false);

    expect(seen.map((request) => request.body)).toEqual([
      { metadata: { annotations: { 'eks-provisioner/cordoned-by': 'op-upgrade-1' } }, spec: { unschedulable: true } },
      { metadata: { annotations: { 'eks-provisioner/cordoned-by': null } }, spec: { unschedulable: false } },
    ]);
  });

  it("reports each node's kubelet version and the operation that cordoned it", async () => {
    reply = {
      status: 200,
      body: { items: [{ metadata: { name: 'a', annotations: { 'eks-provisioner/cordoned-by': 'op-upgrade-1', 'node.alpha.kubernetes.io/ttl': '0' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.9-eks-8d3f2a1' } } }] },
    };

    await expect(kubernetes.listNodes(cluster, 'eks-provisioner/nodegroup=batch')).resolves.toEqual([{ name: 'a', ready: 'True', unschedulable: true, kubeletVersion: 'v1.32.9-eks-8d3f2a1', cordonedBy: 'op-upgrade-1' }]);
  });

  it('lists the pods bound to a node and tells DaemonSet, mirror, finished and terminating pods apart', async () => {
    reply = {
      status: 200,
      body: {
        items: [
          { metadata: { name: 'aws-node-x', namespace: 'kube-system', ownerReferences: [{ kind: 'DaemonSet', controller: true }] }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } },
          { metadata: { name: 'coredns-a', namespace: 'kube-system', ownerReferences: [{ kind: 'ReplicaSet', controller: true }], deletionTimestamp: '2026-12-04T00:00:00Z' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } },
          { metadata: { name: 'job-x', namespace: 'default' }, spec: { nodeName: 'n1' }, status: { phase: 'Succeeded' } },
        ],
      },
    };

    await expect(kubernetes.podsOn(cluster, 'n1')).resolves.toEqual([
      { namespace: 'kube-system', name: 'aws-node-x', node: 'n1', daemonSet: true, mirror: false, finished: false, terminating: false },
      { namespace: 'kube-system', name: 'coredns-a', node: 'n1', daemonSet: false, mirror: false, finished: false, terminating: true },
      { namespace: 'default', name: 'job-x', node: 'n1', daemonSet: false, mirror: false, finished: true, terminating: false },
    ]);
    expect(seen[0]!.url).toBe('/api/v1/pods?fieldSelector=spec.nodeName%3Dn1');
  });

  it('evicts through the Eviction API and answers a PodDisruptionBudget refusal with its causes', async () => {
    const pod = { namespace: 'kube-system', name: 'coredns-a', node: 'n1' };
    reply = { status: 201, body: { kind: 'Status', status: 'Success' } };
    await expect(kubernetes.evict(cluster, pod)).resolves.toEqual({ evicted: true });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/namespaces/kube-system/pods/coredns-a/eviction', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'coredns-a', namespace: 'kube-system' } } });

    reply = { status: 429, body: { kind: 'Status', message: "Cannot evict pod as it would violate the pod's disruption budget.", reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget coredns needs 2 healthy pods and has 2 currently' }] }, code: 429 } };
    await expect(kubernetes.evict(cluster, pod)).resolves.toEqual({
      evicted: false,
      blocked: { ...pod, message: "Cannot evict pod as it would violate the pod's disruption budget. The disruption budget coredns needs 2 healthy pods and has 2 currently" },
    });

    reply = { status: 500, body: { kind: 'Status', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 } };
    await expect(kubernetes.evict(cluster, pod)).resolves.toEqual({ evicted: false, blocked: { ...pod, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' } });

    reply = { status: 404, body: { kind: 'Status', message: 'pods "coredns-a" not found' } };
    await expect(kubernetes.evict(cluster, pod)).resolves.toEqual({ evicted: false, gone: true });
  });
});
