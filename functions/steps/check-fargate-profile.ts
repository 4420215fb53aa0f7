/** Task "Check Fargate Profile". */
import { validateResourceItem } from '../generated/validators';
import type { Poll, ResourceItem } from '../generated/types';
import type { FargateProfileSpec } from '../domain/spec';
import type { Deps } from '../shared/deps';
import { step } from '../shared/step';
import { fargateProfilePolling, observeFargateProfile } from './fargate-profile';
import { checkedResource } from './resource-poll';

export async function checkFargateProfile(input: ResourceItem, deps: Deps): Promise<Poll> {
  const { name } = input.item as unknown as FargateProfileSpec;
  const observed = observeFargateProfile(await deps.eks.describeFargateProfile(input.operation.cluster.name, name));
  return checkedResource(deps, input.operation, fargateProfilePolling(name), observed);
}

export const handler = step(validateResourceItem, checkFargateProfile);
