/** What the Fargate profile steps share. */
import type { FargateProfile } from '../ports/eks';
import { fargateProfileProgress } from '../domain/status';
import { FargateProfileFailedError, FargateProfileNotReadyError } from '../shared/errors';
import type { Observed, PolledResource } from './resource-poll';

export const fargateProfilePolling = (name: string): PolledResource => ({
  kind: 'fargateProfile',
  stepName: 'Create Fargate Profile',
  resource: `Fargate profile ${name}`,
  classify: fargateProfileProgress,
  failedError: FargateProfileFailedError,
  notReadyError: FargateProfileNotReadyError,
  watch: true,
});

export function observeFargateProfile(profile: FargateProfile | undefined): Observed | undefined {
  if (!profile) return undefined;
  const issues = profile.health?.issues ?? [];
  return { status: profile.status, createdAt: profile.createdAt, problems: issues.map((i) => `${i.code}: ${i.message}`).join('; ') };
}
