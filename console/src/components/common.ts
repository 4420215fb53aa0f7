/** Small pieces every page uses: the problem banner, status badges, times. */
import { html } from 'htm/preact';
import type { ApiProblem } from '../api/client';
import { problemSummary } from '../form/problems';

export function ProblemBanner({ error }: { error?: ApiProblem | undefined }) {
  if (!error) return null;
  return html`<div class="problem" role="alert">${problemSummary(error.problem)}</div>`;
}

export function StatusBadge({ status }: { status: string }) {
  return html`<span class=${`badge badge-${status.toLowerCase()}`}>${status}</span>`;
}

export function Time({ iso }: { iso?: string | undefined }) {
  if (!iso) return html`<span>—</span>`;
  return html`<time datetime=${iso} title=${iso}>${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

export function Loading() {
  return html`<p aria-live="polite">Loading…</p>`;
}
