/**
 * Renders one field of the schema form model (form/schema-form.ts), recursively: inputs for
 * scalars, selects for enums and booleans (with "default" as the unset choice: an absent key is
 * the API's default), fieldsets for objects and arrays. Each control is labelled, described by
 * the schema's description and default, and shows the API's inline errors for its pointer.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { concrete, defaultHint, formatValue, getAt, parseInput, type FieldModel, type Json } from '../form/schema-form';

export interface FieldProps {
  field: FieldModel;
  draft: Json | undefined;
  indexes: number[];
  errors: Record<string, string[]>;
  onChange: (pointer: string, value: Json | undefined) => void;
}

export const fieldId = (pointer: string) => `f${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;

function Messages({ id, messages }: { id: string; messages: string[] }) {
  if (!messages.length) return null;
  return html`<ul class="field-errors" id=${id} role="alert">${messages.map((m) => html`<li>${m}</li>`)}</ul>`;
}

function hasAnyError(pointer: string, errors: Record<string, string[]>): boolean {
  return Object.keys(errors).some((p) => p === pointer || p.startsWith(`${pointer}/`));
}

function LeafField({ field, draft, indexes, errors, onChange }: FieldProps) {
  const pointer = concrete(field.pointer, indexes);
  const value = getAt(draft, pointer);
  const [raw, setRaw] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | undefined>();
  const id = fieldId(pointer);
  const messages = [...(localError ? [localError] : []), ...(errors[pointer] ?? [])];
  const hint = defaultHint(field);
  const describedBy = [field.description || hint ? `${id}-hint` : '', messages.length ? `${id}-errors` : ''].filter(Boolean).join(' ') || undefined;
  const commit = (text: string) => {
    const parsed = parseInput(field, text);
    setLocalError(parsed.error);
    if (!parsed.error) onChange(pointer, parsed.value);
  };
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': messages.length ? 'true' : undefined };
  let control;
  if (field.kind === 'list' && field.options) {
    // A set of known values (logging's log types): one checkbox each.
    const chosen = Array.isArray(value) ? value.map(String) : [];
    const toggle = (option: string, on: boolean) => {
      const next = field.options!.filter((o) => (o === option ? on : chosen.includes(o)));
      onChange(pointer, next.length ? next : undefined);
    };
    return html`<fieldset class=${`field checks${messages.length ? ' has-error' : ''}`} data-pointer=${pointer} aria-describedby=${describedBy}>
      <legend>${field.label}</legend>
      ${field.options.map((o) => html`<label class="inline"><input type="checkbox" id=${`${id}-${o}`} checked=${chosen.includes(o)} onChange=${(e: Event) => toggle(o, (e.target as HTMLInputElement).checked)} /> ${o}</label>`)}
      ${field.description || hint ? html`<small class="hint" id=${`${id}-hint`}>${field.description ?? ''}${hint !== undefined ? ` Default: ${hint}.` : ''}</small>` : null}
      <${Messages} id=${`${id}-errors`} messages=${messages} />
    </fieldset>`;
  }
  if (field.kind === 'select' || field.kind === 'boolean') {
    const options = field.kind === 'boolean' ? ['true', 'false'] : field.options;
    control = html`<select ...${common} value=${value === undefined ? '' : String(value)}
      onChange=${(e: Event) => commit((e.target as HTMLSelectElement).value)}>
      <option value="">${hint !== undefined ? `default (${hint})` : 'not set'}</option>
      ${options.map((o) => html`<option value=${o}>${o}</option>`)}
    </select>`;
  } else {
    const text = raw ?? formatValue(field, value);
    const onInput = (e: Event) => {
      const next = (e.target as HTMLInputElement | HTMLTextAreaElement).value;
      setRaw(next);
      commit(next);
    };
    const onBlur = () => !localError && setRaw(null);
    const placeholder = hint ?? (field.kind === 'list' ? 'comma, separated' : field.kind === 'map' ? 'key=value, one a line' : '');
    control =
      field.kind === 'map' || field.kind === 'json'
        ? html`<textarea ...${common} rows="2" value=${text} placeholder=${placeholder} onInput=${onInput} onBlur=${onBlur}></textarea>`
        : html`<input ...${common} type=${field.kind === 'integer' || field.kind === 'number' ? 'number' : 'text'} inputmode=${field.kind === 'integer' ? 'numeric' : undefined}
            min=${'minimum' in field ? field.minimum : undefined} max=${'maximum' in field ? field.maximum : undefined}
            required=${field.required && indexes.length === 0 && field.pointer.split('/').length === 2}
            value=${text} placeholder=${placeholder} onInput=${onInput} onBlur=${onBlur} />`;
  }
  return html`<div class=${`field${messages.length ? ' has-error' : ''}`} data-pointer=${pointer}>
    <label for=${id}>${field.label}${field.required ? html`<span aria-hidden="true"> *</span>` : null}</label>
    ${control}
    ${field.description || hint
      ? html`<small class="hint" id=${`${id}-hint`}>${field.description ?? ''}${hint !== undefined ? ` Default: ${hint}.` : ''}</small>`
      : null}
    <${Messages} id=${`${id}-errors`} messages=${messages} />
  </div>`;
}

function ObjectField(props: FieldProps & { field: FieldModel & { kind: 'object' } }) {
  const { field, draft, indexes, errors } = props;
  const pointer = concrete(field.pointer, indexes);
  const open = getAt(draft, pointer) !== undefined || hasAnyError(pointer, errors);
  const id = fieldId(pointer);
  return html`<details class="group" open=${open} data-pointer=${pointer}>
    <summary id=${`${id}-summary`}>${field.label}${field.description ? html` <small>${field.description}</small>` : null}</summary>
    <div role="group" aria-labelledby=${`${id}-summary`}>
      <${Messages} id=${`${id}-errors`} messages=${errors[pointer] ?? []} />
      ${field.fields.map((child) => html`<${SchemaField} key=${child.pointer} ...${props} field=${child} />`)}
    </div>
  </details>`;
}

function ArrayField(props: FieldProps & { field: FieldModel & { kind: 'array' } }) {
  const { field, draft, indexes, errors, onChange } = props;
  const pointer = concrete(field.pointer, indexes);
  const items = getAt(draft, pointer);
  const list = Array.isArray(items) ? items : [];
  // Fields keep the text being typed; after a removal every item is drawn afresh.
  const [generation, setGeneration] = useState(0);
  const id = fieldId(pointer);
  const itemLabel = field.label.replace(/(ies|s)$/, (m) => (m === 'ies' ? 'y' : ''));
  const remove = (index: number) => {
    const next = list.filter((_, i) => i !== index);
    onChange(pointer, next.length ? next : undefined);
    setGeneration((g) => g + 1);
  };
  return html`<fieldset class="group array" data-pointer=${pointer} aria-describedby=${field.description ? `${id}-hint` : undefined}>
    <legend>${field.label}</legend>
    ${field.description ? html`<small class="hint" id=${`${id}-hint`}>${field.description}</small>` : null}
    <${Messages} id=${`${id}-errors`} messages=${errors[pointer] ?? []} />
    ${list.map(
      (_item, i) => html`<div class="array-item" key=${`${generation}-${i}`}>
        <div class="array-item-head">
          <strong>${itemLabel} ${i + 1}</strong>
          <button type="button" aria-label=${`Remove ${itemLabel} ${i + 1}`} onClick=${() => remove(i)}>Remove</button>
        </div>
        ${field.item.kind === 'object'
          ? field.item.fields.map((child) => html`<${SchemaField} key=${child.pointer} ...${props} field=${child} indexes=${[...indexes, i]} />`)
          : html`<${SchemaField} ...${props} field=${field.item} indexes=${[...indexes, i]} />`}
      </div>`,
    )}
    <button type="button" onClick=${() => onChange(pointer, [...list, {}])}>Add ${itemLabel}</button>
  </fieldset>`;
}

export function SchemaField(props: FieldProps) {
  const { field } = props;
  if (field.kind === 'object') return html`<${ObjectField} ...${props} field=${field} />`;
  if (field.kind === 'array') return html`<${ArrayField} ...${props} field=${field} />`;
  return html`<${LeafField} ...${props} />`;
}
