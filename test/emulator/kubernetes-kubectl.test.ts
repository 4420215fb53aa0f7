/**
 * The real kubectl 1.33 against an emulated cluster, signed in as EKS users sign in: a kubeconfig
 * whose user is the exec plugin `aws eks get-token` (the AWS CLI pointed at the emulator), over
 * HTTPS verified with the cluster's certificateAuthority.data. The cluster has a nodegroup with
 * two EC2 instances and the vpc-cni, kube-proxy and coredns add-ons, as a fresh EKS cluster has.
 *
 * The first test signs in exactly so on every call. The others keep each user's token from its
 * first `aws eks get-token` (tokens live 15 minutes, as in EKS) instead of starting the AWS CLI,
 * a Python process of about a second, for each of some thirty kubectl calls.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssociateAccessPolicyCommand, CreateAccessEntryCommand, CreateAddonCommand, CreateClusterCommand, CreateNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { load } from 'js-yaml';
import { createEksService } from '../../local/emulator/services/eks';
import { createKubernetesService } from '../../local/emulator/services/kubernetes';
import { clusterInstances } from '../../local/emulator/services/kubernetes/nodes';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { spawnCollect, type ToolRun } from '../support/aws-tools';
import { tools, emulatorOnlyEnvironment, itWith } from '../support/third-party';
import { until } from '../support/until';

const SCALE = 0.001;
const ACCOUNT = '000000000000';
const KEYS = {
  admin: { id: 'AKIDKUBECTLADMIN', secret: 'admin-secret', arn: `arn:aws:iam::${ACCOUNT}:user/platform-admin` },
  viewer: { id: 'AKIDKUBECTLVIEWER', secret: 'viewer-secret', arn: `arn:aws:iam::${ACCOUNT}:user/viewer` },
  stranger: { id: 'AKIDKUBECTLSTRANGER', secret: 'stranger-secret', arn: `arn:aws:iam::${ACCOUNT}:user/stranger` },
};
const AUDITOR = `arn:aws:iam::${ACCOUNT}:user/auditor`;
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/node-role`;
const withKubectl = itWith(tools.kubectl && tools.awsCli, tools.kubectl ? 'the AWS CLI (for aws eks get-token)' : 'kubectl');

let emulator: RunningEmulator;
let world: World;
let eks: EKSClient;
let dir: string;
/** The cluster's nodes as EC2 knows them, in name order: what kubectl must show. */
let nodes: Array<{ name: string; ip: string; zone: string }>;

beforeAll(async () => {
  world = new World({ timeScale: SCALE });
  const credentials = Object.fromEntries(Object.values(KEYS).map((k) => [k.id, k.secret]));
  const eksService = createEksService(world, { baseUrl: () => emulator.url });
  emulator = await startEmulator(
    {
      timeScale: SCALE,
      services: [eksService, createStsService(world, { callers: Object.fromEntries(Object.values(KEYS).map((k) => [k.id, k.arn])), credentials }), createKubernetesService(world, { eks: eksService, credentials })],
    },
    world,
  );
  eks = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: KEYS.admin.id, secretAccessKey: KEYS.admin.secret }, maxAttempts: 1 });

  const vpcId = world.newId('vpc');
  world.ec2.vpcs.set(vpcId, { vpcId, cidrBlock: '192.168.0.0/16', tags: {} });
  const subnets = ['a', 'b'].map((zone, i) => {
    const subnetId = world.newId('subnet');
    world.ec2.subnets.set(subnetId, { subnetId, vpcId, cidrBlock: `192.168.${i * 32}.0/19`, availabilityZone: `us-east-1${zone}`, mapPublicIpOnLaunch: false, tags: {} });
    return subnetId;
  });
  world.iam.roles.set('cluster-role', { arn: `arn:aws:iam::${ACCOUNT}:role/cluster-role`, roleName: 'cluster-role', path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: [], tags: {} });
  world.iam.roles.set('node-role', {
    arn: NODE_ROLE,
    roleName: 'node-role',
    path: '/',
    assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly'],
    tags: {},
  });

  await eks.send(new CreateClusterCommand({ name: 'demo', version: '1.33', roleArn: `arn:aws:iam::${ACCOUNT}:role/cluster-role`, resourcesVpcConfig: { subnetIds: subnets }, accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
  const cluster = await until(() => eks.send(new DescribeClusterCommand({ name: 'demo' })).then((r) => r.cluster!), (c) => c.status === 'ACTIVE', 'cluster demo ACTIVE');
  await eks.send(new CreateNodegroupCommand({ clusterName: 'demo', nodegroupName: 'ng-general', nodeRole: NODE_ROLE, subnets, scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 }, instanceTypes: ['t3.medium'] }));
  await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: 'demo', nodegroupName: 'ng-general' })).then((r) => r.nodegroup!.status), (s) => s === 'ACTIVE', 'nodegroup ACTIVE');
  // The nodegroup's Auto Scaling group launched its instances: the nodes kubectl lists.
  nodes = clusterInstances(world, eksService.state.clusters.get('demo')!)
    .map((i) => ({ name: i.privateDnsName, ip: i.privateIpAddress, zone: i.availabilityZone }))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const addonName of ['vpc-cni', 'kube-proxy', 'coredns']) await eks.send(new CreateAddonCommand({ clusterName: 'demo', addonName }));
  await eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: KEYS.viewer.arn }));
  await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn: KEYS.viewer.arn, policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['kube-system'] } }));

  dir = mkdtempSync(join(tmpdir(), 'eksp-kubectl-'));
  const getToken = ['aws', 'eks', 'get-token', '--cluster-name', 'demo', '--region', 'us-east-1'];
  // Prints the token cached in $1, or runs the rest of its arguments once to get and cache it.
  const cachingPlugin = join(dir, 'cached-token.sh');
  writeFileSync(cachingPlugin, '#!/bin/sh\ncache=$1; shift\nif [ ! -s "$cache" ]; then "$@" > "$cache.$$" && mv "$cache.$$" "$cache" || exit 1; fi\nexec cat "$cache"\n');
  chmodSync(cachingPlugin, 0o755);
  const user = (name: string, key: (typeof KEYS)[keyof typeof KEYS], cached: boolean) => ({
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      ...(cached ? { command: cachingPlugin, args: [join(dir, `token-${name}.json`), ...getToken] } : { command: getToken[0], args: getToken.slice(1) }),
      env: [
        { name: 'AWS_ACCESS_KEY_ID', value: key.id },
        { name: 'AWS_SECRET_ACCESS_KEY', value: key.secret },
      ],
      interactiveMode: 'Never',
    },
  });
  writeFileSync(
    join(dir, 'config'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'demo', cluster: { server: cluster.endpoint, 'certificate-authority-data': cluster.certificateAuthority!.data } }],
      users: [...Object.entries(KEYS).map(([name, key]) => ({ name, user: user(name, key, true) })), { name: 'admin-uncached', user: user('admin', KEYS.admin, false) }],
      contexts: [...Object.keys(KEYS), 'admin-uncached'].map((name) => ({ name, context: { cluster: 'demo', user: name } })),
      'current-context': 'admin',
    }),
  );
});

afterAll(async () => {
  eks.destroy();
  emulator.server.closeAllConnections();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs kubectl with only the emulator reachable: its own HOME (fresh discovery cache) and the AWS CLI aimed at the emulator. */
function kubectl(args: string[], options: { context?: string; env?: Record<string, string> } = {}): Promise<ToolRun> {
  return spawnCollect('kubectl', ['--kubeconfig', join(dir, 'config'), '--context', options.context ?? 'admin', ...args], { ...emulatorOnlyEnvironment(emulator.url), HOME: dir, ...options.env });
}

const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/));

describe('kubectl against an emulated EKS cluster', () => {
  withKubectl('`kubectl get nodes`, signed in by `aws eks get-token` itself, shows the two EC2 instances as Ready nodes with the EKS kubelet version', async () => {
    const { code, stdout, stderr } = await kubectl(['get', 'nodes'], { context: 'admin-uncached' });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(nodes).toHaveLength(2);
    expect(rows(stdout).map(([name, status, roles, , version]) => [name, status, roles, version])).toEqual(nodes.map((n) => [n.name, 'Ready', '<none>', 'v1.33.5-eks-113cf36']));
  });

  withKubectl('kubectl takes the aggregated discovery document: two discovery requests, none per group version', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const { code, stderr } = await kubectl(['get', 'nodes', '-v=6'], { env: { HOME: home } });
    const requested = [...stderr.matchAll(/"Response" verb="GET" url="https:\/\/127\.0\.0\.1:\d+\/k8s\/demo([^"?]*)/g)].map((m) => m[1]);

    expect(code).toBe(0);
    expect(requested).toEqual(['/api', '/apis', '/api/v1/nodes']);
  });

  withKubectl('`kubectl get nodes -o wide` adds the private IPs, and -L shows the nodegroup and zone labels', async () => {
    const { stdout } = await kubectl(['get', 'nodes', '-o', 'wide', '-L', 'eks.amazonaws.com/nodegroup,topology.kubernetes.io/zone']);

    expect(stdout.split('\n')[0]).toMatch(/INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME\s+NODEGROUP\s+ZONE$/);
    expect(rows(stdout).map((cells) => [cells[5], cells.at(-2), cells.at(-1)])).toEqual(nodes.map((n) => [n.ip, 'ng-general', n.zone]));
  });

  withKubectl('`kubectl describe node` reads the node and its heartbeat Lease without errors; `kubectl get events -A` finds none', async () => {
    const [described, events] = await Promise.all([kubectl(['describe', 'node', nodes[0]!.name]), kubectl(['get', 'events', '-A'])]);

    expect(described).toMatchObject({ code: 0, stderr: '' });
    expect(described.stdout).toMatch(new RegExp(`^Lease:\\s*\\n\\s+HolderIdentity:\\s+${nodes[0]!.name.replace(/\./g, '\\.')}`, 'm'));
    expect(described.stdout).toMatch(/^Events:\s+<none>/m);
    expect(events).toMatchObject({ code: 0, stdout: '' });
    expect(events.stderr).toMatch(/No resources found/);
  });

  withKubectl('`kubectl get pods -A` and `get ds,deploy,svc -A` show the system add-ons running on the nodes', async () => {
    const [pods, daemonSets, deployments, services] = await Promise.all([kubectl(['get', 'pods', '-A', '-o', 'wide']), kubectl(['get', 'ds', '-A']), kubectl(['get', 'deploy', '-A']), kubectl(['get', 'svc', '-A'])]);

    const podRows = rows(pods.stdout);
    expect(podRows.map(([namespace, name, ready, status]) => [namespace, name!.replace(/(-[a-z0-9]{10})?-[a-z0-9]{5}$/, ''), ready, status])).toEqual([
      ['kube-system', 'aws-node', '2/2', 'Running'],
      ['kube-system', 'aws-node', '2/2', 'Running'],
      ['kube-system', 'coredns', '1/1', 'Running'],
      ['kube-system', 'coredns', '1/1', 'Running'],
      ['kube-system', 'kube-proxy', '1/1', 'Running'],
      ['kube-system', 'kube-proxy', '1/1', 'Running'],
    ]);
    const ipOf = (prefix: string) => podRows.filter(([, name]) => name!.startsWith(prefix)).map((cells) => cells[6]);
    const nodeIps = nodes.map((n) => n.ip).sort();
    expect(ipOf('aws-node-').sort()).toEqual(nodeIps);
    expect(ipOf('kube-proxy-').sort()).toEqual(nodeIps);
    // coredns gets VPC addresses of its own (the subnets are 192.168.0.0/19 and 192.168.32.0/19).
    for (const ip of ipOf('coredns-')) {
      expect(ip).toMatch(/^192\.168\.\d+\.\d+$/);
      expect(Number(ip!.split('.')[2])).toBeLessThan(64);
      expect(nodeIps).not.toContain(ip);
    }

    expect(daemonSets.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
    expect(rows(daemonSets.stdout).map((cells) => cells.slice(0, 8))).toEqual([
      ['kube-system', 'aws-node', '2', '2', '2', '2', '2', '<none>'],
      ['kube-system', 'kube-proxy', '2', '2', '2', '2', '2', '<none>'],
    ]);
    expect(rows(deployments.stdout).map((cells) => cells.slice(0, 5))).toEqual([['kube-system', 'coredns', '2/2', '2', '2']]);
    expect(rows(services.stdout).map((cells) => cells.slice(0, 6))).toEqual([
      ['default', 'kubernetes', 'ClusterIP', '10.100.0.1', '<none>', '443/TCP'],
      ['kube-system', 'kube-dns', 'ClusterIP', '10.100.0.10', '<none>', '53/UDP,53/TCP,9153/TCP'],
    ]);
  });

  withKubectl('`kubectl -n kube-system get cm aws-auth -o yaml` shows the node role EKS mapped', async () => {
    const { code, stdout } = await kubectl(['-n', 'kube-system', 'get', 'cm', 'aws-auth', '-o', 'yaml']);
    const configMap = load(stdout) as { kind: string; data: { mapRoles: string } };

    expect(code).toBe(0);
    expect(configMap.kind).toBe('ConfigMap');
    expect(load(configMap.data.mapRoles)).toEqual([{ rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]);
  });

  withKubectl('`kubectl apply -f` creates and then configures a ConfigMap (client-side apply with the OpenAPI schema and server-side validation); `create`, `get` and `delete` work too', async () => {
    const file = join(dir, 'settings.yaml');
    const manifest = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team-settings\n  namespace: default\ndata:\n${data}`;
    writeFileSync(file, manifest('  color: blue\n  size: small\n'));
    const created = await kubectl(['apply', '-f', file]);
    writeFileSync(file, manifest('  color: green\n'));
    const configured = await kubectl(['apply', '-f', file]);
    writeFileSync(file, manifest('  color: green\n').replace('\ndata:', '\nunknownField: 1\ndata:'));
    const strict = await kubectl(['apply', '-f', file]);
    const data = await kubectl(['get', 'cm', 'team-settings', '-o', 'jsonpath={.data}']);
    const createdImperatively = await kubectl(['create', 'configmap', 'scratch', '--from-literal=a=b']);
    const listed = await kubectl(['get', 'cm']);
    const deleted = await kubectl(['delete', 'cm', 'scratch']);
    const gone = await kubectl(['get', 'cm', 'scratch']);

    expect(created).toMatchObject({ code: 0, stdout: 'configmap/team-settings created\n' });
    expect(configured).toMatchObject({ code: 0, stdout: 'configmap/team-settings configured\n', stderr: '' });
    // The three-way patch removed the key the previous apply set and this one dropped.
    expect(JSON.parse(data.stdout)).toEqual({ color: 'green' });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/unknown field "unknownField"/);
    expect(createdImperatively).toMatchObject({ code: 0, stdout: 'configmap/scratch created\n' });
    expect(rows(listed.stdout).map(([name, count]) => [name, count])).toEqual([
      ['scratch', '1'],
      ['team-settings', '1'],
    ]);
    expect(deleted).toMatchObject({ code: 0, stdout: 'configmap "scratch" deleted\n' });
    expect(gone.stderr).toBe('Error from server (NotFound): configmaps "scratch" not found\n');
  });

  withKubectl('`kubectl patch` (strategic merge, merge and JSON patch) and `kubectl edit` (KUBE_EDITOR) change aws-auth', async () => {
    const strategic = await kubectl(['-n', 'kube-system', 'patch', 'cm', 'aws-auth', '-p', JSON.stringify({ data: { mapUsers: `- userarn: ${AUDITOR}\n  username: auditor\n  groups: [readers]\n` } })]);
    const merge = await kubectl(['-n', 'kube-system', 'patch', 'cm', 'aws-auth', '--type', 'merge', '-p', '{"metadata":{"labels":{"reviewed":"yes"}}}']);
    const json = await kubectl(['-n', 'kube-system', 'patch', 'cm', 'aws-auth', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/annotations","value":{"owner":"platform"}}]']);
    const editor = join(dir, 'editor.sh');
    // The editor appends a second role mapping to the mapRoles block of the YAML kubectl hands it.
    writeFileSync(editor, `#!/bin/sh\nsed -i 's#^  mapRoles: |$#  mapRoles: |\\n    - rolearn: arn:aws:iam::${ACCOUNT}:role/ops\\n      username: ops\\n      groups: [system:masters]#' "$1"\n`);
    chmodSync(editor, 0o755);
    const edit = await kubectl(['-n', 'kube-system', 'edit', 'cm', 'aws-auth'], { env: { KUBE_EDITOR: editor } });
    const after = load((await kubectl(['-n', 'kube-system', 'get', 'cm', 'aws-auth', '-o', 'yaml'])).stdout) as { metadata: { labels: object; annotations: object }; data: { mapRoles: string; mapUsers: string } };

    expect([strategic, merge, json, edit].map((r) => [r.code, r.stdout])).toEqual([
      [0, 'configmap/aws-auth patched\n'],
      [0, 'configmap/aws-auth patched\n'],
      [0, 'configmap/aws-auth patched\n'],
      [0, 'configmap/aws-auth edited\n'],
    ]);
    expect(after.metadata).toMatchObject({ labels: { reviewed: 'yes' }, annotations: { owner: 'platform' } });
    expect(load(after.data.mapUsers)).toEqual([{ userarn: AUDITOR, username: 'auditor', groups: ['readers'] }]);
    expect(load(after.data.mapRoles)).toEqual([
      { rolearn: `arn:aws:iam::${ACCOUNT}:role/ops`, username: 'ops', groups: ['system:masters'] },
      { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
    ]);
  });

  withKubectl('`kubectl auth whoami` names the caller as EKS does, and `kubectl auth can-i` answers from the access policies', async () => {
    const [whoami, adminNodes, viewerRead, viewerWrite, viewerElsewhere] = await Promise.all([
      kubectl(['auth', 'whoami', '-o', 'json']),
      kubectl(['auth', 'can-i', 'delete', 'nodes']),
      kubectl(['auth', 'can-i', 'get', 'configmaps', '-n', 'kube-system'], { context: 'viewer' }),
      kubectl(['auth', 'can-i', 'patch', 'configmaps', '-n', 'kube-system'], { context: 'viewer' }),
      kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'default'], { context: 'viewer' }),
    ]);

    expect(JSON.parse(whoami.stdout)).toMatchObject({
      kind: 'SelfSubjectReview',
      status: {
        userInfo: {
          username: KEYS.admin.arn,
          uid: expect.stringMatching(/^aws-iam-authenticator:000000000000:AIDA/),
          groups: ['system:authenticated'],
          extra: { accessKeyId: [KEYS.admin.id], arn: [KEYS.admin.arn], canonicalArn: [KEYS.admin.arn], sessionName: [''] },
        },
      },
    });
    expect([adminNodes, viewerRead, viewerWrite, viewerElsewhere].map((r) => [r.code, r.stdout.trim()])).toEqual([
      [0, 'yes'],
      [0, 'yes'],
      [1, 'no'],
      [1, 'no'],
    ]);
  });

  withKubectl('a principal without access is Unauthorized; a viewer is Forbidden outside its policy', async () => {
    const [stranger, viewerNodes, viewerPods] = await Promise.all([kubectl(['get', 'pods', '-A'], { context: 'stranger' }), kubectl(['get', 'nodes'], { context: 'viewer' }), kubectl(['-n', 'kube-system', 'get', 'pods'], { context: 'viewer' })]);

    expect(stranger.code).not.toBe(0);
    expect(stranger.stderr).toMatch(/error: You must be logged in to the server \(Unauthorized\)/);
    expect(viewerNodes.code).not.toBe(0);
    expect(viewerNodes.stderr).toContain('Error from server (Forbidden): nodes is forbidden: User "arn:aws:iam::000000000000:user/viewer" cannot list resource "nodes" in API group "" at the cluster scope');
    expect(viewerPods.code).toBe(0);
  });
});
