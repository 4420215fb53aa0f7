/**
 * What IAM reads of the emulated account: the roles, managed policies and instance profiles the
 * CloudFormation providers put in world.iam, looked up the way IAM looks them up and refused
 * with IAM's NoSuchEntity when absent. IAM is read-only here: the service never calls IAM's write
 * APIs, its stacks make the roles.
 */
import { createHash } from 'node:crypto';
import { EmulatorError } from '../../protocol';
import type { InstanceProfile, ManagedPolicy, OidcProvider, Role, World } from '../../world';

/** IAM-style unique id (AROA…, AIPA…, ANPA…): deterministic, so every reader of one entity sees the same id. */
export function iamUniqueId(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed).digest('hex').toUpperCase().slice(0, 17);
}

/**
 * A role's RoleId. Seeded by the role's path-less ARN, as STS seeds the AssumedRoleId of a
 * session of the role (services/sts/identities.ts), so `AROA…:session` from GetCallerIdentity starts with
 * the RoleId GetRole shows, as in AWS.
 */
export function roleIdFor(account: string, roleName: string): string {
  return iamUniqueId('AROA', `arn:aws:iam::${account}:role/${roleName}`);
}

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy(\/.*\/|\/)([^/]+)$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy(\/.*\/|\/)([^/]+)$/;

/** A managed policy as GetPolicy and ListAttachedRolePolicies show it. */
export interface PolicyView {
  arn: string;
  name: string;
  path: string;
  policyId: string;
  /** The account's own policies; AWS managed ones are not held (their documents and dates are AWS's). */
  policy?: ManagedPolicy;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const noSuchEntity = (message: string) => new EmulatorError(404, 'NoSuchEntity', message);

export class IamReads {
  constructor(private readonly world: World) {}

  get account(): string {
    return this.world.account;
  }

  /** IAM answers NoSuchEntity for an ARN of no provider of the account, well formed or not. */
  oidcProvider(arn: string): OidcProvider {
    const provider = this.world.iam.oidcProviders.get(arn);
    if (!provider) throw noSuchEntity(`OpenIdConnect Provider not found for arn ${arn}`);
    return provider;
  }

  /** By ARN, as IAM lists them. */
  oidcProviders(): OidcProvider[] {
    return [...this.world.iam.oidcProviders.values()].sort((a, b) => byName(a.arn, b.arn));
  }

  role(name: string): Role {
    const role = this.world.iam.roles.get(name);
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return role;
  }

  /** By name, as IAM lists them; `pathPrefix` as IAM's PathPrefix (a plain prefix of the path). */
  roles(pathPrefix = '/'): Role[] {
    return [...this.world.iam.roles.values()].filter((role) => role.path.startsWith(pathPrefix)).sort((a, b) => byName(a.roleName, b.roleName));
  }

  roleId(role: Role): string {
    return roleIdFor(this.world.account, role.roleName);
  }

  /** When the role or policy was made; one put straight on the World (not by a stack) is dated the first time IAM shows it, then keeps that date. */
  createDate(entity: Role | ManagedPolicy): Date {
    return (entity.createDate ??= this.world.clock.now());
  }

  inlinePolicy(role: Role, policyName: string): unknown {
    const document = role.inlinePolicies?.[policyName];
    if (document === undefined) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
    return document;
  }

  instanceProfile(name: string): InstanceProfile {
    const profile = this.world.iam.instanceProfiles.get(name);
    if (!profile) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
    return profile;
  }

  instanceProfiles(pathPrefix = '/'): InstanceProfile[] {
    return [...this.world.iam.instanceProfiles.values()].filter((profile) => profile.path.startsWith(pathPrefix)).sort((a, b) => byName(a.name, b.name));
  }

  instanceProfilesOf(role: Role): InstanceProfile[] {
    return [...this.world.iam.instanceProfiles.values()].filter((profile) => profile.roleNames.includes(role.roleName));
  }

  instanceProfileId(profile: InstanceProfile): string {
    return iamUniqueId('AIPA', profile.arn);
  }

  /** The roles of a profile that still exist (CloudFormation deletes a profile before its role). */
  rolesOf(profile: InstanceProfile): Role[] {
    return profile.roleNames.map((name) => this.world.iam.roles.get(name)).filter((role): role is Role => role !== undefined);
  }

  /** An account policy, or an AWS managed one (which the emulator treats as always there, as `policyExists` does). */
  policy(arn: string): PolicyView {
    const match = POLICY_ARN.exec(arn);
    const policy = this.world.iam.policies.get(arn);
    if (!match || (!policy && !AWS_MANAGED.test(arn))) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    const roles = [...this.world.iam.roles.values()];
    return {
      arn,
      path: match[1] ?? '/',
      name: match[2] ?? '',
      policyId: iamUniqueId('ANPA', arn),
      ...(policy ? { policy } : {}),
      attachmentCount: roles.filter((role) => role.managedPolicyArns.includes(arn)).length,
      permissionsBoundaryUsageCount: roles.filter((role) => role.permissionsBoundary === arn).length,
    };
  }

  /** The policies attached to a role, filtered by their path as IAM's PathPrefix does. */
  attachedPolicies(role: Role, pathPrefix = '/'): Array<{ name: string; arn: string }> {
    return role.managedPolicyArns
      .map((arn) => {
        const match = POLICY_ARN.exec(arn);
        return { arn, path: match?.[1] ?? '/', name: match?.[2] ?? arn };
      })
      .filter((policy) => policy.path.startsWith(pathPrefix))
      .map(({ name, arn }) => ({ name, arn }));
  }
}
