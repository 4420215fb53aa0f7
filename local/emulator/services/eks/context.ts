/**
 * What every part of the EKS state works with: the shared context (the world, the clusters and
 * pending transitions that persistence.ts saves, each cluster's ready/gone signals, the other
 * parts) and EksPart, the base of each part, with the lookups and checks they all use (a cluster
 * by name, IAM roles, subnets, ARNs, the emulated clock, scheduling a transition).
 */
import type { DurationKind } from '../../durations';
import type { Role, Subnet, World } from '../../world';
import { samePrincipal } from '../sts';
import type { AccessEntries } from './access-entries';
import type { PodIdentityAssociations } from './pod-identity';
import type { AddonUpdates } from './addon-updates';
import type { Addons } from './addons';
import type { StackClusters } from './cloudformation-provider';
import type { Clusters } from './clusters';
import type { FargateProfiles } from './fargate-profiles';
import type { Insights } from './insights';
import type { Cluster, PendingTransition, Transition } from './model';
import type { NodegroupUpgrades } from './nodegroup-upgrades';
import type { Nodegroups } from './nodegroups';
import type { ClusterSettings } from './settings';
import type { AutoMode } from './auto-mode';
import type { Tags } from './tags';
import type { Transitions } from './transitions';
import type { Updates } from './updates';
import { IAM_PRINCIPAL, invalidParameter, invalidRequest, notFound } from './validation';

export interface EksStateOptions {
  /** The emulator's base URL (known once it listens): cluster endpoints are `<base>/k8s/<name>`. */
  baseUrl: () => string;
}

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A cluster's `ready` and `gone` promises, resolved by the transitions that make it ACTIVE or remove it. */
export interface ClusterSignals {
  ready: Deferred;
  gone: Deferred;
}

/** The parts of the EKS state, one per job; a rule that crosses resources calls the part that owns it. */
export interface EksParts {
  readonly transitions: Transitions;
  readonly clusters: Clusters;
  readonly updates: Updates;
  readonly nodegroups: Nodegroups;
  readonly fargateProfiles: FargateProfiles;
  readonly addons: Addons;
  readonly accessEntries: AccessEntries;
  readonly podIdentityAssociations: PodIdentityAssociations;
  readonly tags: Tags;
  readonly stacks: StackClusters;
  readonly settings: ClusterSettings;
  readonly autoMode: AutoMode;
  readonly nodegroupUpgrades: NodegroupUpgrades;
  readonly addonUpdates: AddonUpdates;
  readonly insights: Insights;
}

/** The state all parts share. It lives on the EksState (world.eks), never in module scope. */
export class EksContext {
  readonly clusters = new Map<string, Cluster>();
  /** Transitions waiting for their time, by id. */
  readonly transitions = new Map<string, PendingTransition>();
  readonly signals = new WeakMap<Cluster, ClusterSignals>();
  private assembled?: EksParts;

  constructor(
    readonly world: World,
    readonly options: EksStateOptions,
  ) {}

  /** Called once by EksState when every part exists: parts reach each other only when called, never while being made. */
  assemble(parts: EksParts): void {
    this.assembled = parts;
  }

  get parts(): EksParts {
    if (!this.assembled) throw new Error('the EKS state parts are used before EksState assembled them');
    return this.assembled;
  }
}

/** The base of each part: the shared context and the lookups and checks every resource needs. */
export abstract class EksPart {
  constructor(protected readonly shared: EksContext) {}

  protected get world(): World {
    return this.shared.world;
  }

  protected get clusters(): Map<string, Cluster> {
    return this.shared.clusters;
  }

  protected get parts(): EksParts {
    return this.shared.parts;
  }

  /** Makes `transition` happen after a duration sampled for this resource (transitions.ts). */
  protected after(kind: DurationKind, resource: string, transition: Transition): void {
    this.parts.transitions.schedule(kind, resource, transition);
  }

  protected now(): Date {
    return this.world.clock.now();
  }

  /**
   * A cluster's Kubernetes API on this emulator (its port may differ after a restart): HTTPS on
   * the emulator's own port, which tells TLS from plain HTTP by the first byte (server.ts).
   */
  protected endpointOf(name: string): string {
    return `${this.shared.options.baseUrl().replace(/\/$/, '').replace(/^http:/, 'https:')}/k8s/${encodeURIComponent(name)}`;
  }

  cluster(name: string): Cluster {
    const cluster = this.clusters.get(name);
    if (!cluster) throw notFound(`No cluster found for name: ${name}.`);
    return cluster;
  }

  /** Nodegroups, profiles, add-ons and access entries are made on a running control plane. */
  protected usableCluster(name: string): Cluster {
    const cluster = this.cluster(name);
    if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') throw invalidRequest(`Cluster '${name}' is not in ACTIVE status (it is ${cluster.status})`);
    return cluster;
  }

  protected inAccount(arn: string): boolean {
    return arn.split(':')[4] === this.world.account;
  }

  protected findRole(arn: string): Role | undefined {
    const name = IAM_PRINCIPAL.exec(arn)?.[3];
    return this.world.iam.byArn(arn) ?? [...this.world.iam.roles.values()].find((r) => r.roleName === name && samePrincipal(r.arn, arn));
  }

  /** A role of this account must exist in IAM; one of another account cannot be checked. */
  protected requireRole(arn: string | undefined, field: string): string {
    if (!arn) throw invalidParameter(`${field} is required`);
    const match = IAM_PRINCIPAL.exec(arn);
    if (!match || match[2] !== 'role') throw invalidParameter(`${field} ${arn} is not an IAM role ARN`);
    if (this.inAccount(arn) && !this.findRole(arn)) throw invalidParameter(`The role with name ${match[3]} cannot be found (${field} ${arn})`);
    return arn;
  }

  protected subnets(ids: readonly string[] | undefined, field: string): Subnet[] {
    if (!ids || ids.length === 0) throw invalidParameter(`${field} must name at least one subnet`);
    return ids.map((id) => {
      const subnet = this.world.ec2.subnets.get(id);
      if (!subnet) throw invalidParameter(`The subnet ID '${id}' does not exist`);
      return subnet;
    });
  }

  protected arn(resource: string): string {
    return this.world.arn('eks', resource);
  }
}
