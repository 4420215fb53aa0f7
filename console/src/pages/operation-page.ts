/** One operation, live: status and phase, the error and its root cause, and the Gantt of its steps; polled while it runs. */
import { html } from 'htm/preact';
import { call, enc } from '../api/client';
import type { Operation } from '../api/types';
import { useResource } from '../api/use-resource';
import { Loading, ProblemBanner, StatusBadge, Time } from '../components/common';
import { GanttChart } from '../components/gantt-chart';
import { isTerminal } from '../operations/gantt';
import { operationLabel } from '../operations/event-log';
import { href } from '../router';

export function OperationPage({ id }: { id: string }) {
  const op = useResource(() => call<Operation>('GET', `/operations/${enc(id)}`), [id], (o) => !isTerminal(o.status));
  const operation = op.data;
  return html`<section aria-labelledby="op-title">
    <h1 id="op-title">Operation <code>${id}</code></h1>
    <${ProblemBanner} error=${op.error} />
    ${!operation
      ? op.loading ? html`<${Loading} />` : null
      : html`<dl class="facts">
            <dt>Cluster</dt><dd><a href=${href.cluster(operation.cluster)}>${operation.cluster}</a></dd>
            <dt>Operation</dt><dd>${operationLabel(operation)}</dd>
            <dt>Status</dt><dd aria-live="polite" id="operation-status"><${StatusBadge} status=${operation.status} /> phase <strong>${operation.phase}</strong>${isTerminal(operation.status) ? null : html` <span class="spinner" aria-hidden="true"></span>`}</dd>
            <dt>Requested</dt><dd><${Time} iso=${operation.requestedAt} /> by ${operation.requestedBy}</dd>
            <dt>Updated</dt><dd><${Time} iso=${operation.updatedAt} /></dd>
            ${operation.settledBy ? html`<dt>Settled by</dt><dd>${operation.settledBy}</dd>` : null}
          </dl>
          ${operation.error
            ? html`<div class="problem" role="alert">
                <strong>${operation.error.code}</strong>${operation.error.resource ? html` at <code>${operation.error.resource}</code>` : null} in phase ${operation.phase}
                <p class="root-cause">Root cause: ${operation.error.message}</p>
              </div>`
            : null}
          <h2>Timeline</h2>
          <${GanttChart} operation=${operation} />
          ${operation.outputs
            ? html`<h2>Outputs</h2>
                <dl class="facts">${Object.entries(operation.outputs).map(([k, v]) => html`<dt>${k}</dt><dd><code>${typeof v === 'string' ? v : JSON.stringify(v)}</code></dd>`)}</dl>`
            : null}`}
  </section>`;
}
