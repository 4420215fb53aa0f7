/**
 * The create form, generated from the cluster spec schema. Submitting it asks for a dry run
 * (POST /clusters?dryRun=true): the steps and the rendered template are shown, and only then can
 * the cluster be created. Problems the API finds are shown at the fields they name.
 */
import { html } from 'htm/preact';
import { useMemo, useState } from 'preact/hooks';
import schema from '../../../schemas/cluster-spec.schema.json';
import { ApiProblem, call } from '../api/client';
import type { Accepted, CreatePlan } from '../api/types';
import { fieldPointers, formModel, setAt, type Json, type JsonSchema } from '../form/schema-form';
import { placeErrors, type PlacedErrors } from '../form/problems';
import { SchemaField } from '../components/schema-field';
import { href, navigate } from '../router';

const MODEL = formModel(schema as JsonSchema);
const NO_ERRORS: PlacedErrors = { byField: {}, general: [] };

export function CreatePage() {
  const [draft, setDraft] = useState<Json | undefined>(undefined);
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [plan, setPlan] = useState<CreatePlan | undefined>();
  const [busy, setBusy] = useState(false);
  const pointers = useMemo(() => fieldPointers(MODEL, draft), [draft]);
  const body = draft ?? {};

  const onChange = (pointer: string, value: Json | undefined) => {
    setDraft((d) => setAt(d, pointer, value));
    // The preview no longer describes this spec.
    setPlan(undefined);
  };
  const failed = (error: unknown) => {
    if (error instanceof ApiProblem) setErrors(placeErrors(error.problem, pointers));
    else setErrors({ byField: {}, general: [String(error)] });
  };
  const preview = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      setPlan(await call<CreatePlan>('POST', '/clusters?dryRun=true', body));
      // Bring the preview into view (and to keyboard users' attention).
      requestAnimationFrame(() => document.getElementById('dry-run-preview')?.focus());
    } catch (error) {
      failed(error);
    } finally {
      setBusy(false);
    }
  };
  const create = async () => {
    setBusy(true);
    try {
      const accepted = await call<Accepted>('POST', '/clusters', body);
      navigate(href.operation(accepted.operationId));
    } catch (error) {
      setPlan(undefined);
      failed(error);
    } finally {
      setBusy(false);
    }
  };

  return html`<section aria-labelledby="create-title">
    <h1 id="create-title">Create a cluster</h1>
    <p>Fields left empty get the service's defaults (shown as placeholders). Only <code>name</code> is required.</p>
    <form class="spec-form" onSubmit=${preview} noValidate>
      ${errors.general.length
        ? html`<div class="problem" role="alert"><ul>${errors.general.map((m) => html`<li>${m}</li>`)}</ul></div>`
        : null}
      ${MODEL.fields.map((field) => html`<${SchemaField} key=${field.pointer} field=${field} draft=${draft} indexes=${[]} errors=${errors.byField} onChange=${onChange} />`)}
      <div class="actions sticky">
        <button type="submit" class="primary" disabled=${busy}>${busy && !plan ? 'Checking…' : 'Preview (dry run)'}</button>
      </div>
    </form>
    ${plan ? html`<${DryRunPreview} plan=${plan} busy=${busy} onCreate=${create} />` : null}
  </section>`;
}

function DryRunPreview({ plan, busy, onCreate }: { plan: CreatePlan; busy: boolean; onCreate: () => void }) {
  return html`<section id="dry-run-preview" class="preview" tabIndex="-1" aria-labelledby="preview-title">
    <h2 id="preview-title">Dry run: what creating ${String(plan.spec.name)} will do</h2>
    <p>Stack <code>${plan.stackName}</code>. Steps, in order:</p>
    <ol class="plan-steps">${plan.steps.map((s) => html`<li>${s}</li>`)}</ol>
    <details>
      <summary>Normalised spec (every default applied)</summary>
      <pre>${JSON.stringify(plan.spec, null, 2)}</pre>
    </details>
    <details>
      <summary>Rendered CloudFormation template</summary>
      <pre>${plan.template === null ? 'None: a spec with network.subnets is rendered when the VPC can be read.' : JSON.stringify(plan.template, null, 2)}</pre>
    </details>
    <div class="actions">
      <button type="button" class="primary" disabled=${busy} onClick=${onCreate}>${busy ? 'Creating…' : 'Create cluster'}</button>
    </div>
  </section>`;
}
