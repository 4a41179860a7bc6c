// Enrol one person (POST /persons): the reasons the API gives stand beside their fields; the
// worker's own subdistrict and community are filled in and fixed when the account is bound to them.
import { command, fieldProblems, newRequestKey } from '/app/shared/api.js';
import { fill, h, localDate } from '/app/shared/dom.js';
import { field, formRefusal, showProblems } from '/app/shared/forms.js';

const CATEGORIES = ['A', 'B', 'C', 'D'];
const DOCUMENT_TYPES = ['resident_id', 'passport'];

export function showEnrol(app) {
  const { t, term, user } = app.shell;
  const input = (name, attributes = {}) => h('input', { name, autocomplete: 'off', ...attributes });
  const select = (name, options) => h('select', { name }, options.map(([value, label]) => h('option', { value }, label)));
  const today = localDate(Date.now(), app.timeZone);
  const outcome = h('div', { 'data-testid': 'enrol-outcome', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('enrol.submit'));
  const form = h(
    'form',
    { class: 'form columns', 'data-testid': 'enrol-form', novalidate: true },
    field(t('enrol.name'), input('name', { maxlength: 50 })),
    field(t('enrol.documentType'), select('documentType', DOCUMENT_TYPES.map((d) => [d, term('document', d)]))),
    field(t('enrol.documentNumber'), input('documentNumber', { maxlength: 30, autocapitalize: 'characters' })),
    field(t('enrol.mobile'), input('mobile', { type: 'tel', inputmode: 'tel', maxlength: 20 })),
    field(t('enrol.category'), select('category', CATEGORIES.map((c) => [c, term('category', c)]))),
    field(t('enrol.anchorDate'), input('anchorDate', { type: 'date', value: today })),
    field(t('enrol.subdistrict'), input('address.subdistrict', { value: user.subdistrict ?? '', readonly: Boolean(user.subdistrict) })),
    field(t('enrol.community'), input('address.community', { value: user.community ?? '', readonly: Boolean(user.community) })),
    field(t('enrol.building'), input('address.building', { maxlength: 20 })),
    field(t('enrol.unit'), input('address.unit', { maxlength: 20 })),
    field(t('enrol.detail'), input('address.detail', { maxlength: 50 })),
    field(t('enrol.responsibleWorker'), input('responsibleWorker', { value: user.displayName, maxlength: 50 })),
    h('div', { class: 'actions span' }, submit),
  );
  // One key per person being enrolled: a retry after no answer enrols them once.
  let key = newRequestKey();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t('enrol.sending');
    const result = await command('/persons', bodyOf(form), key);
    submit.disabled = false;
    submit.textContent = t('enrol.submit');
    const others = showProblems(form, fieldProblems(result));
    const number = result.body?.observationNumber;
    if (result.ok) {
      key = newRequestKey();
      const words = result.status === 201 ? t('enrol.done', { number, release: app.time(result.body.releaseDueAt, 'date') }) : t('enrol.existing', { number });
      return fill(outcome, h('p', { class: 'notice-ok', 'data-testid': 'enrol-done' }, words, ' ', h('a', { href: `#/person/${encodeURIComponent(number)}` }, t('enrol.open'))));
    }
    if (result.status === 409 && number) {
      return fill(outcome, h('p', { class: 'notice-alert', 'data-testid': 'enrol-error' }, t('enrol.conflict', { number }), ' ', h('a', { href: `#/person/${encodeURIComponent(number)}` }, t('enrol.open'))));
    }
    const message = formRefusal(result, others, t('error.network'));
    fill(outcome, message ? h('p', { class: 'notice-alert', 'data-testid': 'enrol-error' }, t('enrol.failed', { message })) : null);
  });
  fill(app.view, h('section', { class: 'panel' }, h('h2', {}, t('enrol.title')), form, outcome));
}

/** The form as POST /persons takes it: `address.x` fields grouped, empty optional fields left out. */
function bodyOf(form) {
  const body = { address: {} };
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    if (name.startsWith('address.')) {
      if (text) body.address[name.slice('address.'.length)] = text;
    } else body[name] = text;
  }
  return body;
}
