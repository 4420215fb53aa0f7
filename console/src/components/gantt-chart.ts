/** An operation's phases and steps as a Gantt chart (bars from operations/gantt.ts), the failure on its row. */
import { html } from 'htm/preact';
import { formatDuration, ganttOf, type Operation } from '../operations/gantt';
import { StatusBadge } from './common';

export function GanttChart({ operation }: { operation: Operation }) {
  const gantt = ganttOf(operation);
  if (!gantt.phases.length) return html`<p>No steps yet.</p>`;
  return html`<div class="gantt" role="table" aria-label=${`Timeline of ${operation.id}`}>
    <div role="row" class="gantt-row gantt-head">
      <span role="columnheader">Step</span>
      <span role="columnheader">${formatDuration(gantt.spanMs)} from <time datetime=${gantt.start}>${gantt.start}</time></span>
      <span role="columnheader">Status, duration</span>
    </div>
    ${gantt.phases.map(
      (phase) => html`<div role="rowgroup" class="gantt-phase" data-phase=${phase.phase}>
        <div role="row" class="gantt-row phase-row">
          <span role="rowheader" class="phase-name">${phase.phase}</span>
          <span role="cell" class="track"><span class="bar phase-bar" style=${`left:${phase.offsetPct}%;width:${phase.widthPct}%`}></span></span>
          <span role="cell"></span>
        </div>
        ${phase.bars.map(
          (bar) => html`<div role="row" class=${`gantt-row step-row${bar.failed ? ' failed' : ''}`}>
            <span role="rowheader" class="step-name">
              ${bar.label}${bar.resource ? html` <small>${bar.resource}</small>` : null}
            </span>
            <span role="cell" class="track">
              <span class=${`bar status-${bar.status.toLowerCase()}${bar.running ? ' running' : ''}${bar.failed ? ' failed' : ''}`}
                style=${`left:${bar.offsetPct}%;width:${bar.widthPct}%`}
                title=${`${bar.label}: ${bar.status}, ${formatDuration(bar.durationMs)}${bar.running ? ' so far' : ''}`}></span>
            </span>
            <span role="cell" class="bar-label"><${StatusBadge} status=${bar.running ? 'RUNNING' : bar.status} /> ${formatDuration(bar.durationMs)}</span>
            ${bar.failed && operation.error
              ? html`<div role="cell" class="row-error">${operation.error.code}: ${operation.error.message}</div>`
              : null}
          </div>`,
        )}
      </div>`,
    )}
  </div>`;
}
