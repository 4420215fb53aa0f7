/** The cluster's event log: its last operations' requests, steps and outcomes, newest first. */
import { html } from 'htm/preact';
import { call, enc } from '../api/client';
import type { Operation } from '../api/types';
import { useResource } from '../api/use-resource';
import { eventLog } from '../operations/event-log';
import { isTerminal } from '../operations/gantt';
import { href } from '../router';
import { ProblemBanner, StatusBadge, Time } from './common';

/** How many operations the log reads: the newest ones (the API lists newest first). */
const OPERATIONS_SHOWN = 10;

async function loadOperations(cluster: string): Promise<Operation[]> {
  const page = await call<{ operations: Operation[] }>('GET', `/operations?cluster=${enc(cluster)}&limit=${OPERATIONS_SHOWN}`);
  // The list has no steps: each operation's record has.
  return Promise.all(page.operations.map((o) => call<Operation>('GET', `/operations/${enc(o.id)}`).catch(() => o)));
}

export function EventLogView({ cluster, refreshKey }: { cluster: string; refreshKey: unknown }) {
  const ops = useResource(() => loadOperations(cluster), [cluster, refreshKey], (list) => list.some((o) => !isTerminal(o.status)), 2000);
  const entries = ops.data ? eventLog(ops.data) : [];
  return html`<section aria-labelledby="log-title">
    <h2 id="log-title">Operations and events</h2>
    <${ProblemBanner} error=${ops.error} />
    ${ops.data?.length
      ? html`<ul class="operations">${ops.data.map(
          (o) => html`<li><a href=${href.operation(o.id)}>${o.action ? `${o.type} ${o.action}` : o.type}</a> <${StatusBadge} status=${o.status} /> <${Time} iso=${o.requestedAt} /></li>`,
        )}</ul>`
      : null}
    ${entries.length
      ? html`<div class="log-scroll" tabIndex="0" role="region" aria-label="Event log">
          <table class="list log">
            <thead><tr><th scope="col">Time</th><th scope="col">Operation</th><th scope="col">Status</th><th scope="col">Event</th></tr></thead>
            <tbody>${entries.map(
              (e) => html`<tr class=${e.error ? 'error' : ''}>
                <td><${Time} iso=${e.time} /></td>
                <td><a href=${href.operation(e.operationId)}>${e.operation}</a></td>
                <td><${StatusBadge} status=${e.status} /></td>
                <td>${e.text}</td>
              </tr>`,
            )}</tbody>
          </table>
        </div>`
      : html`<p>No operations yet.</p>`}
  </section>`;
}
