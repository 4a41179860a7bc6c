// The escalations to decide (GET /worklist: the supervisor's jurisdiction), fever and symptom first,
// and one person (GET /observations/:number): the report that raised it, the 14-day temperatures,
// and each decision as one command (observations.controller.ts) under its own Idempotency-Key.
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, h } from '/app/shared/dom.js';
import { choices, commandForm, field } from '/app/shared/forms.js';
import { header } from '/app/worker/person.js';
import { renderSheet } from '/app/worker/sheet.js';

/** Health escalations: a supervisor decides what becomes of the person. */
const HEALTH = ['fever', 'symptom'];
const DECISIONS = ['continue', 'hospital', 'centralized_quarantine'];
const EARLY_END_REASONS = ['moved_away', 'hospital', 'centralized_quarantine'];
/** The ladder for non-cooperation, in order (workflows/observation/observation.messages.ts MEASURES). */
const LADDER = ['warning_talk', 'guard_posted', 'centralized_quarantine'];
const OPEN = ['active', 'escalated'];
const DEFAULT_FEVER_THRESHOLD = 37.3;
/** How long what was done stays in sight before the person is drawn again as it now stands. */
const SHOW_DONE_MS = 1500;

export async function showEscalations(app) {
  const { t } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson('/worklist');
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(app.view, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const list = result.body;
  const all = [...list.escalations, ...list.missed];
  const health = all.filter((e) => HEALTH.includes(e.kind));
  const other = all.filter((e) => !HEALTH.includes(e.kind));
  fill(
    app.view,
    h(
      'div',
      { class: 'panel-head list-head' },
      h('p', { class: 'muted' }, t('escalations.scope', { scope: app.shell.scope(app.shell.user), time: app.time(list.at, 'clock') })),
      h('button', { type: 'button', class: 'secondary', onclick: () => showEscalations(app) }, t('refresh')),
    ),
    section(app, 'health', t('escalations.health'), health),
    section(app, 'other', t('escalations.other'), other),
  );
}

function section(app, name, title, items) {
  const { t, term } = app.shell;
  return h(
    'section',
    { class: `panel worklist ${name}`, 'data-testid': `escalations-${name}` },
    h('h2', {}, title, ' ', h('span', { class: `count ${items.length ? 'some' : ''}` }, items.length)),
    items.length
      ? h(
          'ul',
          { class: 'rows' },
          items.map((e) =>
            h(
              'li',
              {},
              h(
                'a',
                { class: 'row', href: `#/person/${encodeURIComponent(e.number)}`, 'data-number': e.number },
                h('span', { class: 'who' }, h('strong', {}, e.name), h('span', { class: 'mono muted' }, `${e.number} · ${e.community}`)),
                h('span', { class: 'what' }, h('span', { class: `badge ${HEALTH.includes(e.kind) ? 'alert' : 'warn'}` }, term('escalation', e.kind)), h('span', { class: 'badge' }, term('escalationState', e.state)), h('span', { class: 'muted' }, t('escalations.owner', { owner: e.owner }))),
                h('span', { class: 'when muted' }, `${t('escalations.opened', { time: app.time(e.openedAt) })} · ${e.reason}`),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('escalations.none')),
  );
}

export async function showPerson(app, number) {
  const { t } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const [result, policies] = await Promise.all([getJson(`/observations/${encodeURIComponent(number)}`), getJson('/observation-policies?pageSize=200')]);
  if (epoch !== app.epoch) return;
  const back = h('a', { class: 'back', href: '#/' }, t('back'));
  if (!result.ok) return fill(app.view, back, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const record = result.body;
  const policy = policies.ok ? policies.body.items.find((p) => p.id === record.observation.policyId) : undefined;
  const sheet = h('section', { class: 'panel sheet', 'data-testid': 'sheet' });
  renderSheet(app, sheet, record, policy?.rules.feverThreshold ?? DEFAULT_FEVER_THRESHOLD);
  // After a command the record is read again and the view drawn anew (the same view, same epoch).
  const again = () => epoch === app.epoch && showPerson(app, number);
  fill(app.view, back, personHeader(app, record), h('div', { class: 'person-columns' }, h('div', {}, escalationsPanel(app, record, again), actionsPanel(app, record, again)), sheet));
}

/** The worker's header of the person, with when they last reported and what holds their release. */
function personHeader(app, record) {
  const { t } = app.shell;
  const blocked = record.state?.releaseBlockedBy;
  return header(app, record, [
    h('div', {}, h('dt', {}, t('person.lastReport')), h('dd', {}, app.time(record.observation.lastReportAt))),
    blocked ? h('div', {}, h('dt', {}, t('person.releaseBlocked')), h('dd', { class: 'error' }, blocked)) : null,
  ]);
}

const outcomeLine = (text) => h('p', { class: 'notice-ok', 'data-testid': 'done' }, text);
const noteInput = () => h('input', { name: 'note', maxlength: 500 });
const escalationUrl = (number, escalation, action) => `/observations/${encodeURIComponent(number)}/escalations/${encodeURIComponent(escalation.id.split('/').pop())}/${action}`;

/** Each unresolved escalation with what the supervisor may do: acknowledge, decide (health), resolve (the others). */
function escalationsPanel(app, record, again) {
  const { t, term, user } = app.shell;
  const number = record.observation.number;
  const open = (record.state?.escalations ?? record.escalations).filter((e) => e.state !== 'resolved');
  if (!open.length) return null;
  return h(
    'section',
    { class: 'panel', 'data-testid': 'escalations' },
    h('h2', {}, t('decide.title')),
    h(
      'ul',
      { class: 'rows' },
      open.map((e) => {
        const outcome = h('div', { role: 'status' });
        const submit = h('button', { type: 'submit', class: 'primary' }, HEALTH.includes(e.kind) ? t('decide.submit') : t('resolve'));
        const note = noteInput();
        const form = h(
          'form',
          { class: 'form', 'data-testid': `decide-${e.kind}`, novalidate: true },
          HEALTH.includes(e.kind) ? choices(t('decide.decision'), 'decision', 'radio', DECISIONS.map((d) => [d, t(`decision.${d}`)])) : null,
          field(t('note'), note),
          h('div', { class: 'actions' }, submit, e.state === 'open' ? acknowledgeButton(app, number, e, again) : null),
          outcome,
        );
        commandForm({
          form,
          submit,
          outcome,
          t,
          url: () => escalationUrl(number, e, HEALTH.includes(e.kind) ? 'decision' : 'resolve'),
          body: () => ({ by: user.displayName, note: note.value.trim() || undefined, decision: HEALTH.includes(e.kind) ? form.querySelector('input[name="decision"]:checked')?.value : undefined }),
          done: (view) => {
            setTimeout(again, SHOW_DONE_MS);
            // A hospital or centralized-quarantine decision whose pick-up could not start leaves the escalation open, saying why.
            const after = view?.escalations?.find((x) => x.id === e.id);
            if (HEALTH.includes(e.kind) && after && after.state !== 'resolved') return h('p', { class: 'notice-alert', 'data-testid': 'done' }, after.resolution);
            return outcomeLine(HEALTH.includes(e.kind) ? t('decide.done', { decision: t(`decision.${form.querySelector('input[name="decision"]:checked').value}`) }) : term('escalationState', 'resolved'));
          },
        });
        return h(
          'li',
          { class: 'escalation', 'data-escalation': e.id },
          h('div', { class: 'what' }, h('span', { class: `badge ${HEALTH.includes(e.kind) ? 'alert' : 'warn'}` }, term('escalation', e.kind)), h('span', { class: 'badge', 'data-testid': 'escalation-state' }, term('escalationState', e.state)), h('span', { class: 'muted' }, app.time(e.openedAt))),
          h('p', { class: 'reason' }, e.reason),
          e.resolution ? h('p', { class: 'muted', 'data-testid': 'escalation-resolution' }, e.resolution) : null,
          form,
        );
      }),
    ),
  );
}

function acknowledgeButton(app, number, escalation, again) {
  const { t, user } = app.shell;
  const button = h('button', { type: 'button', class: 'secondary', 'data-action': 'acknowledge' }, t('acknowledge'));
  // A button is a form of its own: one key, kept while the same acknowledgement is tried again.
  const form = h('form', { class: 'inline' }, button);
  const outcome = h('span', { role: 'status' });
  commandForm({ form, submit: button, outcome, t, url: () => escalationUrl(number, escalation, 'acknowledge'), body: () => ({ by: user.displayName }), done: again });
  return h('span', {}, form, outcome);
}

/**
 * Extend, end early, the next measure of the ladder: while the observation runs. The release itself
 * is the workflow's at the period's end; what holds it back shows in the header.
 */
function actionsPanel(app, record, again) {
  const { t, term, user } = app.shell;
  const { observation } = record;
  const base = `/observations/${encodeURIComponent(observation.number)}`;
  if (!OPEN.includes(observation.status)) return h('section', { class: 'panel' }, h('p', { class: 'muted' }, t('closed')));
  const forms = [];
  const add = (title, testid, controls, submitText, url, body, doneText) => {
    const submit = h('button', { type: 'submit', class: 'secondary' }, submitText);
    const outcome = h('div', { role: 'status' });
    const form = h('form', { class: 'form', 'data-testid': testid, novalidate: true }, title ? h('h3', {}, title) : null, controls, h('div', { class: 'actions' }, submit), outcome);
    commandForm({ form, submit, outcome, t, url: () => `${base}/${url}`, body, done: (state) => (setTimeout(again, SHOW_DONE_MS), outcomeLine(doneText(state))) });
    forms.push(form);
  };

  const taken = record.state?.measuresTaken ?? [];
  const next = LADDER.find((m) => !taken.includes(m));
  const measureNote = noteInput();
  if (next) add(t('measure.title'), 'measure', [taken.length ? h('p', { class: 'muted' }, t('measure.taken', { measures: taken.map((m) => term('measure', m)).join('、') })) : null, h('p', {}, t('measure.next', { measure: term('measure', next) })), field(t('note'), measureNote)], t('measure.submit'), 'measures', () => ({ by: user.displayName, measure: next, note: measureNote.value.trim() || undefined }), () => t('measure.done', { measure: term('measure', next) }));

  const anchor = h('input', { name: 'newAnchorDate', type: 'date' });
  const reason = h('input', { name: 'reason', maxlength: 500 });
  add(t('extend.title'), 'extend', [field(t('extend.newAnchorDate'), anchor), field(t('extend.reason'), reason)], t('extend.submit'), 'extension', () => ({ by: user.displayName, newAnchorDate: anchor.value || undefined, reason: reason.value.trim() || undefined }), (state) => t('extend.done', { date: app.time(state.releaseDueAt, 'date') }));

  const endReasons = choices(t('earlyEnd.reason'), 'reason', 'radio', EARLY_END_REASONS.map((r) => [r, t(`earlyReason.${r}`)]));
  const endNote = noteInput();
  add(t('earlyEnd.title'), 'early-end', [endReasons, field(t('note'), endNote)], t('earlyEnd.submit'), 'early-end', () => ({ by: user.displayName, reason: endReasons.querySelector('input:checked')?.value, note: endNote.value.trim() || undefined }), () => t('earlyEnd.done'));
  return h('section', { class: 'panel actions-panel', 'data-testid': 'observation-actions' }, h('h2', {}, t('actions.title')), forms);
}
