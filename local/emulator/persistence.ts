/**
 * Saving and restoring the emulated account (EKSP_DATA_DIR): everything the services keep on the
 * World, written as one JSON document. Maps, Sets and Dates are tagged so they come back as they
 * were; functions, promises and abort controllers are runtime only and are rebuilt when the
 * services resume (pending EKS transitions are armed again, CloudFormation stacks in progress go
 * on, schedules are armed).
 *
 * Files are replaced atomically (a temporary file in the same directory, then rename): a process
 * killed mid-write leaves the previous complete file, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CertificateMaterial } from './certificates';
import type { FaultRule } from './faults';
import type { Sample } from './durations';
import type { DeployedFunction, Invocation } from './functions';
import type { NetworkDrop } from './network-scope';
import { CloudFormationState, type Stack } from './services/cloudformation/engine';
import { EventBridgeState } from './services/eventbridge';
import { KubeStore } from './services/eks/kube-store';
import { stsIdentities, type StsIdentities } from './services/sts';
import type { Cluster, EksState, PendingTransition } from './services/eks/state';
import type { World } from './world';

/**
 * Bumped when the layout changes: a data dir of another version is refused, not misread.
 * 2: the local CA, EC2 instances and interfaces, Auto Scaling groups, instance profiles, call
 * principals (a world saved before has clusters whose CA data no endpoint serves).
 */
export const SNAPSHOT_VERSION = 2;

/** A value as JSON can carry it: Dates, Maps and Sets tagged; functions, promises and abort controllers left out. */
export function encode(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : { $date: value.toISOString() };
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [encode(k), encode(v)]) };
  if (value instanceof Set) return { $set: [...value].map(encode) };
  if (Array.isArray(value)) return value.map((item) => encode(item) ?? null);
  if (typeof value === 'function' || value instanceof Promise || value instanceof AbortController || value instanceof AbortSignal) return undefined;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const encoded = encode(item);
      if (encoded !== undefined) out[key] = encoded;
    }
    return out;
  }
  return value;
}

/** The inverse of encode(). */
export function decode<T = unknown>(value: unknown): T {
  if (Array.isArray(value)) return value.map((item) => decode(item)) as T;
  if (value !== null && typeof value === 'object') {
    const tagged = value as Partial<Record<'$date' | '$map' | '$set', unknown>>;
    const keys = Object.keys(value);
    if (keys.length === 1 && typeof tagged.$date === 'string') return new Date(tagged.$date) as T;
    if (keys.length === 1 && Array.isArray(tagged.$map)) return new Map((tagged.$map as Array<[unknown, unknown]>).map(([k, v]) => [decode(k), decode(v)])) as T;
    if (keys.length === 1 && Array.isArray(tagged.$set)) return new Set(tagged.$set.map((item) => decode(item))) as T;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)])) as T;
  }
  return value as T;
}

/** The saved World (encoded: read it back with restoreWorld). */
export interface WorldSnapshot {
  /** The emulated clock when saved (epoch ms): a restored clock starts here. */
  emulatedNow: number;
  /** World.calendarEpoch; absent in worlds saved before it existed (the restored world's start stands in). */
  calendarEpoch?: number;
  [part: string]: unknown;
}

/** The EKS emulator's state, where the World holds it. */
function eksOf(world: World): EksState | undefined {
  return world.eks as EksState | undefined;
}

/** Everything the World holds, as JSON. */
export function snapshotWorld(world: World): WorldSnapshot {
  const eks = eksOf(world);
  return {
    emulatedNow: world.clock.now().getTime(),
    calendarEpoch: world.calendarEpoch,
    ...(encode({
      ec2: world.ec2,
      iam: world.iam,
      autoScaling: world.autoScaling,
      elbv2: world.elbv2,
      elb: world.elb,
      certificates: world.certificates.saved(),
      stsIssued: world.sts?.issued,
      busEvents: world.busEvents,
      calls: world.calls,
      callPrincipals: world.callPrincipals,
      samples: world.durations.samples,
      faults: world.faults.list(),
      invocations: world.functions.invocations,
      lambdaFunctions: world.functions.deployed,
      logGroups: world.logs.groups,
      networkDrops: world.network.drops,
      scheduler: world.scheduler,
      kubeNodes: world.kubeNodes,
      eventBridge: world.eventBridge ? { buses: world.eventBridge.buses, rules: world.eventBridge.rules, deliveries: world.eventBridge.deliveries } : undefined,
      cloudFormation: world.cloudFormation,
      eks: eks ? { clusters: eks.clusters, transitions: eks.transitions } : undefined,
    }) as Record<string, unknown>),
  };
}

/**
 * A cheap sign that the world changed, so an idle local mode does not serialise it four times a
 * second: every API call is counted in world.calls, and the changes timers make leave an event
 * (stack events, transitions done, bus events, firings). A change it misses is saved with the
 * clock, at most a few seconds later.
 */
export function worldRevision(world: World): string {
  const stackEvents = world.cloudFormation?.stacks.reduce((n, stack) => n + stack.events.length + stack.resources.size, 0) ?? 0;
  return [world.calls.length, world.busEvents.length, world.functions.invocations.length, world.scheduler.firings.length, stackEvents, eksOf(world)?.transitions.size ?? 0, world.eventBridge?.deliveries.length ?? 0].join('/');
}

/** Puts every entry of `from` into `into`, replacing what was there. */
function refill<K, V>(into: Map<K, V>, from: Map<K, V> | undefined): void {
  into.clear();
  for (const [key, value] of from ?? []) into.set(key, value);
}

function replaceArray<T>(into: T[], from: T[] | undefined): void {
  into.splice(0, into.length, ...(from ?? []));
}

interface DecodedWorld {
  ec2: Pick<World['ec2'], 'vpcs' | 'subnets' | 'securityGroups' | 'other' | 'groupNames' | 'instances' | 'networkInterfaces' | 'defaultVpcIds'>;
  autoScaling?: Pick<World['autoScaling'], 'groups'>;
  elbv2?: Pick<World['elbv2'], 'loadBalancers' | 'targetGroups' | 'listeners'>;
  /** Absent in worlds saved before Classic Load Balancers. */
  elb?: Pick<World['elb'], 'loadBalancers' | 'releasing'>;
  certificates?: CertificateMaterial;
  stsIssued?: StsIdentities['issued'];
  iam: { roles: World['iam']['roles']; policies?: World['iam']['policies']; instanceProfiles?: World['iam']['instanceProfiles']; oidcProviders?: World['iam']['oidcProviders'] };
  busEvents: World['busEvents'];
  calls: string[];
  callPrincipals?: World['callPrincipals'];
  samples: Sample[];
  faults: FaultRule[];
  invocations: Invocation[];
  /** Absent in worlds saved before functions were deployed by stacks. */
  lambdaFunctions?: Map<string, DeployedFunction>;
  logGroups?: World['logs']['groups'];
  networkDrops?: NetworkDrop[];
  scheduler: { groups: World['scheduler']['groups']; schedules: World['scheduler']['schedules']; firings: World['scheduler']['firings']; lastFired: World['scheduler']['lastFired'] };
  eventBridge?: Pick<EventBridgeState, 'buses' | 'rules' | 'deliveries'>;
  cloudFormation?: { stacks: Stack[]; exports: CloudFormationState['exports']; imports: CloudFormationState['imports'] };
  eks?: { clusters: Map<string, Cluster>; transitions: Map<string, PendingTransition> };
  /** Absent in worlds saved before nodes could be cordoned. */
  kubeNodes?: { cordons: World['kubeNodes']['cordons']; annotations?: World['kubeNodes']['annotations'] };
}

/**
 * Loads a snapshot into a World whose services exist (they made their state objects): the data
 * only. The services' resume() then restarts what was in progress.
 */
export function restoreWorld(world: World, snapshot: WorldSnapshot): void {
  const saved = decode<DecodedWorld>(snapshot);
  if (typeof snapshot.calendarEpoch === 'number') world.calendarEpoch = snapshot.calendarEpoch;
  for (const part of ['vpcs', 'subnets', 'securityGroups', 'other', 'groupNames', 'instances', 'networkInterfaces'] as const) refill(world.ec2[part] as Map<unknown, unknown>, saved.ec2?.[part] as Map<unknown, unknown>);
  refill(world.autoScaling.groups, saved.autoScaling?.groups);
  for (const part of ['loadBalancers', 'targetGroups', 'listeners'] as const) refill(world.elbv2[part] as Map<unknown, unknown>, saved.elbv2?.[part] as Map<unknown, unknown>);
  for (const part of ['loadBalancers', 'releasing'] as const) refill(world.elb[part] as Map<unknown, unknown>, saved.elb?.[part] as Map<unknown, unknown>);
  world.certificates.restore(saved.certificates);
  world.ec2.defaultVpcIds.clear();
  for (const id of saved.ec2?.defaultVpcIds ?? []) world.ec2.defaultVpcIds.add(id);
  if (saved.stsIssued) refill(stsIdentities(world).issued, saved.stsIssued);
  refill(world.iam.roles, saved.iam?.roles);
  refill(world.iam.policies, saved.iam?.policies);
  refill(world.iam.instanceProfiles, saved.iam?.instanceProfiles);
  refill(world.iam.oidcProviders, saved.iam?.oidcProviders);
  replaceArray(world.busEvents, saved.busEvents);
  replaceArray(world.calls, saved.calls);
  replaceArray(world.callPrincipals, saved.callPrincipals);
  replaceArray(world.durations.samples, saved.samples);
  world.faults.clear();
  if (saved.faults?.length) world.faults.add(saved.faults);
  replaceArray(world.functions.invocations, saved.invocations);
  // An invocation under way when the process died never finished: say so rather than show it running forever.
  for (const invocation of world.functions.invocations) {
    if (invocation.status !== 'RUNNING') continue;
    Object.assign(invocation, { status: 'FAILED', endTime: world.clock.now().toISOString(), error: { errorType: 'LocalRestart', errorMessage: 'local mode stopped during the invocation' } });
  }
  // The functions' configuration comes back; their code is bound again by the local runtime (registerCode).
  refill(world.functions.deployed, saved.lambdaFunctions);
  refill(world.logs.groups, saved.logGroups);
  replaceArray(world.network.drops, saved.networkDrops);
  for (const part of ['groups', 'schedules', 'lastFired'] as const) refill(world.scheduler[part] as Map<unknown, unknown>, saved.scheduler?.[part] as Map<unknown, unknown>);
  replaceArray(world.scheduler.firings, saved.scheduler?.firings);
  refill(world.kubeNodes.cordons, saved.kubeNodes?.cordons);
  refill(world.kubeNodes.annotations, saved.kubeNodes?.annotations);
  if (saved.eventBridge) {
    const events = (world.eventBridge ??= new EventBridgeState(world));
    refill(events.buses, saved.eventBridge.buses);
    refill(events.rules, saved.eventBridge.rules);
    replaceArray(events.deliveries, saved.eventBridge.deliveries);
  }
  if (saved.cloudFormation) {
    const cloudFormation = (world.cloudFormation ??= new CloudFormationState());
    // Runtime fields (abort, work, settled) are rebuilt by the engine's resume().
    replaceArray(
      cloudFormation.stacks,
      saved.cloudFormation.stacks.map((stack) => ({ ...stack, abort: new AbortController(), work: Promise.resolve(), resources: new Map([...stack.resources].map(([id, r]) => [id, { ...r, settled: Promise.resolve() }])) })),
    );
    refill(cloudFormation.exports, saved.cloudFormation.exports);
    refill(cloudFormation.imports, saved.cloudFormation.imports);
  }
  const eks = eksOf(world);
  if (eks && saved.eks) {
    const clusters = new Map<string, Cluster>();
    for (const [name, cluster] of saved.eks.clusters) {
      // The Kubernetes objects keep their revision counter, so resourceVersions go on increasing.
      const kube = Object.assign(new KubeStore(() => world.clock.now()), cluster.kube as unknown as Record<string, unknown>);
      clusters.set(name, { ...cluster, kube });
    }
    refill(eks.clusters, clusters);
    refill(eks.transitions, saved.eks.transitions);
  }
}

/** JSON files in one directory, each replaced atomically. */
export class DataDir {
  constructor(readonly path: string) {
    mkdirSync(path, { recursive: true });
  }

  file(name: string): string {
    return join(this.path, name);
  }

  /** The parsed file, or undefined when there is none. */
  read<T>(name: string): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.file(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return JSON.parse(text) as T;
  }

  /** Writes `text` to a temporary file, flushes it, then renames it over `name`. */
  write(name: string, text: string): void {
    const target = this.file(name);
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, target);
  }
}
