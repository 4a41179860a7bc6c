// Today's follow-ups (GET /worklist): who owes a report in the open slot, who missed one, the other
// open escalations; each row is a link to the person.
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, h } from '/app/shared/dom.js';

/** The list follows the day without a reload: slots open and close, reports come in. */
const REFRESH_MS = 30_000;
let nextRefresh;

export async function showWorklist(app, refreshing = false) {
  const { t } = app.shell;
  const epoch = app.epoch;
  if (!refreshing) fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson('/worklist');
  if (epoch !== app.epoch) return;
  clearTimeout(nextRefresh);
  nextRefresh = setTimeout(() => epoch === app.epoch && showWorklist(app, true), REFRESH_MS);
  if (!result.ok) return fill(app.view, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const list = result.body;
  fill(
    app.view,
    h(
      'div',
      { class: 'panel-head list-head' },
      h('p', { class: 'muted', 'data-testid': 'worklist-scope' }, t('worklist.scope', { scope: app.shell.scope(app.shell.user), time: app.time(list.at, 'clock') })),
      h('button', { type: 'button', class: 'secondary', onclick: () => showWorklist(app, true) }, t('refresh')),
    ),
    section(app, 'due', t('worklist.due'), t('worklist.due.hint'), list.due, (person) => personRow(app, person)),
    section(app, 'missed', t('worklist.missed'), undefined, list.missed, (escalation) => escalationRow(app, escalation)),
    section(app, 'escalations', t('worklist.escalations'), undefined, list.escalations, (escalation) => escalationRow(app, escalation)),
  );
}

function section(app, name, title, hint, items, row) {
  return h(
    'section',
    { class: `panel worklist ${name}`, 'data-testid': `worklist-${name}` },
    h('div', { class: 'panel-head' }, h('h2', {}, title, ' ', h('span', { class: `count ${items.length ? 'some' : ''}` }, items.length)), hint ? h('span', { class: 'muted' }, hint) : null),
    items.length ? h('ul', { class: 'rows' }, items.map(row)) : h('p', { class: 'muted' }, app.shell.t('worklist.none')),
  );
}

const personLink = (number, ...children) => h('li', {}, h('a', { class: 'row', href: `#/person/${encodeURIComponent(number)}`, 'data-number': number }, children));

function personRow(app, person) {
  const { t, term } = app.shell;
  return personLink(
    person.number,
    h('span', { class: 'who' }, h('strong', {}, person.name), h('span', { class: 'mono muted' }, person.number)),
    h('span', { class: 'what' }, h('span', { class: 'badge warn' }, t('worklist.deadline', { time: app.time(person.deadline, 'clock') })), h('span', { class: 'badge' }, term('category', person.category))),
    h('span', { class: 'when muted' }, person.lastReportAt ? t('worklist.lastReport', { time: app.time(person.lastReportAt) }) : ''),
  );
}

function escalationRow(app, escalation) {
  const { t, term } = app.shell;
  const urgent = escalation.kind === 'fever' || escalation.kind === 'symptom';
  return personLink(
    escalation.number,
    h('span', { class: 'who' }, h('strong', {}, escalation.name), h('span', { class: 'mono muted' }, escalation.number)),
    h(
      'span',
      { class: 'what' },
      h('span', { class: `badge ${urgent ? 'alert' : 'warn'}` }, term('escalation', escalation.kind)),
      h('span', { class: 'badge' }, term('escalationState', escalation.state)),
      escalation.mine ? h('span', { class: 'badge ok' }, t('worklist.mine')) : h('span', { class: 'muted' }, t('worklist.owner', { owner: escalation.owner })),
    ),
    h('span', { class: 'when muted' }, t('worklist.opened', { time: app.time(escalation.openedAt) })),
  );
}
