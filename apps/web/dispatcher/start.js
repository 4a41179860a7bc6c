// A new run: the run's resources, then its manifest from a file (.xlsx or .csv) or pasted rows (copied
// from a spreadsheet, or CSV), both read by POST /transfer-runs/manifest and shown as rows to check and
// correct; POST /transfer-runs judges every row, and each refused field stands in its cell and in the
// list by sheet row.
import { command, fieldProblems, newRequestKey, problemDetail, sessionToken, upload } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';
import { choices, field, formRefusal, showProblems } from '/app/shared/forms.js';

/** The manifest's columns as the page edits them (POST /transfer-runs/manifest answers these paths). */
const COLUMNS = ['name', 'documentType', 'documentNumber', 'mobile', 'arrivalTime', 'destinationId', 'disposition', 'keyPerson', 'familyGroup', 'address.subdistrict', 'address.community', 'address.building', 'address.unit', 'address.detail', 'responsibleWorker'];
const WIDTHS = { name: 7, documentType: 9, documentNumber: 17, mobile: 11, arrivalTime: 24, destinationId: 12, disposition: 15, keyPerson: 4, familyGroup: 7, 'address.subdistrict': 5, 'address.community': 9, 'address.building': 3, 'address.unit': 3, 'address.detail': 6, responsibleWorker: 6 };

export async function showStart(app) {
  const { t } = app.shell;
  const epoch = app.epoch;
  const resources = await app.resources();
  if (!resources) return;

  const state = { travellers: [], sheetRows: [], key: newRequestKey() };
  const rowsPanel = h('div', { 'data-testid': 'manifest-rows' });
  const readNote = h('div', { role: 'status', 'data-testid': 'manifest-read' });
  const outcome = h('div', { role: 'status', 'data-testid': 'start-outcome' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'start-run', disabled: true }, t('start.submit'));

  const runForm = runFields(app, resources);
  const form = h('form', { novalidate: true, 'data-testid': 'start-form' }, runForm, rowsPanel, h('div', { class: 'actions' }, submit), outcome);

  /** `label`: how the read rows are named to the dispatcher (the file's name, or "the pasted rows"). */
  async function read(file, label = file.name) {
    fill(readNote, h('p', { class: 'muted' }, t('manifest.reading')));
    const result = await upload('/transfer-runs/manifest', file);
    if (epoch !== app.epoch) return;
    if (!result.ok) return fill(readNote, h('p', { class: 'notice-alert', 'data-testid': 'manifest-error' }, t('manifest.failed', { message: problemDetail(result) })));
    state.travellers = result.body.travellers;
    state.sheetRows = result.body.sheetRows;
    state.key = newRequestKey();
    fill(readNote, h('p', { class: 'notice-ok' }, t('manifest.read', { count: state.travellers.length, file: label })));
    fill(outcome);
    drawRows();
  }

  function drawRows() {
    submit.disabled = !state.travellers.length;
    if (!state.travellers.length) return fill(rowsPanel);
    const header = [t('manifest.row'), ...COLUMNS.map((c) => t(`column.${c}`))];
    const rows = state.travellers.map((traveller, i) => h('tr', { 'data-row': state.sheetRows[i] }, h('td', { class: 'num' }, state.sheetRows[i]), COLUMNS.map((c) => cell(app, i, c, valueAt(traveller, c)))));
    fill(rowsPanel, h('h3', {}, t('manifest.rows', { count: state.travellers.length })), h('p', { class: 'muted' }, t('manifest.rowsHint')), h('div', { class: 'table-wrap manifest' }, table(header, rows, { class: 'grid compact manifest-table' })));
  }

  const file = h('input', { type: 'file', name: 'file', accept: '.xlsx,.csv', 'data-testid': 'manifest-file' });
  file.addEventListener('change', () => file.files.length && read(file.files[0]));
  const pasted = h('textarea', { name: 'pasted', rows: 4, spellcheck: 'false', placeholder: t('manifest.pastePlaceholder'), 'data-testid': 'manifest-paste' });
  const readPasted = h('button', { type: 'button', class: 'secondary', 'data-testid': 'read-pasted' }, t('manifest.readPasted'));
  readPasted.addEventListener('click', () => pasted.value.trim() && read(new File([pasted.value], 'pasted.csv', { type: 'text/csv' }), t('manifest.pasted')));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t('start.sending');
    fill(outcome, h('p', { class: 'muted' }, t('start.planning')));
    const result = await command('/transfer-runs', { ...runBody(form), travellers: travellersOf(form, state.travellers.length) }, state.key);
    if (epoch !== app.epoch) return;
    submit.disabled = false;
    submit.textContent = t('start.submit');
    const problems = fieldProblems(result);
    const others = showProblems(form, problems);
    if (result.ok) {
      location.hash = `#/run/${encodeURIComponent(result.body.runId)}`;
      return;
    }
    const byRow = Object.entries(problems).filter(([name]) => name.startsWith('travellers['));
    const message = formRefusal(result, others.filter((line) => !line.startsWith('travellers[')), t('error.network'));
    fill(
      outcome,
      h('p', { class: 'notice-alert', 'data-testid': 'start-error' }, byRow.length ? t('start.refusedRows', { count: new Set(byRow.map(([name]) => rowIndex(name))).size }) : t('start.failed', { message: message ?? problemDetail(result) })),
      byRow.length
        ? h(
            'div',
            { class: 'table-wrap' },
            table(
              [t('manifest.row'), t('manifest.field'), t('manifest.reason')],
              byRow.map(([name, reason]) => h('tr', {}, h('td', { class: 'num' }, state.sheetRows[rowIndex(name)] ?? rowIndex(name) + 1), h('td', {}, fieldLabel(t, name)), h('td', { class: 'wrap' }, reason))),
              { 'data-testid': 'start-refused' },
            ),
          )
        : null,
    );
  });

  fill(
    app.view,
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, t('start.title')),
      h(
        'div',
        { class: 'manifest-source' },
        h(
          'div',
          {},
          h('h3', {}, t('manifest.upload')),
          h('label', { class: 'field' }, h('span', {}, t('manifest.file')), file),
          h('p', { class: 'muted' }, t('manifest.template'), ' ', templateLink(app, 'xlsx'), ' · ', templateLink(app, 'csv')),
        ),
        h('div', {}, h('h3', {}, t('manifest.paste')), pasted, h('div', { class: 'actions' }, readPasted)),
      ),
      readNote,
      form,
    ),
  );
}

/** The run's own fields: sorting point, who runs it, and the vehicles and escorts it may use. */
function runFields(app, resources) {
  const { t, user } = app.shell;
  const available = (items) => [...items.values()].filter((item) => item.available);
  return h(
    'div',
    { class: 'form columns run-fields' },
    field(t('start.sortingPoint'), h('select', { name: 'sortingPointId' }, resources.sortingPoints.map((p) => h('option', { value: p.id }, `${p.name} (${p.id})`)))),
    field(t('start.dispatcher'), h('input', { name: 'dispatcher', value: user.displayName, maxlength: 50 })),
    field(t('start.supervisor'), h('input', { name: 'supervisor', maxlength: 50 })),
    h('div', { class: 'span' }, choices(t('start.vehicles'), 'vehicleIds', 'checkbox', available(resources.vehicles).map((v) => [v.id, t('start.vehicle', { plate: v.plate, seats: v.seats })]))),
    h('div', { class: 'span' }, choices(t('start.escorts'), 'escortIds', 'checkbox', available(resources.escorts).map((e) => [e.id, e.name]))),
  );
}

function runBody(form) {
  const data = new FormData(form);
  return { sortingPointId: data.get('sortingPointId'), dispatcher: String(data.get('dispatcher')).trim(), supervisor: String(data.get('supervisor')).trim(), vehicleIds: data.getAll('vehicleIds'), escortIds: data.getAll('escortIds') };
}

const valueAt = (traveller, path) => {
  const [head, leaf] = path.split('.');
  const value = leaf ? traveller[head]?.[leaf] : traveller[head];
  return value === undefined || value === null ? '' : value;
};

/** One editable cell, named as the API names its field (`travellers[3].address.building`). */
function cell(app, index, column, value) {
  const { t } = app.shell;
  const name = `travellers[${index}].${column}`;
  let control;
  if (column === 'keyPerson') {
    control = h('select', { name }, [['', '—'], ['true', t('yes')], ['false', t('no')]].map(([v, label]) => h('option', { value: v, selected: String(value) === v }, label)));
  } else if (column === 'disposition' || column === 'documentType') {
    const options = column === 'disposition' ? ['home_observation', 'centralized_quarantine'] : ['resident_id', 'passport'];
    const known = options.includes(value) || value === '';
    control = h('select', { name }, [...(known ? [] : [value]), ...options].map((v) => h('option', { value: v, selected: v === value }, app.shell.term(column === 'disposition' ? 'disposition' : 'document', v))));
  } else control = h('input', { name, value: String(value), size: WIDTHS[column], autocomplete: 'off', spellcheck: 'false' });
  return h('td', { 'data-field': name }, control, h('span', { class: 'field-error', hidden: true }));
}

/** The rows as the table now holds them: empty cells left out, the address grouped, flags as booleans. */
function travellersOf(form, count) {
  return Array.from({ length: count }, (_, i) => {
    const traveller = {};
    for (const column of COLUMNS) {
      const text = String(form.elements.namedItem(`travellers[${i}].${column}`)?.value ?? '').trim();
      if (!text) continue;
      const [head, leaf] = column.split('.');
      if (leaf) traveller[head] = { ...traveller[head], [leaf]: text };
      else traveller[head] = column === 'keyPerson' ? text === 'true' : text;
    }
    return traveller;
  });
}

const rowIndex = (name) => Number(/^travellers\[(\d+)\]/.exec(name)[1]);
const fieldLabel = (t, name) => {
  const column = name.replace(/^travellers\[\d+\]\.?/, '');
  return column ? t(`column.${column}`) : '—';
};

/** The template as a file: fetched with this tab's login (a link alone would carry none), then saved. */
function templateLink(app, format) {
  const { t, lang } = app.shell;
  const link = h('a', { href: '#', 'data-testid': `template-${format}` }, t(`manifest.template.${format}`));
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const response = await fetch(`/transfer-runs/manifest-template?format=${format}&headers=${lang === 'en' ? 'en' : 'zh'}`, { headers: { authorization: `Bearer ${sessionToken()}` } });
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    const save = h('a', { href: url, download: `transfer-manifest.${format}` });
    save.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  return link;
}
