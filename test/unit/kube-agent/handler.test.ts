/** The kube agent's handler: its contract (schemas/kube-agent.schema.json) and how it reports the Kubernetes API's outcomes. */
import { HttpKubernetes } from '../../../functions/kube-agent/http-kubernetes';
import { handleKubeAgentRequest } from '../../../functions/kube-agent/handler';
import { AwsUnavailableError, KubernetesApiError, KubernetesConflictError } from '../../../functions/shared/errors';

const CLUSTER = { name: 'demo', endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: 'LS0tLS1CRUdJTg==' };
const TOKEN = 'k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8';
const read = { action: 'readAwsAuth', cluster: CLUSTER, token: TOKEN };

afterEach(() => jest.restoreAllMocks());

describe('the kube agent', () => {
  it('reads kube-system/aws-auth, and only it, with the token it is given', async () => {
    const spy = jest.spyOn(HttpKubernetes.prototype, 'readConfigMap').mockResolvedValue({ data: { mapRoles: '[]' }, resourceVersion: '7' });

    await expect(handleKubeAgentRequest(read)).resolves.toEqual({ awsAuth: { data: { mapRoles: '[]' }, resourceVersion: '7' } });
    expect(spy).toHaveBeenCalledWith(CLUSTER, 'kube-system', 'aws-auth');
  });

  it('answers no awsAuth when it does not exist', async () => {
    jest.spyOn(HttpKubernetes.prototype, 'readConfigMap').mockResolvedValue(undefined);

    await expect(handleKubeAgentRequest(read)).resolves.toEqual({});
  });

  it('writes aws-auth with the resourceVersion it is given', async () => {
    const spy = jest.spyOn(HttpKubernetes.prototype, 'writeConfigMap').mockResolvedValue();

    await expect(handleKubeAgentRequest({ action: 'writeAwsAuth', cluster: CLUSTER, token: TOKEN, data: { mapRoles: '[]' }, resourceVersion: '7' })).resolves.toEqual({});
    expect(spy).toHaveBeenCalledWith(CLUSTER, 'kube-system', 'aws-auth', { mapRoles: '[]' }, '7');
  });

  it('lists the nodes a label selector picks', async () => {
    const spy = jest.spyOn(HttpKubernetes.prototype, 'listNodes').mockResolvedValue([{ name: 'ip-10-0-1-5.ec2.internal', ready: 'False', reason: 'KubeletNotReady', message: 'cni plugin not initialized' }]);

    await expect(handleKubeAgentRequest({ action: 'listNodes', cluster: CLUSTER, token: TOKEN, labelSelector: 'eks.amazonaws.com/nodegroup=ng-1' })).resolves.toEqual({
      nodes: [{ name: 'ip-10-0-1-5.ec2.internal', ready: 'False', reason: 'KubeletNotReady', message: 'cni plugin not initialized' }],
    });
    expect(spy).toHaveBeenCalledWith(CLUSTER, 'eks.amazonaws.com/nodegroup=ng-1');
  });

  it('cordons each node named, and uncordons them when asked', async () => {
    const spy = jest.spyOn(HttpKubernetes.prototype, 'setUnschedulable').mockResolvedValue();

    await handleKubeAgentRequest({ action: 'cordonNodes', cluster: CLUSTER, token: TOKEN, nodeNames: ['a', 'b'] });
    await handleKubeAgentRequest({ action: 'cordonNodes', cluster: CLUSTER, token: TOKEN, nodeNames: ['a'], unschedulable: false });

    expect(spy.mock.calls).toEqual([[CLUSTER, 'a', true], [CLUSTER, 'b', true], [CLUSTER, 'a', false]]);
  });

  it('drains as kubectl drain --ignore-daemonsets does: evicts the rest, counts what is leaving, answers refusals', async () => {
    const pod = (name: string, extra: Partial<{ daemonSet: boolean; mirror: boolean; finished: boolean; terminating: boolean }> = {}) => ({ namespace: 'kube-system', name, node: 'n1', daemonSet: false, mirror: false, finished: false, terminating: false, ...extra });
    jest.spyOn(HttpKubernetes.prototype, 'podsOn').mockResolvedValue([pod('aws-node-x', { daemonSet: true }), pod('static', { mirror: true }), pod('job-done', { finished: true }), pod('leaving', { terminating: true }), pod('coredns-a'), pod('coredns-b')]);
    const evict = jest.spyOn(HttpKubernetes.prototype, 'evict').mockImplementation(async (_cluster, ref) =>
      ref.name === 'coredns-b' ? { evicted: false, blocked: { ...ref, message: "Cannot evict pod as it would violate the pod's disruption budget." } } : { evicted: true },
    );

    const response = await handleKubeAgentRequest({ action: 'drainNodes', cluster: CLUSTER, token: TOKEN, nodeNames: ['n1'] });

    expect(evict.mock.calls.map(([, ref]) => ref.name)).toEqual(['coredns-a', 'coredns-b']);
    expect(response.drain).toEqual({
      evicted: 1,
      remaining: ['leaving', 'coredns-a', 'coredns-b'].map((name) => ({ namespace: 'kube-system', name, node: 'n1' })),
      blocked: [{ namespace: 'kube-system', name: 'coredns-b', node: 'n1', message: "Cannot evict pod as it would violate the pod's disruption budget." }],
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an action outside its contract', { ...read, action: 'deletePod' }, '/action must be equal to one of the allowed values'],
    ['a plain-HTTP endpoint', { ...read, cluster: { ...CLUSTER, endpoint: 'http://10.0.0.1' } }, '/cluster/endpoint must match pattern'],
    ['a token that is not an EKS token', { ...read, token: 'Bearer abc' }, '/token must match pattern'],
    ['a write without data', { action: 'writeAwsAuth', cluster: CLUSTER, token: TOKEN }, "must have required property 'data'"],
    ['a read with data', { ...read, data: {} }, '/ must NOT be valid'],
    ['a field it does not know', { ...read, namespace: 'default' }, 'must NOT have additional properties'],
    ['a node list without a selector', { ...read, action: 'listNodes' }, "must have required property 'labelSelector'"],
    ['a selector that is not key=value', { ...read, action: 'listNodes', labelSelector: 'app in (a,b)' }, '/labelSelector must match pattern'],
    ['a drain naming no node', { ...read, action: 'drainNodes', nodeNames: [] }, '/nodeNames must NOT have fewer than 1 items'],
    ['a cordon with aws-auth data', { ...read, action: 'cordonNodes', nodeNames: ['a'], data: {} }, '/ must NOT be valid'],
  ])('refuses %s before any call, with a typed error naming the rule', async (_, request, rule) => {
    const reads = jest.spyOn(HttpKubernetes.prototype, 'readConfigMap');

    const response = await handleKubeAgentRequest(request);

    expect(response.error?.name).toBe('KubeAgentContractError');
    expect(response.error?.message).toContain(rule);
    expect(reads).not.toHaveBeenCalled();
  });

  it.each([
    ['KubernetesConflictError', new KubernetesConflictError('ConfigMap kube-system/aws-auth changed while we wrote it; re-reading', { resource: 'aws-auth' }), undefined],
    ['KubernetesApiError', new KubernetesApiError('Kubernetes API of demo refused to read ConfigMap kube-system/aws-auth (401): Unauthorized', { resource: 'aws-auth', status: 401 }), 401],
    ['AwsUnavailableError', new AwsUnavailableError('cannot reach the Kubernetes API of demo at https://ABC: timed out after 10 s', { resource: 'aws-auth' }), undefined],
  ] as const)('reports %s from the Kubernetes API as a typed error, not a function error', async (name, error, status) => {
    jest.spyOn(HttpKubernetes.prototype, 'readConfigMap').mockRejectedValue(error);

    const response = await handleKubeAgentRequest(read);

    expect(response.error).toEqual({ name, message: error.message, ...(status ? { status } : {}) });
  });

  it('fails as a function for anything else (its own bug): the caller retries it as unavailability', async () => {
    jest.spyOn(HttpKubernetes.prototype, 'readConfigMap').mockRejectedValue(new TypeError('boom'));

    await expect(handleKubeAgentRequest(read)).rejects.toThrow('boom');
  });
});
