/**
 * Third-party clients against the local EKS: the AWS CLI (`aws eks describe-cluster`, errors
 * included) and boto3 with its waiters (cluster_active, nodegroup_active,
 * fargate_profile_active). They ship with the machine image; without them these tests skip with a
 * warning, except under CI=true, where they are required.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { createEksService } from '../../local/emulator/services/eks';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { emulatorOnlyEnvironment, tools, itWith } from '../support/third-party';
import { seedRoles, seedTwoZoneVpc } from '../support/eks-world';

const run = promisify(execFile);
const ACCOUNT = '000000000000';

let emulator: RunningEmulator;
let world: World;
let eks: EKSClient;
const subnets: string[] = [];
let environment: NodeJS.ProcessEnv;

beforeAll(async () => {
  // A little slower than the other emulator tests, so the waiters see CREATING before ACTIVE.
  world = new World({ timeScale: 0.002 });
  const service = createEksService(world, { baseUrl: () => emulator.url });
  emulator = await startEmulator({ timeScale: 0.002, services: [service, createStsService(world)] }, world);
  eks = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDCONFORMANCE', secretAccessKey: 'x' } });
  subnets.push(...seedTwoZoneVpc(world));
  seedRoles(world, ACCOUNT, { 'cluster-role': ['AmazonEKSClusterPolicy'], 'node-role': ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'], 'pod-role': ['AmazonEKSFargatePodExecutionRolePolicy'] });
  environment = emulatorOnlyEnvironment(emulator.url);
});

afterAll(async () => {
  eks.destroy();
  emulator.server.closeAllConnections();
  await emulator.close();
});

const createCluster = (name: string) =>
  eks.send(new CreateClusterCommand({ name, version: '1.33', roleArn: `arn:aws:iam::${ACCOUNT}:role/cluster-role`, resourcesVpcConfig: { subnetIds: subnets }, accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));

describe('EKS conformance with third-party clients', () => {
  itWith(tools.awsCli, 'the AWS CLI')('`aws eks describe-cluster` parses the cluster (epoch-second timestamps included) and reports a missing one as ResourceNotFoundException', async () => {
    await createCluster('cli');

    const [{ stdout }, missing] = await Promise.all([
      run('aws', ['eks', 'describe-cluster', '--name', 'cli', '--endpoint-url', emulator.url, '--output', 'json'], { env: environment }),
      run('aws', ['eks', 'describe-cluster', '--name', 'nope', '--endpoint-url', emulator.url], { env: environment }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      ),
    ]);

    const { cluster } = JSON.parse(stdout) as { cluster: Record<string, unknown> };
    expect(cluster).toMatchObject({ name: 'cli', arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/cli`, version: '1.33', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } });
    expect(['CREATING', 'ACTIVE']).toContain(cluster.status);
    // AWS CLI v1 prints EKS timestamps as the epoch seconds EKS sends.
    expect(Math.abs(Number(cluster.createdAt) * 1000 - world.clock.now().getTime())).toBeLessThan(3_600_000);
    expect(missing?.code).toBe(255);
    expect(missing?.stderr).toMatch(/ResourceNotFoundException/);
  });

  itWith(tools.boto3, 'python3 with boto3')('boto3 waiters cluster_active, nodegroup_active and fargate_profile_active wait through CREATING to ACTIVE', async () => {
    // Created by the script itself, just before its first look: boto3 takes a while to import on
    // a busy machine, and a cluster made earlier could be ACTIVE by then.
    const script = [
      'import json, os, sys, boto3',
      "eks = boto3.client('eks', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')",
      // botocore sleeps Delay seconds between polls; 0.2 s keeps each wait near the resource's own time.
      "fast = {'Delay': 0.2, 'MaxAttempts': 150}",
      'subnets = sys.argv[1].split(",")',
      "eks.create_cluster(name='waited', version='1.33', roleArn=sys.argv[4], resourcesVpcConfig={'subnetIds': subnets}, accessConfig={'authenticationMode': 'API_AND_CONFIG_MAP'})",
      "seen = [eks.describe_cluster(name='waited')['cluster']['status']]",
      "eks.get_waiter('cluster_active').wait(name='waited', WaiterConfig=fast)",
      "seen.append(eks.describe_cluster(name='waited')['cluster']['status'])",
      "eks.create_nodegroup(clusterName='waited', nodegroupName='ng', nodeRole=sys.argv[2], subnets=subnets, scalingConfig={'minSize': 1, 'maxSize': 2, 'desiredSize': 1})",
      "eks.get_waiter('nodegroup_active').wait(clusterName='waited', nodegroupName='ng', WaiterConfig=fast)",
      "eks.create_fargate_profile(clusterName='waited', fargateProfileName='fp', podExecutionRoleArn=sys.argv[3], selectors=[{'namespace': 'default'}])",
      "eks.get_waiter('fargate_profile_active').wait(clusterName='waited', fargateProfileName='fp', WaiterConfig=fast)",
      "seen.append(eks.describe_nodegroup(clusterName='waited', nodegroupName='ng')['nodegroup']['status'])",
      "seen.append(eks.describe_fargate_profile(clusterName='waited', fargateProfileName='fp')['fargateProfile']['status'])",
      'print(json.dumps(seen))',
    ].join('\n');

    const { stdout } = await run('python3', ['-c', script, subnets.join(','), `arn:aws:iam::${ACCOUNT}:role/node-role`, `arn:aws:iam::${ACCOUNT}:role/pod-role`, `arn:aws:iam::${ACCOUNT}:role/cluster-role`], { env: environment, timeout: 60_000 });

    expect(JSON.parse(stdout)).toEqual(['CREATING', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
  });
});
