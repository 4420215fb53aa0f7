/**
 * Each handler invocation acts as its own function's role, even when invocations of different
 * functions interleave in the one local process: the ports resolve per invocation
 * (runtime/function-scope.ts, runtime/deps.ts), with the credentials Lambda would give.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { seedDefaultNetwork } from '../../../local/emulator';
import { startEmulator, type RunningEmulator } from '../../../local/emulator/server';
import { createEc2Service } from '../../../local/emulator/services/ec2';
import { createStsService } from '../../../local/emulator/services/sts';
import { World } from '../../../local/emulator/world';
import { functionScopedDeps } from '../../../local/runtime/deps';
import { currentFunction, runAsFunction } from '../../../local/runtime/function-scope';
import { createServiceRoles, functionIdentity } from '../../../local/runtime/service-roles';

const session = (fn: string) => `arn:aws:sts::000000000000:assumed-role/${fn}-role/${fn}`;

let world: World;
let emulator: RunningEmulator;
let subnetId: string;
const saved = { endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION };

beforeAll(async () => {
  world = new World({ timeScale: 0.01 });
  emulator = await startEmulator({ timeScale: 0.01, services: [createStsService(world), createEc2Service(world)] }, world);
  createServiceRoles(world);
  subnetId = seedDefaultNetwork(world).subnets[0]!.subnetId;
  process.env.AWS_ENDPOINT_URL = emulator.url;
  process.env.AWS_REGION = 'us-east-1';
});

afterAll(async () => {
  if (saved.endpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = saved.endpoint;
  if (saved.region === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = saved.region;
  emulator.server.closeAllConnections();
  await emulator.close();
});

/** Resolves once `count` callers are waiting: the invocations are all under way before any goes on. */
function barrier(count: number): () => Promise<void> {
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  return () => {
    if (++waiting === count) release();
    return all;
  };
}

describe('a handler invocation acts as its function', () => {
  it('gives two concurrent invocations their own principals, through the ports and GetCallerIdentity', async () => {
    const deps = functionScopedDeps(() => world.clock.now(), (fn) => functionIdentity(world, fn), (ms) => world.clock.sleep(ms / 1000));
    const together = barrier(2);
    const before = world.callPrincipals.length;

    const seen = await Promise.all(
      ['eksp-plan', 'eksp-api'].map((fn) =>
        runAsFunction(fn, async () => {
          await together();
          await deps.ec2.describeSubnets([subnetId]);
          const sts = new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: functionIdentity(world, currentFunction()!).credentials });
          try {
            return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
          } finally {
            sts.destroy();
          }
        }),
      ),
    );

    expect(seen).toEqual([session('eksp-plan'), session('eksp-api')]);
    const describes = world.callPrincipals.slice(before).filter((c) => c.call === 'ec2:DescribeSubnets').map((c) => c.principal);
    expect(describes.sort()).toEqual([session('eksp-api'), session('eksp-plan')]);
  });

  it('wires each function with the execution role as CDK does', () => {
    const deps = functionScopedDeps(() => world.clock.now(), (fn) => functionIdentity(world, fn), (ms) => world.clock.sleep(ms / 1000));

    expect(runAsFunction('eksp-create-cluster-stack', () => deps.settings.cloudFormationRoleArn())).toBe('arn:aws:iam::000000000000:role/eksp-cluster-stack-role');
    expect(runAsFunction('eksp-plan', () => deps.settings.cloudFormationRoleArn())).toBeUndefined();
  });

  it('refuses ports used outside any invocation: there is no role to act as', () => {
    const deps = functionScopedDeps(() => world.clock.now(), (fn) => functionIdentity(world, fn), (ms) => world.clock.sleep(ms / 1000));

    expect(() => deps.ec2).toThrow('outside a Lambda invocation');
  });
});
