/**
 * A cluster's settings that are flags rather than infrastructure: deletion protection, the upgrade
 * policy (support type), ARC zonal shift and envelope encryption of secrets. Their values at
 * CreateCluster, their UpdateClusterConfig updates (one kind per call, each its own update type),
 * AssociateEncryptionConfig, and the rule deletion protection puts on DeleteCluster.
 *
 * AWS's rules (EKS user guide "Protect EKS clusters from accidental deletion", "Cluster upgrade
 * policy", "Zonal shift", "Encrypt Kubernetes secrets with KMS on existing clusters"):
 * - deletionProtection defaults to false; an ACTIVE protected cluster cannot be deleted
 *   (InvalidRequestException); a CREATING, FAILED or DELETING one can.
 * - upgradePolicy.supportType defaults to EXTENDED.
 * - zonalShiftConfig.enabled defaults to false.
 * - encryption can be associated once, to a cluster that has none, and never changed or removed;
 *   the association re-encrypts every secret and takes tens of minutes.
 */
import type { AssociateEncryptionConfigRequest, CreateClusterRequest, UpdateClusterConfigRequest } from '@aws-sdk/client-eks';
import type { DurationKind } from '../../durations';
import { EksPart } from './context';
import type { Cluster, EncryptionConfig, SupportType, Update, UpdateChange } from './model';
import { asBoolean, inUse, invalidParameter, invalidRequest } from './validation';

/** The changes this module's updates make when they succeed. */
export type SettingChange = Extract<UpdateChange, { kind: 'deletionProtection' | 'upgradePolicy' | 'zonalShift' | 'encryption' }>;

const SUPPORT_TYPES: SupportType[] = ['STANDARD', 'EXTENDED'];
/** The UpdateClusterConfig members this module updates, one per call. */
export const SETTING_MEMBERS = ['deletionProtection', 'upgradePolicy', 'zonalShiftConfig'] as const;

/** An update a setting needs: what startUpdate records and what finishing it changes. */
export interface SettingUpdate {
  type: string;
  params: Array<{ type: string; value: string }>;
  duration: DurationKind;
  change: SettingChange;
}

export interface ClusterSettingValues {
  deletionProtection: boolean;
  supportType: SupportType;
  zonalShiftEnabled: boolean;
  encryptionConfig?: EncryptionConfig[];
}

const alreadyAt = (setting: string) => invalidParameter(`Cluster is already at the desired configuration with ${setting}`);

export class ClusterSettings extends EksPart {
  /** The settings CreateCluster asks for, with AWS's defaults. */
  atCreate(input: Pick<CreateClusterRequest, 'deletionProtection' | 'upgradePolicy' | 'zonalShiftConfig' | 'encryptionConfig'>): ClusterSettingValues {
    return {
      deletionProtection: asBoolean(input.deletionProtection, false),
      supportType: input.upgradePolicy?.supportType === undefined ? 'EXTENDED' : this.supportType(input.upgradePolicy.supportType),
      zonalShiftEnabled: asBoolean(input.zonalShiftConfig?.enabled, false),
      ...(input.encryptionConfig !== undefined ? { encryptionConfig: this.encryptionConfig(input.encryptionConfig) } : {}),
    };
  }

  /** The update for the one setting member UpdateClusterConfig names (the caller checked there is exactly one). */
  settingUpdate(cluster: Cluster, input: UpdateClusterConfigRequest): SettingUpdate {
    if (input.deletionProtection !== undefined) {
      const enabled = asBoolean(input.deletionProtection, false);
      if (enabled === cluster.deletionProtection) throw alreadyAt(`deletionProtection: ${enabled}`);
      return {
        type: 'DeletionProtectionUpdate',
        params: [{ type: 'DeletionProtection', value: String(enabled) }],
        duration: 'clusterSettingUpdate',
        change: { kind: 'deletionProtection', enabled },
      };
    }
    if (input.upgradePolicy !== undefined) {
      const supportType = this.supportType(input.upgradePolicy.supportType);
      if (supportType === cluster.supportType) throw alreadyAt(`upgradePolicy supportType: ${supportType}`);
      return {
        type: 'UpgradePolicyUpdate',
        params: [{ type: 'UpgradePolicy', value: JSON.stringify({ supportType }) }],
        duration: 'clusterSettingUpdate',
        change: { kind: 'upgradePolicy', supportType },
      };
    }
    const requested = input.zonalShiftConfig?.enabled;
    if (requested === undefined || requested === null) throw invalidParameter('zonalShiftConfig.enabled is required');
    const enabled = asBoolean(requested, false);
    if (enabled === cluster.zonalShiftEnabled) throw alreadyAt(`zonalShiftConfig enabled: ${enabled}`);
    return {
      type: 'ZonalShiftConfigUpdate',
      params: [{ type: 'ZonalShiftConfig', value: JSON.stringify({ enabled }) }],
      duration: 'clusterSettingUpdate',
      change: { kind: 'zonalShift', enabled },
    };
  }

  /** AssociateEncryptionConfig: once, on a running cluster that has no encryption yet. */
  associateEncryptionConfig(name: string, input: AssociateEncryptionConfigRequest): Update {
    const cluster = this.cluster(name);
    const updates = this.parts.updates;
    const repeated = updates.byToken(cluster, input.clientRequestToken, '');
    if (repeated) return repeated;
    const encryptionConfig = this.encryptionConfig(input.encryptionConfig);
    if (cluster.encryptionConfig?.length) throw invalidParameter('Encryption is already enabled on the cluster');
    if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') throw inUse(`Cluster ${name} is in ${cluster.status} state`);
    const running = updates.inProgressUpdate(cluster);
    if (running) throw inUse(`Cluster has update ${running.id} in progress`);
    return updates.startUpdate(
      cluster,
      { type: 'AssociateEncryptionConfig', params: [{ type: 'EncryptionConfig', value: JSON.stringify(encryptionConfig) }] },
      input.clientRequestToken,
      'encryptionAssociate',
      { kind: 'encryption', encryptionConfig },
    );
  }

  /** Applies a finished setting update. */
  apply(cluster: Cluster, change: SettingChange): void {
    switch (change.kind) {
      case 'deletionProtection':
        cluster.deletionProtection = change.enabled;
        return;
      case 'upgradePolicy':
        cluster.supportType = change.supportType;
        return;
      case 'zonalShift':
        cluster.zonalShiftEnabled = change.enabled;
        return;
      case 'encryption':
        cluster.encryptionConfig = change.encryptionConfig;
        return;
    }
  }

  /** DeleteCluster's rule: an ACTIVE cluster with deletion protection stays until protection is turned off. */
  checkDeletable(cluster: Cluster): void {
    if (cluster.deletionProtection === true && cluster.status === 'ACTIVE') {
      throw invalidRequest(`Cluster ${cluster.name} cannot be deleted because deletion protection is enabled. Disable deletion protection with UpdateClusterConfig before deleting the cluster.`);
    }
  }

  private supportType(value: unknown): SupportType {
    if (!SUPPORT_TYPES.includes(value as SupportType)) throw invalidParameter(`upgradePolicy.supportType must be one of ${SUPPORT_TYPES.join(', ')}`);
    return value as SupportType;
  }

  /** One entry, resources ["secrets"], a symmetric KMS key (ARN or alias ARN) of this Region. */
  private encryptionConfig(list: ReadonlyArray<{ resources?: string[]; provider?: { keyArn?: string } }> | undefined): EncryptionConfig[] {
    if (!list || list.length === 0) throw invalidParameter('encryptionConfig is required');
    if (list.length > 1) throw invalidParameter('Only one encryptionConfig can be specified');
    const [entry] = list as [{ resources?: string[]; provider?: { keyArn?: string } }];
    const resources = entry.resources ?? [];
    if (resources.length !== 1 || resources[0] !== 'secrets') throw invalidParameter('Encryption is only supported for secrets: resources must be ["secrets"]');
    const keyArn = entry.provider?.keyArn;
    if (!keyArn) throw invalidParameter('KeyArn is required');
    const match = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/.+$/.exec(keyArn);
    if (!match) throw invalidParameter(`Invalid KMS key ARN: ${keyArn}`);
    if (match[1] !== this.world.region) throw invalidParameter(`The KMS key ${keyArn} must be in the same Region as the cluster (${this.world.region})`);
    return [{ resources: ['secrets'], provider: { keyArn } }];
  }
}
