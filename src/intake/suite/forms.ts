/** Form controls with their label, hint and error tied together for assistive technology. */
import { html, type Html } from './html.js';

export interface FieldOptions {
  id: string;
  label: string;
  /** The control itself, already carrying `id`; `describedBy` lists what it must point at. */
  control: (describedBy: string | undefined, invalid: boolean) => Html;
  hint?: string;
  /** The reason this field was refused, if it was. */
  error?: string;
}

export function field(options: FieldOptions): Html {
  const hintId = options.hint ? `${options.id}-hint` : undefined;
  const errorId = options.error ? `${options.id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return html`<div class="field">
<label for="${options.id}">${options.label}</label>
${options.error ? html`<p class="error" id="${errorId}">${options.error}</p>` : ''}
${options.control(describedBy, options.error !== undefined)}
${options.hint ? html`<p class="hint" id="${hintId}">${options.hint}</p>` : ''}
</div>`;
}

/** Attributes for a control inside `field`. */
export function described(describedBy: string | undefined, invalid: boolean): Html {
  return html`${describedBy ? html` aria-describedby="${describedBy}"` : ''}${invalid ? html` aria-invalid="true"` : ''}`;
}

export function options<T extends string>(values: readonly T[], label: (value: T) => string, selected: string | undefined): Html {
  return html`${values.map((value) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${label(value)}</option>`)}`;
}

/** A checkbox presented as a switch (role=switch: screen readers announce on/off). */
export function switchControl(id: string, name: string, label: string, checked: boolean, hintId?: string): Html {
  return html`<div class="switch"><input type="checkbox" role="switch" id="${id}" name="${name}" value="on"${checked ? html` checked` : ''}${hintId ? html` aria-describedby="${hintId}"` : ''}><label for="${id}">${label}</label></div>`;
}

/** The invalid_parameters of a refused request, as field name → reason (first reason wins). */
export function errorsByField(invalid: ReadonlyArray<{ name: string; reason: string }>): Map<string, string> {
  const byField = new Map<string, string>();
  for (const { name, reason } of invalid) if (!byField.has(name)) byField.set(name, reason);
  return byField;
}
