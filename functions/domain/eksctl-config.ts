/**
 * An eksctl ClusterConfig (eksctl.io/v1alpha5) as the service's cluster spec. Pure and
 * deterministic: the same ClusterConfig always gives the same spec. Every field the service cannot
 * honour is named (a JSON pointer into the ClusterConfig, and why), never dropped; every field it
 * maps remembers where it came from, so the spec's own validation can point back at the
 * ClusterConfig. docs/eksctl-config.md is the field-by-field map.
 */
import type { SpecProblem } from '../shared/errors';
import { readAccessConfig, readClusterIam, readIdentityMappings } from './eksctl-config-access';
import { readManagedNodeGroups, readSelfManagedNodeGroups } from './eksctl-config-nodegroups';
import { EKSCTL_ZONE_COUNT, readPrivateCluster, readVpc } from './eksctl-config-network';
import { copyTo, honouredWhenOff, isMapping, readList, readSection, TranslationLog, type Origin } from './eksctl-config-reader';
import { defaultAddonNames } from './eksctl-defaults';

type Json = Record<string, unknown>;

export const CLUSTER_CONFIG_API_VERSION = 'eksctl.io/v1alpha5';
export const CLUSTER_CONFIG_KIND = 'ClusterConfig';

/** What the translation needs to know of the service: the one region it makes clusters in. */
export interface TranslationContext {
  region: string;
}

export interface ClusterConfigTranslation {
  /** The cluster spec, before the spec's validation (which judges the values copied as they are). */
  spec: Json;
  /** Fields that cannot be honoured: a non-empty list means no spec. */
  refusals: SpecProblem[];
  /** Spec JSON pointer → the ClusterConfig field it came from. */
  origins: ReadonlyMap<string, Origin>;
}

/** Whether a body asks to be read as a ClusterConfig: ours has neither apiVersion nor kind. */
export function looksLikeClusterConfig(body: unknown): body is Json {
  return isMapping(body) && ('apiVersion' in body || 'kind' in body);
}

const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

export function translateClusterConfig(config: Json, context: TranslationContext): ClusterConfigTranslation {
  const log = new TranslationLog();
  const spec: Json = {};
  const sections: Json = {};
  readSection(log, config, '', {
    read: {
      apiVersion: (value, at) => {
        if (value !== CLUSTER_CONFIG_API_VERSION) log.refuse(at, `must be ${CLUSTER_CONFIG_API_VERSION}`);
      },
      kind: (value, at) => {
        if (value !== CLUSTER_CONFIG_KIND) log.refuse(at, `must be ${CLUSTER_CONFIG_KIND}`);
      },
      metadata: (value, at) => readMetadata(log, value, at, spec, context),
      // Read after the rest: they depend on privateCluster and autoModeConfig.
      vpc: (value) => (sections.vpc = value),
      privateCluster: (value, at) => (sections.fullyPrivate = readPrivateCluster(log, value, at)),
      managedNodeGroups: (value, at) => (spec.managedNodeGroups = readManagedNodeGroups(log, value, at)),
      nodeGroups: (value, at) => (spec.selfManagedNodeGroups = readSelfManagedNodeGroups(log, value, at)),
      fargateProfiles: (value, at) => (spec.fargateProfiles = readFargateProfiles(log, value, at)),
      iam: (value, at) => readClusterIam(log, value, at, spec),
      accessConfig: (value, at) => readAccessConfig(log, value, at, spec),
      iamIdentityMappings: (value, at) => (spec.identityMappings = readIdentityMappings(log, value, at)),
      addons: (value) => (sections.addons = value),
      addonsConfig: (value) => (sections.addonsConfig = value),
      cloudWatch: (value, at) => readCloudWatch(log, value, at, spec),
      secretsEncryption: (value, at) => readSection(log, value, at, { read: { keyARN: copyTo(log, (spec.secretsEncryption = {}) as Json, '/secretsEncryption', 'kmsKeyArn') } }),
      autoModeConfig: (value, at) => readAutoMode(log, value, at, spec),
      upgradePolicy: (value, at) => readSection(log, value, at, { read: { supportType: copyTo(log, (spec.upgradePolicy = {}) as Json, '/upgradePolicy', 'supportType') } }),
      zonalShiftConfig: (value, at) => readSection(log, value, at, { read: { enabled: copyTo(log, (spec.zonalShift = {}) as Json, '/zonalShift', 'enabled') } }),
      kubernetesNetworkConfig: (value, at) =>
        readSection(log, value, at, {
          read: { ipFamily: (family, familyAt) => (family === 'IPv4' ? undefined : log.refuse(familyAt, 'IPv4 is the only IP family offered')) },
          refuse: { serviceIPv4CIDR: "the service CIDR is EKS's default", serviceIPv6CIDR: 'IPv6 is not offered' },
        }),
    },
    refuse: {
      availabilityZones: `the service picks the zones of a new VPC (${EKSCTL_ZONE_COUNT}, as eksctl's default); to choose them, give existing subnets in vpc.subnets`,
      localZones: 'Local Zones are not offered',
      identityProviders: 'OIDC identity providers for users are not offered',
      remoteNetworkConfig: 'hybrid nodes are not offered',
      gitops: 'GitOps (Flux) bootstrap is not offered',
      karpenter: 'Karpenter installation is not offered: use autoModeConfig, or install it yourself',
      outpost: 'Outposts are not offered',
      controlPlaneScalingConfig: 'control plane scaling tiers are not offered',
      kubeAPIServerConfig: 'API server settings are not offered',
      kubeSchedulerConfig: 'scheduler settings are not offered',
      kubeControllerManagerConfig: 'controller manager settings are not offered',
      capabilities: honouredWhenOff('EKS capabilities are not offered'),
    },
  });
  // A missing name is the ClusterConfig's metadata.name to give.
  if (!('name' in spec)) log.cameFrom('/name', '/metadata/name');
  const { network, endpointAccess } = readVpc(log, sections.vpc, '/vpc', sections.fullyPrivate === true);
  spec.network = network;
  if (Object.keys(endpointAccess).length > 0) spec.endpointAccess = endpointAccess;
  readAddons(log, sections.addons, sections.addonsConfig, spec);
  // eksctl's config file makes only the nodegroups it lists: no default nodegroup as the spec would add.
  if (!('managedNodeGroups' in spec) && !('selfManagedNodeGroups' in spec) && !('fargateProfiles' in spec)) spec.managedNodeGroups = [];
  return { spec: ordered(spec), refusals: log.refusals, origins: log.origins };
}

/** metadata: name, version, tags; region only as the service's own. */
function readMetadata(log: TranslationLog, metadata: unknown, at: string, spec: Json, context: TranslationContext): void {
  readSection(log, metadata, at, {
    read: {
      name: copyTo(log, spec, '', 'name'),
      version: (version, versionAt) => {
        // YAML reads `version: 1.30` as the number 1.3: say so rather than ask for 1.3.
        if (typeof version === 'number') return log.refuse(versionAt, `must be a string: quote it ("${version}" reads as the number ${version} in YAML; "1.30" is not 1.3)`);
        copyTo(log, spec, '', 'version')(version, versionAt);
      },
      region: (region, regionAt) => {
        if (region !== context.region) log.refuse(regionAt, `this service makes clusters in ${context.region} only`);
      },
      tags: copyTo(log, spec, '', 'tags'),
    },
    refuse: {
      annotations: 'annotations are not offered',
      forceUpdateVersion: 'a new cluster has no version to force past',
      rollbackConfig: 'a new cluster has no version to roll back',
    },
  });
}

/** cloudWatch.clusterLogging → logging; eksctl's `*` and `all` are every log type. */
function readCloudWatch(log: TranslationLog, cloudWatch: unknown, at: string, spec: Json): void {
  readSection(log, cloudWatch, at, {
    read: {
      clusterLogging: (logging, loggingAt) =>
        readSection(log, logging, loggingAt, {
          read: {
            enableTypes: (types, typesAt) => {
              const everything = Array.isArray(types) && types.some((t) => t === '*' || t === 'all');
              spec.logging = everything ? [...LOG_TYPES] : types;
              log.cameFrom('/logging', typesAt, !everything);
            },
          },
          refuse: {
            logRetentionInDays: "log retention is not offered: the log group keeps EKS's default (never expire); set a retention on /aws/eks/<name>/cluster yourself",
          },
        }),
    },
  });
}

/** autoModeConfig → autoMode; the node role is the service's own. */
function readAutoMode(log: TranslationLog, value: unknown, at: string, spec: Json): void {
  const autoMode: Json = {};
  readSection(log, value, at, {
    read: { enabled: copyTo(log, autoMode, '/autoMode', 'enabled'), nodePools: copyTo(log, autoMode, '/autoMode', 'nodePools') },
    refuse: {
      nodeRoleARN: 'the service makes the Auto Mode node role: your own is not offered',
      permissionsBoundaryARN: "the service's own permissions boundary (if configured) applies to the roles it makes",
    },
  });
  if (autoMode.enabled === undefined) autoMode.enabled = false;
  spec.autoMode = autoMode;
  log.cameFrom('/autoMode', at);
}

function readFargateProfiles(log: TranslationLog, value: unknown, at: string): Json[] {
  const profiles: Json[] = [];
  readList(log, value, at, (item, itemAt, index) => {
    const out: Json = {};
    const specAt = `/fargateProfiles/${index}`;
    readSection(log, item, itemAt, {
      read: { name: copyTo(log, out, specAt, 'name'), selectors: copyTo(log, out, specAt, 'selectors'), subnets: copyTo(log, out, specAt, 'subnets') },
      refuse: {
        podExecutionRoleARN: 'the service makes the pod execution role: your own is not offered',
        tags: "per-profile tags are not offered: the service tags every resource it makes with the cluster's tags (metadata.tags)",
        status: { why: 'status is read-only', honoured: () => true },
      },
    });
    log.cameFrom(specAt, itemAt);
    profiles.push(out);
  });
  return profiles;
}

/**
 * addons and addonsConfig → addons. eksctl installs its default add-ons besides the ones listed
 * unless addonsConfig.disableDefaultAddons; the spec installs exactly its list, so the defaults
 * are written out (each listed one replacing its default).
 */
function readAddons(log: TranslationLog, addons: unknown, addonsConfig: unknown, spec: Json): void {
  let disableDefaults = false;
  if (addonsConfig !== undefined) {
    readSection(log, addonsConfig, '/addonsConfig', {
      read: {
        disableDefaultAddons: (flag, flagAt) => {
          if (typeof flag !== 'boolean') return log.refuse(flagAt, 'must be true or false');
          disableDefaults = flag;
        },
      },
      refuse: { autoApplyPodIdentityAssociations: honouredWhenOff("add-ons' recommended Pod Identity associations are not made: list them in iam.podIdentityAssociations") },
    });
  }
  // A problem with the list as a whole (a nodegroup without vpc-cni) is the flag's that emptied eksctl's defaults, or the list's.
  log.cameFrom('/addons', disableDefaults ? '/addonsConfig/disableDefaultAddons' : '/addons');
  if (addons === undefined && !disableDefaults) return; // the spec's own default: eksctl's default add-ons
  const listed: Array<{ addon: Json; at: string }> = [];
  if (addons !== undefined) readList(log, addons, '/addons', (item, itemAt) => listed.push({ addon: readAddon(log, item, itemAt), at: itemAt }));
  const autoMode = isMapping(spec.autoMode) && spec.autoMode.enabled === true;
  // eksctl's defaults in their order, a listed one in its default's place; then the others listed.
  const defaults = disableDefaults ? [] : defaultAddonNames(autoMode);
  const placed = [...defaults.map((name) => listed.find(({ addon }) => addon.name === name) ?? { addon: { name } }), ...listed.filter(({ addon }) => !defaults.includes(addon.name as string))];
  spec.addons = placed.map(({ addon }) => addon);
  placed.forEach((entry, index) => {
    if (!('at' in entry)) return;
    const specAt = `/addons/${index}`;
    log.cameFrom(specAt, entry.at);
    for (const key of ['name', 'version', 'configurationValues']) if (key in entry.addon) log.cameFrom(`${specAt}/${key}`, `${entry.at}/${key}`);
  });
}

function readAddon(log: TranslationLog, item: unknown, at: string): Json {
  const out: Json = {};
  readSection(log, item, at, {
    read: {
      name: (name) => (out.name = name),
      version: (version, versionAt) => {
        // eksctl takes "1.19.0-eksbuild.1" or "v1.19.0-eksbuild.1"; EKS's versions start with v.
        if (version === 'latest') return log.refuse(versionAt, 'latest is not offered: give a version, or none for EKS\'s default version');
        if (version === 'default' || version === '') return;
        out.version = typeof version === 'string' && /^[0-9]/.test(version) ? `v${version}` : version;
      },
      configurationValues: (values) => (out.configurationValues = values),
    },
    refuse: {
      serviceAccountRoleARN: 'add-on IRSA roles are not offered: list the add-on\'s service account in iam.podIdentityAssociations',
      attachPolicyARNs: 'add-on roles are not offered: list the add-on\'s service account in iam.podIdentityAssociations',
      attachPolicy: 'add-on roles are not offered: list the add-on\'s service account in iam.podIdentityAssociations',
      permissionsBoundary: 'add-on roles are not offered',
      wellKnownPolicies: 'add-on roles are not offered: list the add-on\'s service account in iam.podIdentityAssociations',
      podIdentityAssociations: 'list the add-on\'s service accounts in iam.podIdentityAssociations',
      useDefaultPodIdentityAssociations: honouredWhenOff("add-ons' recommended Pod Identity associations are not made: list them in iam.podIdentityAssociations"),
      tags: "add-ons carry the cluster's tags",
      resolveConflicts: 'conflict resolution is the service\'s own (OVERWRITE on create)',
      namespaceConfig: 'add-ons install into their default namespace',
      publishers: 'add-on discovery filters have no meaning for a cluster',
      types: 'add-on discovery filters have no meaning for a cluster',
      owners: 'add-on discovery filters have no meaning for a cluster',
    },
  });
  return out;
}

/** The spec's keys in the schema's order, so the translation reads like a hand-written spec. */
const SPEC_ORDER = ['name', 'version', 'tags', 'network', 'endpointAccess', 'authenticationMode', 'accessEntries', 'identityMappings', 'iam', 'podIdentityAssociations', 'managedNodeGroups', 'selfManagedNodeGroups', 'fargateProfiles', 'addons', 'ownerAccess', 'logging', 'secretsEncryption', 'upgradePolicy', 'zonalShift', 'autoMode'];
function ordered(spec: Json): Json {
  return Object.fromEntries(SPEC_ORDER.filter((key) => key in spec).map((key) => [key, spec[key]]));
}

/**
 * The ClusterConfig field a problem of the translated spec is about: the origin of the pointer,
 * or of its nearest ancestor — below a value copied as it is, the same path; below one the
 * translation built, the ancestor with the rest of the spec's path in the message — or, for what
 * the spec added itself (a default) with no ancestor from the ClusterConfig, the spec's pointer,
 * said to be the translated spec's.
 */
export function pointBack(problem: SpecProblem, origins: ReadonlyMap<string, Origin>): SpecProblem {
  const parts = problem.pointer.split('/');
  for (let length = parts.length; length > 0; length--) {
    const origin = origins.get(parts.slice(0, length).join('/'));
    if (origin === undefined) continue;
    const rest = parts.slice(length);
    if (rest.length === 0) return { pointer: origin.at, message: problem.message };
    if (origin.verbatim) return { pointer: [origin.at, ...rest].join('/'), message: problem.message };
    return { pointer: origin.at, message: `${problem.message} (the translated spec's ${problem.pointer})` };
  }
  return { pointer: '', message: `the translated spec's ${problem.pointer || '/'} ${problem.message}` };
}
