// Forms whose fields show the API's reason right under them: a field is named as the API names it
// (`address.building`), so a 422's `errors` land where the person typed.
import { command, fieldProblems, newRequestKey, problemDetail } from './api.js';
import { fill, h } from './dom.js';

/** A labelled field: `control` is an input or select with `name` set; its error line follows it. */
export function field(label, control, attributes = {}) {
  return h('label', { class: 'field', 'data-field': control.name, ...attributes }, h('span', {}, label), control, h('span', { class: 'field-error', 'data-testid': `error-${control.name}`, hidden: true }));
}

/**
 * Shows each reason beside its field and clears the others; answers the reasons no field of the form
 * carries (shown by the caller as the form's own message).
 */
export function showProblems(form, byField) {
  const rest = { ...byField };
  for (const wrapper of form.querySelectorAll('[data-field]')) {
    const reason = byField[wrapper.dataset.field];
    delete rest[wrapper.dataset.field];
    wrapper.classList.toggle('invalid', Boolean(reason));
    const line = wrapper.querySelector('.field-error');
    line.hidden = !reason;
    line.textContent = reason ?? '';
  }
  return Object.entries(rest).map(([name, reason]) => `${name}: ${reason}`);
}

/** A group of radio buttons or checkboxes under one legend, one error line for the group. */
export function choices(legend, name, type, options, checked = []) {
  return h(
    'fieldset',
    { 'data-field': name },
    h('legend', {}, legend),
    h('div', { class: 'choices' }, options.map(([value, label]) => h('label', {}, h('input', { type, name, value, checked: checked.includes(value) }), label))),
    h('span', { class: 'field-error', 'data-testid': `error-${name}`, hidden: true }),
  );
}

/**
 * What a refused command says beside the form: `networkText` when nothing was answered, the reasons
 * no field carries (`unplaced`, from showProblems), else the API's detail when it named no field;
 * undefined when every reason already stands beside its field.
 */
export function formRefusal(result, unplaced, networkText) {
  if (result.status === 0) return networkText;
  if (unplaced.length) return unplaced.join('; ');
  return result.body?.errors?.length ? undefined : problemDetail(result);
}

/**
 * A form that sends one command: one Idempotency-Key for one intent (sent again after a failed try it
 * is done once; a change to the form is a new intent, a new key). On submit `body()` is posted to
 * `url()`; each refused field shows its reason beside it, the rest in `outcome`; `done(answer)` gets
 * the accepted answer and says what to show in `outcome`.
 */
export function commandForm({ form, submit, outcome, url, body, done, t }) {
  let key = newRequestKey();
  form.addEventListener('input', () => (key = newRequestKey()));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const result = await command(url(), body(), key);
    submit.disabled = false;
    const others = showProblems(form, fieldProblems(result));
    if (result.ok) {
      key = newRequestKey();
      return fill(outcome, await done(result.body));
    }
    const message = formRefusal(result, others, t('error.network'));
    fill(outcome, message ? h('p', { class: 'notice-alert', 'data-testid': 'form-error' }, t('error.failed', { message })) : null);
  });
}
