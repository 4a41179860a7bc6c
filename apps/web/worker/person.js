// One person: who they are, the report form (temperature, symptoms, phone call or visit), today's
// slots and the 14-day sheet. The record comes from GET /observations/:number; a report is the
// existing command POST /observations/:number/reports, retried under one key until it is answered.
import { command, fieldProblems, getJson, newRequestKey, problemDetail } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';
import { choices, field, formRefusal, showProblems } from '/app/shared/forms.js';
import { SYMPTOMS } from '/app/shared/i18n.js';
import { renderSheet } from './sheet.js';

const OPEN = ['active', 'escalated'];
const CHANNELS = ['phone_call', 'visit'];
/** The fever line when the person's policy cannot be read. */
const DEFAULT_FEVER_THRESHOLD = 37.3;

export async function showPerson(app, number) {
  const { t } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson(`/observations/${encodeURIComponent(number)}`);
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(app.view, backLink(app), h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const record = result.body;
  const threshold = await feverThreshold(record.observation);
  if (epoch !== app.epoch) return;
  const sheet = h('section', { class: 'panel sheet', 'data-testid': 'sheet' });
  const slots = h('section', { class: 'panel no-print', 'data-testid': 'slots' });
  const escalations = h('section', { class: 'panel no-print', 'data-testid': 'escalations' });
  const redraw = (latest) => {
    renderEscalations(app, escalations, latest, redraw);
    renderSheet(app, sheet, latest, threshold);
    renderSlots(app, slots, latest.state);
  };
  fill(
    app.view,
    backLink(app),
    header(app, record),
    escalations,
    h('div', { class: 'person-columns' }, h('div', {}, reportPanel(app, record, redraw), slots), sheet),
  );
  redraw(record);
}

/** The record again after a command, drawn where it is shown. */
async function reload(number, redraw) {
  const latest = await getJson(`/observations/${encodeURIComponent(number)}`);
  if (latest.ok) redraw(latest.body);
}

const backLink = (app) => h('a', { class: 'back no-print', href: '#/' }, app.shell.t('person.back'));

/** The fever line of the person's policy version (its rules are shared data any worker may read). */
async function feverThreshold(observation) {
  const result = await getJson(`/observation-policies?category=${encodeURIComponent(observation.category)}&pageSize=100`);
  const policy = result.ok ? result.body.items.find((p) => p.id === observation.policyId) : undefined;
  return policy?.rules.feverThreshold ?? DEFAULT_FEVER_THRESHOLD;
}

/** Who the person is, where, the day of their period; `more`: a page's own facts (`<div><dt><dd>`) after these. */
export function header(app, { observation, person, state }, more = []) {
  const { t, term } = app.shell;
  const address = [person.address.community, person.address.building && `${person.address.building}-${person.address.unit}`, person.address.detail].filter(Boolean).join(' ');
  return h(
    'section',
    { class: 'panel person-head', 'data-testid': 'person' },
    h(
      'div',
      { class: 'person-title' },
      h('h2', { 'data-testid': 'person-name' }, person.name),
      h('span', { class: 'mono muted' }, observation.number),
      h('span', { class: `badge ${observation.status === 'escalated' ? 'alert' : observation.status === 'active' ? 'ok' : ''}` }, term('status', observation.status)),
      h('span', { class: 'badge' }, term('category', observation.category)),
      state ? h('strong', { class: 'day' }, t('person.day', { day: Math.min(state.day, state.periodDays), days: state.periodDays })) : null,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, t('enrol.mobile')), h('dd', {}, h('a', { href: `tel:${person.mobile}`, class: 'no-print-link' }, person.mobile))),
      h('div', {}, h('dt', {}, t('person.address')), h('dd', {}, address)),
      h('div', {}, h('dt', {}, t('person.worker')), h('dd', {}, observation.responsibleWorker)),
      h('div', {}, h('dt', {}, t('person.release')), h('dd', {}, app.time(observation.releaseDueAt, 'date'))),
      more,
    ),
  );
}

function reportPanel(app, record, redraw) {
  const { t, term } = app.shell;
  const number = record.observation.number;
  if (!OPEN.includes(record.observation.status)) return h('section', { class: 'panel no-print' }, h('h2', {}, t('report.title')), h('p', { class: 'muted' }, t('report.closed')));
  const temperature = h('input', { name: 'temperature', type: 'number', inputmode: 'decimal', step: '0.1', min: '34', max: '43', placeholder: '36.5', required: true });
  const outcome = h('div', { 'data-testid': 'report-outcome', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('report.submit'));
  const form = h(
    'form',
    { class: 'form', 'data-testid': 'report-form', novalidate: true },
    field(t('report.temperature'), temperature),
    choices(t('report.channel'), 'channel', 'radio', CHANNELS.map((c) => [c, t(`channel.${c}`)]), ['phone_call']),
    choices(t('report.symptoms'), 'symptoms', 'checkbox', SYMPTOMS.map((s) => [s, term('symptom', s)])),
    submit,
    outcome,
  );
  // One key for one reading: sent again after a failed try it is recorded once; a new reading, a new key.
  let key = newRequestKey();
  form.addEventListener('input', () => (key = newRequestKey()));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t('report.sending');
    const body = {
      temperature: temperature.value === '' ? undefined : Number(temperature.value),
      channel: form.querySelector('input[name="channel"]:checked')?.value,
      symptoms: [...form.querySelectorAll('input[name="symptoms"]:checked')].map((box) => box.value),
    };
    const result = await command(`/observations/${encodeURIComponent(number)}/reports`, body, key);
    submit.disabled = false;
    submit.textContent = t('report.submit');
    const others = showProblems(form, fieldProblems(result));
    if (result.ok) {
      const taken = result.body;
      key = newRequestKey();
      form.reset();
      fill(
        outcome,
        h('p', { class: taken.fever ? 'notice-alert' : 'notice-ok', 'data-testid': 'report-done' }, t('report.done', { temperature: taken.temperature.toFixed(1), slot: app.time(taken.slotKey, 'clock'), time: app.time(taken.recordedAt, 'clock') })),
        taken.fever ? h('p', { class: 'notice-alert' }, t('report.fever')) : null,
      );
      return reload(number, redraw);
    }
    const message = formRefusal(result, others, t('error.network'));
    fill(outcome, message ? h('p', { class: 'notice-alert', 'data-testid': 'report-error' }, t('report.failed', { message })) : null);
  });
  return h('section', { class: 'panel no-print' }, h('h2', {}, t('report.title')), form);
}

function renderSlots(app, element, state) {
  const { t, term } = app.shell;
  if (!state) return fill(element);
  fill(
    element,
    h('h2', {}, t('slots.title')),
    table(
      [t('slots.opens'), t('slots.deadline'), t('slots.state'), t('slots.temperature')],
      state.today.map((slot) =>
        h(
          'tr',
          {},
          h('td', {}, app.time(slot.opensAt, 'clock')),
          h('td', {}, app.time(slot.deadline, 'clock')),
          h('td', {}, h('span', { class: `badge ${slot.state === 'missed' ? 'alert' : slot.state === 'reported' ? 'ok' : slot.state === 'open' ? 'warn' : ''}` }, term('slot', slot.state))),
          h('td', { class: 'num' }, slot.temperature?.toFixed(1) ?? '—'),
        ),
      ),
    ),
  );
}

/** Health escalations are closed by a supervisor's decision; the others the worker may close. */
const HEALTH = ['fever', 'symptom'];

/**
 * The escalations not yet resolved (the live state's, else as recorded): what brought the person onto
 * the worklist, with what the worker may do about each: acknowledge it (seen, acting), resolve it.
 */
function renderEscalations(app, element, record, redraw) {
  const { t, term, user } = app.shell;
  const number = record.observation.number;
  const open = (record.state?.escalations ?? record.escalations).filter((e) => e.state !== 'resolved');
  element.hidden = !open.length;
  const outcome = h('p', { class: 'notice-alert', role: 'alert', hidden: true });
  const act = async (escalation, action) => {
    const result = await command(`/observations/${encodeURIComponent(number)}/escalations/${encodeURIComponent(escalation.id.split('/').pop())}/${action}`, { by: user.displayName });
    if (result.ok) return reload(number, redraw);
    outcome.hidden = false;
    outcome.textContent = result.status === 0 ? t('error.network') : t('escalation.failed', { message: problemDetail(result) });
  };
  fill(
    element,
    h('h2', {}, t('person.escalations')),
    h(
      'ul',
      { class: 'rows' },
      open.map((e) =>
        h(
          'li',
          { class: 'escalation', 'data-escalation': e.id },
          h('div', { class: 'what' }, h('span', { class: `badge ${HEALTH.includes(e.kind) ? 'alert' : 'warn'}` }, term('escalation', e.kind)), h('span', { class: 'badge', 'data-testid': 'escalation-state' }, term('escalationState', e.state)), h('span', { class: 'muted' }, t('worklist.owner', { owner: e.owner })), h('span', { class: 'muted' }, app.time(e.openedAt))),
          h('p', { class: 'reason' }, e.reason),
          h(
            'div',
            { class: 'actions' },
            e.state === 'open' ? h('button', { type: 'button', class: 'secondary', 'data-action': 'acknowledge', onclick: () => act(e, 'acknowledge') }, t('escalation.acknowledge')) : null,
            HEALTH.includes(e.kind) ? h('span', { class: 'muted' }, t('escalation.supervisorDecides')) : h('button', { type: 'button', class: 'secondary', 'data-action': 'resolve', onclick: () => act(e, 'resolve') }, t('escalation.resolve')),
          ),
        ),
      ),
    ),
    outcome,
  );
}
