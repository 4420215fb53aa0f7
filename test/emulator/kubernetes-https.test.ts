/**
 * The clusters' endpoints are HTTPS on the emulator's own port, verified against the CA that
 * DescribeCluster hands out — by Node's TLS client and by kubectl (Go's) — while the AWS APIs
 * stay plain HTTP on the same port.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateClusterCommand, DescribeClusterCommand, EKSClient, type Cluster } from '@aws-sdk/client-eks';
import { seedDefaultNetwork } from '../../local/emulator/services/ec2';
import { createEksService } from '../../local/emulator/services/eks';
import { createKubernetesService } from '../../local/emulator/services/kubernetes';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { kubeFetch } from '../support/kube-fetch';
import { tools, itWith } from '../support/third-party';
import { until } from '../support/until';

const SCALE = 0.0005;
let emulator: RunningEmulator;
let world: World;
let cluster: Cluster;
let dir: string;

beforeAll(async () => {
  world = new World({ timeScale: SCALE });
  const eks = createEksService(world, { baseUrl: () => emulator.url });
  emulator = await startEmulator({ timeScale: SCALE, services: [eks, createKubernetesService(world, { eks })] }, world);
  const subnetIds = seedDefaultNetwork(world).subnets.map((s) => s.subnetId);
  world.iam.roles.set('cluster-role', { arn: 'arn:aws:iam::000000000000:role/cluster-role', roleName: 'cluster-role', path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: [], tags: {} });
  const client = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await client.send(new CreateClusterCommand({ name: 'tls', roleArn: 'arn:aws:iam::000000000000:role/cluster-role', resourcesVpcConfig: { subnetIds } }));
  cluster = await until(
    async () => (await client.send(new DescribeClusterCommand({ name: 'tls' }))).cluster!,
    (found) => found.status === 'ACTIVE',
    'cluster tls ACTIVE',
  );
  dir = mkdtempSync(join(tmpdir(), 'eksp-https-'));
});

afterAll(async () => {
  emulator.server.closeAllConnections();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the cluster endpoint', () => {
  it('is HTTPS on the emulator port, and its certificate verifies against the cluster’s certificateAuthority.data', async () => {
    const ca = Buffer.from(cluster.certificateAuthority!.data!, 'base64');

    const { status, text: body } = await kubeFetch(`${cluster.endpoint}/version`, ca.toString());

    expect(cluster.endpoint).toBe(`https://127.0.0.1:${emulator.port}/k8s/tls`);
    expect(ca.toString()).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\.\d+\.\d+-eks-/) });
  });

  it('is refused by a client that does not trust the local CA', async () => {
    await expect(kubeFetch(`${cluster.endpoint}/version`, undefined)).rejects.toThrow(/self[- ]signed certificate|unable to verify/i);
  });

  it('answers plain HTTP on the cluster endpoint as kube-apiserver does: 400, HTTPS only', async () => {
    const response = await fetch(`${emulator.url}/k8s/tls/version`);

    expect(response.status).toBe(400);
    expect(await response.text()).toBe('Client sent an HTTP request to an HTTPS server.\n');
  });

  it('leaves the AWS APIs on plain HTTP at the same port', async () => {
    const response = await fetch(`${emulator.url}/clusters/tls`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20261203/us-east-1/eks/aws4_request, SignedHeaders=host, Signature=0' } });

    expect(response.status).toBe(200);
  });

  /** kubectl version against the endpoint, with these CA data (and a token the server will refuse: /version needs no more). */
  async function kubectlVersion(caData: string): Promise<string> {
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'tls', cluster: { server: cluster.endpoint, 'certificate-authority-data': caData } }],
        contexts: [{ name: 'tls', context: { cluster: 'tls', user: 'someone' } }],
        users: [{ name: 'someone', user: { token: 'not-an-eks-token' } }],
        'current-context': 'tls',
      }),
    );
    const run = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, 'version', '-o', 'json'], { timeout: 30_000, env: { PATH: process.env.PATH, HOME: dir } }).then(
      () => ({ stderr: '' }),
      (error: { stderr: string }) => error,
    );
    return run.stderr;
  }

  itWith(tools.kubectl, 'kubectl')('kubectl verifies it with the kubeconfig’s CA data (and gets as far as authentication), and refuses it with another CA', async () => {
    const trusted = await kubectlVersion(cluster.certificateAuthority!.data!);
    const other = new World({ timeScale: SCALE }).certificates.authorityData();
    const untrusted = await kubectlVersion(other);

    expect(trusted).toMatch(/Unauthorized|provide credentials/);
    expect(trusted).not.toMatch(/x509/);
    expect(untrusted).toMatch(/x509: certificate signed by unknown authority/);
  });
});
