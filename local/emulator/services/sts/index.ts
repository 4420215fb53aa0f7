/**
 * The local STS endpoint (awsQuery, Version 2011-06-15, signing name `sts`): GetCallerIdentity
 * (also as the presigned GET inside an EKS token) and AssumeRole, over the identity registry the
 * EKS and Kubernetes emulators share. identities.ts is the registry (callers, issued keys,
 * identify, secretOf), trust.ts trust-policy evaluation, principals.ts the ARN comparisons,
 * presigned.ts the check of a presigned URL, api.ts the operations; the dispatch is
 * query/dispatch.ts.
 */
import { createQueryService } from '../../query';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { API_VERSION, NAMESPACE, operationsOver } from './api';
import { stsIdentities, type StsIdentities, type StsOptions } from './identities';

export { stsIdentities, StsIdentities, type CallerIdentity, type KeySecret, type ServiceSession, type StsOptions } from './identities';
export { principalArnOf, samePrincipal } from './principals';
export { trustAllows, type TrustRequester } from './trust';
export { verifyPresigned, type PresignedCheck } from './presigned';

export function createStsService(world: World, options: StsOptions = {}): ServiceModule & { identities: StsIdentities } {
  const identities = stsIdentities(world);
  identities.configure(options);
  const service = createQueryService(world, {
    name: 'sts',
    protocol: 'awsQuery',
    namespace: NAMESPACE,
    version: API_VERSION,
    checkVersion: false,
    throttleCode: 'Throttling',
    operations: operationsOver(identities),
  });
  return { ...service, identities };
}
