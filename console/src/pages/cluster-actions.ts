/** Delete and upgrade, each behind a confirmation dialog; the upgrade's dialog shows its dry run first. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiProblem, call, enc } from '../api/client';
import type { Accepted, ClusterDetail, UpgradePlan } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ProblemBanner } from '../components/common';
import { placeErrors, type PlacedErrors } from '../form/problems';
import { href, navigate } from '../router';

function asProblem(error: unknown): ApiProblem {
  return error instanceof ApiProblem ? error : new ApiProblem({ title: 'Error', detail: String(error) });
}

interface DialogState {
  setBusy: (busy: boolean) => void;
  setOpen: (open: boolean) => void;
  setError: (error: ApiProblem | undefined) => void;
}

/** Makes the request that starts an operation, then shows that operation's timeline; a refusal stays in the dialog. */
async function startOperation(dialog: DialogState, method: 'DELETE' | 'POST', path: string, body?: unknown): Promise<void> {
  dialog.setBusy(true);
  try {
    const accepted = await call<Accepted>(method, path, body);
    dialog.setOpen(false);
    navigate(href.operation(accepted.operationId));
  } catch (e) {
    dialog.setError(asProblem(e));
  } finally {
    dialog.setBusy(false);
  }
}

export function DeleteAction({ cluster }: { cluster: ClusterDetail }) {
  const [open, setOpen] = useState(false);
  const [disableProtection, setDisableProtection] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  const confirm = () => startOperation({ setBusy, setOpen, setError }, 'DELETE', `/clusters/${enc(cluster.name)}${disableProtection ? '?disableDeletionProtection=true' : ''}`);
  return html`<button type="button" class="danger" onClick=${() => (setError(undefined), setOpen(true))}>Delete cluster…</button>
    <${ConfirmDialog} open=${open} title=${`Delete cluster ${cluster.name}?`} confirmLabel="Delete" danger busy=${busy} onConfirm=${confirm} onCancel=${() => setOpen(false)}>
      <p>This deletes the cluster, its nodegroups, Fargate profiles and every stack the service made for it. It cannot be undone.</p>
      <label class="inline"><input type="checkbox" checked=${disableProtection} onChange=${(e: Event) => setDisableProtection((e.target as HTMLInputElement).checked)} /> Turn deletion protection off first, if it is on</label>
      <${ProblemBanner} error=${error} />
    </${ConfirmDialog}>`;
}

export function UpgradeAction({ cluster }: { cluster: ClusterDetail }) {
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(cluster.versionSupport?.recommendedVersion ?? '');
  const [force, setForce] = useState(false);
  const [plan, setPlan] = useState<UpgradePlan | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  const [inline, setInline] = useState<PlacedErrors>({ byField: {}, general: [] });
  const body = { version, ...(force ? { force } : {}) };
  const dryRun = async () => {
    setBusy(true);
    setError(undefined);
    setInline({ byField: {}, general: [] });
    try {
      setPlan(await call<UpgradePlan>('POST', `/clusters/${enc(cluster.name)}/upgrade?dryRun=true`, body));
    } catch (e) {
      const problem = asProblem(e);
      // A problem naming /version or /force is shown at that control; the rest above the buttons.
      if (problem.problem.errors?.length) setInline(placeErrors(problem.problem, ['/version', '/force']));
      else setError(problem);
    } finally {
      setBusy(false);
    }
  };
  const confirm = () => startOperation({ setBusy, setOpen, setError }, 'POST', `/clusters/${enc(cluster.name)}/upgrade`, body);
  const changed = (apply: () => void) => (apply(), setPlan(undefined));
  return html`<button type="button" onClick=${() => (setError(undefined), setPlan(undefined), setOpen(true))}>Upgrade…</button>
    <${ConfirmDialog} open=${open} title=${`Upgrade cluster ${cluster.name}`} confirmLabel="Upgrade" busy=${busy} confirmDisabled=${!plan || !plan.plan.canProceed} onConfirm=${confirm} onCancel=${() => setOpen(false)}>
      <p>Kubernetes ${cluster.live?.kubernetesVersion ?? cluster.kubernetesVersion}: the control plane one minor at a time, then add-ons and nodegroups. Review the dry run first.</p>
      <div class=${`field${inline.byField['/version'] ? ' has-error' : ''}`}>
        <label for="upgrade-version">Target version</label>
        <input id="upgrade-version" value=${version} placeholder="1.34" aria-invalid=${inline.byField['/version'] ? 'true' : undefined} aria-describedby=${inline.byField['/version'] ? 'upgrade-version-errors' : undefined}
          onInput=${(e: Event) => changed(() => setVersion((e.target as HTMLInputElement).value.trim()))} />
        ${inline.byField['/version'] ? html`<ul class="field-errors" id="upgrade-version-errors" role="alert">${inline.byField['/version'].map((m) => html`<li>${m}</li>`)}</ul>` : null}
      </div>
      <label class="inline"><input type="checkbox" checked=${force} onChange=${(e: Event) => changed(() => setForce((e.target as HTMLInputElement).checked))} /> Force past upgrade insights and PodDisruptionBudgets</label>
      ${inline.byField['/force'] ? html`<ul class="field-errors" role="alert">${inline.byField['/force'].map((m) => html`<li>${m}</li>`)}</ul>` : null}
      <div class="actions"><button type="button" disabled=${busy || !version} onClick=${dryRun}>Dry run</button></div>
      ${inline.general.length ? html`<div class="problem" role="alert">${inline.general.join('; ')}</div>` : null}
      <${ProblemBanner} error=${error} />
      ${plan
        ? html`<div class="preview" aria-live="polite">
            <p>${plan.plan.from} → ${plan.plan.to} in passes ${plan.plan.passes.join(', ')}. ${plan.plan.canProceed ? 'It can proceed.' : 'It cannot proceed:'}</p>
            ${plan.blocking.length ? html`<ul class="field-errors">${plan.blocking.map((p) => html`<li>${p.code}${p.resource ? ` (${p.resource})` : ''}: ${p.message}</li>`)}</ul>` : null}
            <ul>
              ${plan.plan.addons.map((a) => html`<li>add-on ${a.name}: ${a.from ?? '—'} → ${a.to ?? '—'}</li>`)}
              ${plan.plan.nodegroups.map((n) => html`<li>nodegroup ${n.name}: ${n.from ?? '—'} → ${n.to ?? '—'}</li>`)}
            </ul>
          </div>`
        : null}
    </${ConfirmDialog}>`;
}
