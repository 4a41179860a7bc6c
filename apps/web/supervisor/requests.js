// The shift requests to decide (#/requests, GET /shift-requests: the supervisor's jurisdiction,
// oldest first): a swap of two rostered shifts or someone asking for an open seat, each approved or
// rejected as one command (roster.controller.ts). Each shift shows who holds it now; a request whose
// shift has changed hands since it was asked says so and offers only its rejection (an approval
// would be refused). The API checks the roster again on approval and says what changed (409) when
// it no longer fits; both people are told of the decision.
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, h } from '/app/shared/dom.js';
import { commandForm, field } from '/app/shared/forms.js';

/** How long a decision stays in sight before the list is drawn again without it. */
const SHOW_DONE_MS = 1500;

export async function showRequests(app) {
  const { t } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson('/shift-requests?pageSize=100');
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(app.view, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const requests = result.body.items;
  const again = () => epoch === app.epoch && showRequests(app);
  fill(
    app.view,
    h(
      'section',
      { class: 'panel worklist', 'data-testid': 'shift-requests' },
      h('div', { class: 'panel-head' }, h('h2', {}, t('requests.title'), ' ', h('span', { class: `count ${requests.length ? 'some' : ''}` }, result.body.total)), h('button', { type: 'button', class: 'secondary', onclick: again }, t('refresh'))),
      requests.length ? h('ul', { class: 'rows' }, requests.map((request) => requestItem(app, request, again))) : h('p', { class: 'muted' }, t('requests.none')),
    ),
  );
}

/** One request: who asks what, the shifts with who holds each now, and the decisions open to it. */
function requestItem(app, request, again) {
  const { t } = app.shell;
  const when = (start, end) => `${app.time(start)}–${app.time(end, 'clock')}`;
  const held = (holder, name) => (holder ? t('requests.holds', { who: name ?? holder }) : t('requests.openSeat'));
  const swap = request.kind === 'swap';
  const shifts = [[held(request.shiftHolder, request.shiftHolderName), when(request.shiftStartAt, request.shiftEndAt)]];
  if (swap) shifts.push([held(request.otherShiftHolder, request.otherShiftHolderName), when(request.otherShiftStartAt, request.otherShiftEndAt)]);
  return h(
    'li',
    { class: 'request', 'data-request': request.id },
    h('div', { class: 'what' }, h('span', { class: 'badge warn' }, t(swap ? 'requests.kind.swap' : 'requests.kind.open')), h('strong', {}, request.postName), h('span', { class: 'muted' }, request.community)),
    h('p', {}, swap ? t('requests.swap', { asker: request.otherStaffName ?? request.otherStaffId, other: request.staffName ?? request.staffId }) : t('requests.open', { staff: request.staffName ?? request.staffId })),
    h('dl', { class: 'facts' }, shifts.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value)))),
    request.note ? h('p', { class: 'reason' }, request.note) : null,
    h('p', { class: 'muted' }, t('requests.asked', { time: app.time(request.createdAt) })),
    request.changedHands ? h('p', { class: 'notice-alert', 'data-testid': 'changed-hands' }, t(swap ? 'requests.changedHands' : 'requests.filled')) : null,
    decisionForms(app, request, again),
  );
}

/** Approve (a button; not for a request that no longer fits) and reject (with its reason): each its own command and key. */
function decisionForms(app, request, again) {
  const { t, user } = app.shell;
  const url = (action) => () => `/shift-requests/${encodeURIComponent(request.id)}/${action}`;
  const outcome = h('div', { role: 'status' });
  const done = (text) => () => (setTimeout(again, SHOW_DONE_MS), h('p', { class: 'notice-ok', 'data-testid': 'done' }, text));
  const approve = h('button', { type: 'submit', class: 'primary', 'data-action': 'approve' }, t('requests.approve'));
  const approveForm = h('form', { class: 'inline', novalidate: true }, approve);
  commandForm({ form: approveForm, submit: approve, outcome, t, url: url('approve'), body: () => ({ by: user.displayName }), done: done(t('requests.approved')) });
  const note = h('input', { name: 'note', maxlength: 500 });
  const reject = h('button', { type: 'submit', class: 'secondary', 'data-action': 'reject' }, t('requests.reject'));
  const rejectForm = h('form', { class: 'form', novalidate: true }, field(t('requests.reason'), note), h('div', { class: 'actions' }, reject));
  commandForm({ form: rejectForm, submit: reject, outcome, t, url: url('reject'), body: () => ({ by: user.displayName, note: note.value.trim() || undefined }), done: done(t('requests.rejected')) });
  return h('div', { class: 'decision' }, request.changedHands ? null : approveForm, rejectForm, outcome);
}
