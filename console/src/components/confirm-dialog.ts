/**
 * A modal confirmation: the native <dialog> (showModal) keeps focus inside, Escape cancels, and
 * focus goes back where it was when it closes.
 */
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** Disables the confirm button (a dry run not yet reviewed, say). */
  confirmDisabled?: boolean;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ComponentChildren;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  const titleId = `dialog-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return html`<dialog ref=${ref} aria-labelledby=${titleId} onCancel=${(e: Event) => (e.preventDefault(), props.onCancel())}>
    <h2 id=${titleId}>${props.title}</h2>
    ${props.children}
    <div class="actions">
      <button type="button" onClick=${props.onCancel}>Cancel</button>
      <button type="button" class=${props.danger ? 'danger' : 'primary'} disabled=${props.confirmDisabled || props.busy} onClick=${props.onConfirm}>${props.busy ? 'Working…' : props.confirmLabel}</button>
    </div>
  </dialog>`;
}
