/**
 * Who gets into the cluster and as whom, from eksctl's iam (OIDC, Pod Identity),
 * accessConfig (access entries, the creator's admin access) and iamIdentityMappings (aws-auth).
 * eksctl spells ARNs `…ARN`; the spec spells them `…Arn`.
 */
import { copyTo, readList, readSection, type TranslationLog } from './eksctl-config-reader';

type Json = Record<string, unknown>;

/** iam → iam.withOIDC and podIdentityAssociations. */
export function readClusterIam(log: TranslationLog, value: unknown, at: string, spec: Json): void {
  readSection(log, value, at, {
    read: {
      withOIDC: (flag, flagAt) => {
        spec.iam = { withOIDC: flag };
        log.cameFrom('/iam/withOIDC', flagAt);
      },
      podIdentityAssociations: (list, listAt) => {
        const associations: Json[] = [];
        readList(log, list, listAt, (item, itemAt, index) => {
          const out: Json = {};
          const specAt = `/podIdentityAssociations/${index}`;
          readSection(log, item, itemAt, {
            read: {
              namespace: copyTo(log, out, specAt, 'namespace'),
              serviceAccountName: copyTo(log, out, specAt, 'serviceAccountName'),
              roleARN: copyTo(log, out, specAt, 'roleArn'),
              permissionPolicyARNs: copyTo(log, out, specAt, 'permissionPolicyArns'),
            },
            refuse: {
              createServiceAccount: { why: 'the service does not create service accounts: create it with your workload', honoured: (flag) => flag === false },
              roleName: 'the service names the roles it makes',
              permissionsBoundaryARN: "the service's own permissions boundary (if configured) applies to the roles it makes",
              permissionPolicyName: 'inline policies are not offered: give managed policies in permissionPolicyARNs',
              permissionPolicy: 'inline policies are not offered: give managed policies in permissionPolicyARNs',
              wellKnownPolicies: 'well-known policy sets are not offered: give managed policies in permissionPolicyARNs',
              tags: "the roles the service makes carry the cluster's tags",
              targetRoleARN: 'cross-account role chaining is not offered',
              disableSessionTags: 'session tag settings are not offered',
              policy: 'inline policies are not offered: give managed policies in permissionPolicyARNs',
            },
          });
          log.cameFrom(specAt, itemAt);
          associations.push(out);
        });
        spec.podIdentityAssociations = associations;
      },
    },
    refuse: {
      serviceRoleARN: 'the service makes the cluster role: your own is not offered',
      serviceRolePermissionsBoundary: "the service's own permissions boundary (if configured) applies to the roles it makes",
      fargatePodExecutionRoleARN: 'the service makes the Fargate pod execution role: your own is not offered',
      fargatePodExecutionRolePermissionsBoundary: "the service's own permissions boundary (if configured) applies to the roles it makes",
      serviceAccounts: 'IRSA service accounts (roles made for them) are not offered: use iam.podIdentityAssociations, or withOIDC and roles of your own',
      vpcResourceControllerPolicy: { why: 'the cluster role always has AmazonEKSVPCResourceController', honoured: (flag) => flag === true },
    },
  });
}

/** accessConfig → authenticationMode, accessEntries and (for bootstrapClusterCreatorAdminPermissions) ownerAccess. */
export function readAccessConfig(log: TranslationLog, value: unknown, at: string, spec: Json): void {
  readSection(log, value, at, {
    read: {
      authenticationMode: copyTo(log, spec, '', 'authenticationMode'),
      // The creator's admin access is the spec's ownerAccess (default: cluster-admin, as eksctl's).
      bootstrapClusterCreatorAdminPermissions: (flag, flagAt) => {
        if (typeof flag !== 'boolean') return log.refuse(flagAt, 'must be true or false');
        if (!flag) spec.ownerAccess = 'none';
        log.cameFrom('/ownerAccess', flagAt);
      },
      accessEntries: (list, listAt) => {
        const entries: Json[] = [];
        readList(log, list, listAt, (item, itemAt, index) => entries.push(readAccessEntry(log, item, itemAt, `/accessEntries/${index}`)));
        spec.accessEntries = entries;
      },
    },
  });
}

function readAccessEntry(log: TranslationLog, item: unknown, at: string, specAt: string): Json {
  const out: Json = {};
  readSection(log, item, at, {
    read: {
      principalARN: copyTo(log, out, specAt, 'principalArn'),
      type: copyTo(log, out, specAt, 'type'),
      kubernetesGroups: copyTo(log, out, specAt, 'kubernetesGroups'),
      kubernetesUsername: copyTo(log, out, specAt, 'username'),
      accessPolicies: (list, listAt) => {
        const policies: Json[] = [];
        readList(log, list, listAt, (policy, policyAt, index) => {
          const policyOut: Json = {};
          const policySpecAt = `${specAt}/accessPolicies/${index}`;
          readSection(log, policy, policyAt, {
            read: {
              policyARN: copyTo(log, policyOut, policySpecAt, 'policy'),
              accessScope: (scope, scopeAt) =>
                readSection(log, scope, scopeAt, {
                  read: { type: copyTo(log, policyOut, policySpecAt, 'scope'), namespaces: copyTo(log, policyOut, policySpecAt, 'namespaces') },
                }),
            },
          });
          log.cameFrom(policySpecAt, policyAt);
          policies.push(policyOut);
        });
        out.accessPolicies = policies;
      },
    },
  });
  log.cameFrom(specAt, at);
  return out;
}

/** iamIdentityMappings → identityMappings (aws-auth mapRoles/mapUsers). */
export function readIdentityMappings(log: TranslationLog, value: unknown, at: string): Json[] {
  const mappings: Json[] = [];
  readList(log, value, at, (item, itemAt, index) => {
    const out: Json = {};
    const specAt = `/identityMappings/${index}`;
    readSection(log, item, itemAt, {
      read: { arn: copyTo(log, out, specAt, 'arn'), username: copyTo(log, out, specAt, 'username'), groups: copyTo(log, out, specAt, 'groups') },
      refuse: {
        account: 'mapAccounts (every principal of an account) is not offered: map roles or users by arn',
        serviceName: 'service mappings (EMR on EKS) are not offered',
        namespace: 'service mappings (EMR on EKS) are not offered',
        // The spec refuses two mappings of one ARN, as eksctl's noDuplicateARNs asks.
        noDuplicateARNs: { why: 'duplicate ARNs are always refused', honoured: () => true },
      },
    });
    log.cameFrom(specAt, itemAt);
    mappings.push(out);
  });
  return mappings;
}
