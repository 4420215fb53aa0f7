/** A Kubernetes version's support window (GET /clusters/{name} versionSupport), in words. */
import { html } from 'htm/preact';
import type { ClusterDetail } from '../api/types';

export function VersionSupportNote({ cluster }: { cluster: Pick<ClusterDetail, 'versionSupport' | 'versionSupportUnavailable' | 'status'> }) {
  const support = cluster.versionSupport;
  if (!support) return html`<span class="muted">${cluster.versionSupportUnavailable ?? (cluster.status === 'ACTIVE' ? 'unknown' : 'when ACTIVE')}</span>`;
  const level = support.status === 'UNSUPPORTED' || support.daysLeft <= 30 ? 'bad' : support.status === 'EXTENDED_SUPPORT' || support.daysLeft <= 90 ? 'warn' : 'ok';
  const phase = support.status.replace('_SUPPORT', '').toLowerCase();
  return html`<span class=${`support support-${level}`}>
    ${phase} support, ${support.daysLeft} days left (until ${support.supportEnds.slice(0, 10)})${support.recommendedVersion ? `; upgrade to ${support.recommendedVersion}` : ''}
  </span>`;
}
