/** What the add-on steps share. */
import type { Addon } from '../ports/eks';
import { addonPollKind } from '../domain/poll-schedule';
import { addonProgress } from '../domain/status';
import { AddonFailedError, AddonNotReadyError } from '../shared/errors';
import type { Observed, PolledResource } from './resource-poll';

export const addonPolling = (name: string): PolledResource => ({
  kind: addonPollKind(name),
  stepName: 'Create Add-on',
  resource: `add-on ${name}`,
  classify: addonProgress,
  failedError: AddonFailedError,
  notReadyError: AddonNotReadyError,
});

export function observeAddon(addon: Addon | undefined): Observed | undefined {
  if (!addon) return undefined;
  const issues = addon.health?.issues ?? [];
  return { status: addon.status, createdAt: addon.createdAt, problems: issues.map((i) => `${i.code}: ${i.message}`).join('; ') };
}
