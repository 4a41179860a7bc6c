// The self-report page: the person's link (/r/<token>) is their only key. It shows what the API
// answers and keeps none of the checks: the API refuses what is wrong, the page says it calmly.

import { translator } from '/app/shared/i18n.js';

const MESSAGES = {
  'zh-CN': {
    title: '体温上报',
    loading: '正在打开…',
    greeting: '您好，{name}',
    'slot.open': '当前上报时段：{from}–{to}，请现在上报体温。',
    'slot.closed': '现在不在上报时段。下一个时段：{next} 开始。',
    'slot.none': '您的观察期内已没有上报时段。',
    'temperature.label': '体温',
    'temperature.hint': '请填写 {min}–{max} °C 之间的体温',
    'symptoms.label': '有以下症状吗？',
    'symptoms.hint': '没有就不用勾选',
    submit: '提交',
    sending: '正在提交…',
    'done.title': '已收到您的体温：{temperature} °C',
    'done.fever': '您的体温偏高，社区医务人员会尽快与您联系，请留在家中。',
    'done.next': '下一个上报时段：{next} 开始。',
    'done.last': '这是您观察期内的最后一次上报。',
    again: '再报一次',
    'error.unknown': '此链接无效。请使用最新短信中的链接，或联系您的社区工作人员。',
    'error.replaced': '此链接已更换。请使用最新短信中的链接。',
    'error.ended': '您的居家观察已结束，无需再上报。谢谢您的配合。',
    'error.temperature': '请填写 {min}–{max} °C 之间的体温。',
    'error.closed': '现在不在上报时段，请在时段开始后再提交。',
    'error.rate': '提交过于频繁，请 {minutes} 分钟后再试。',
    'error.network': '网络不稳定，没有提交成功。请稍后再点“提交”。',
    'error.other': '暂时无法提交，请稍后再试。',
  },
  en: {
    title: 'Temperature report',
    loading: 'Opening…',
    greeting: 'Hello, {name}',
    'slot.open': 'Reporting is open now, {from}–{to}. Please report your temperature.',
    'slot.closed': 'Reporting is closed now. The next slot opens {next}.',
    'slot.none': 'No reporting slot is left in your observation.',
    'temperature.label': 'Temperature',
    'temperature.hint': 'Between {min} and {max} °C',
    'symptoms.label': 'Do you have any of these?',
    'symptoms.hint': 'Leave them all unticked if not',
    submit: 'Send',
    sending: 'Sending…',
    'done.title': 'Thank you, we have your temperature: {temperature} °C',
    'done.fever': 'Your temperature is high. The community medical staff will contact you soon; please stay at home.',
    'done.next': 'The next slot opens {next}.',
    'done.last': 'This was the last report of your observation.',
    again: 'Report again',
    'error.unknown': 'This link is not valid. Please use the link in your latest message, or ask your community worker.',
    'error.replaced': 'This link has been replaced. Please use the link in your latest message.',
    'error.ended': 'Your home observation has ended, so no more reports are needed. Thank you.',
    'error.temperature': 'Please give a temperature between {min} and {max} °C.',
    'error.closed': 'Reporting is closed now. Please send it once the next slot opens.',
    'error.rate': 'Too many reports in a short time. Please try again in {minutes} minutes.',
    'error.network': 'The network failed and nothing was sent. Please press “Send” again in a moment.',
    'error.other': 'Reporting is not possible just now. Please try again later.',
  },
};

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
const api = `/self-report/${encodeURIComponent(token)}`;

let lang = localStorage.getItem('epi-self-report-lang') || (navigator.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
/** What the API answered last, to render again in the other language. */
let view;
let done;
let notice;
/** The request id of the report being sent: kept when sending failed without an answer, so a retry counts once. */
let pendingRequestId;

const { translate } = translator(MESSAGES);
const t = (key, params) => translate(lang, key, params);

/** A time as the person reads it: today's and tomorrow's by the hour, later ones with the date. */
function when(iso) {
  const at = new Date(iso);
  const time = at.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', hour12: false });
  const days = Math.round((new Date(at).setHours(0, 0, 0, 0) - new Date().setHours(0, 0, 0, 0)) / 86_400_000);
  if (days === 0) return lang === 'en' ? `today at ${time}` : `今天 ${time}`;
  if (days === 1) return lang === 'en' ? `tomorrow at ${time}` : `明天 ${time}`;
  return `${at.toLocaleDateString(lang, { month: 'numeric', day: 'numeric' })} ${time}`;
}

function render() {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  $('loading').hidden = Boolean(view || notice);
  $('notice').hidden = !notice;
  if (notice) $('notice').textContent = t(notice.key, notice.params);
  $('reporting').hidden = !view || Boolean(done) || Boolean(notice);
  $('done').hidden = !done || Boolean(notice);
  if (view) renderForm();
  if (done) renderDone();
}

function renderForm() {
  const range = { min: view.temperature.min.toFixed(1), max: view.temperature.max.toFixed(1) };
  $('greeting').textContent = t('greeting', { name: view.maskedName });
  const slot = $('slot');
  slot.classList.toggle('open', Boolean(view.openSlot));
  slot.textContent = view.openSlot
    ? t('slot.open', { from: timeOf(view.openSlot.opensAt), to: timeOf(view.openSlot.closesAt) })
    : view.nextSlotOpensAt ? t('slot.closed', { next: when(view.nextSlotOpensAt) }) : t('slot.none');
  $('temperature-hint').textContent = t('temperature.hint', range);
  const list = $('symptoms');
  const ticked = new Set([...list.querySelectorAll('input:checked')].map((input) => input.value));
  list.replaceChildren(
    ...view.symptoms.map((code) => {
      const label = document.createElement('label');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'symptom', value: code, checked: ticked.has(code) });
      label.append(box, document.createTextNode(t(`symptom.${code}`)));
      return label;
    }),
  );
  $('submit').disabled = !view.openSlot;
}

function renderDone() {
  $('done-title').textContent = t('done.title', { temperature: done.temperature.toFixed(1) });
  $('done-fever').hidden = !done.fever;
  $('done-fever').textContent = t('done.fever');
  $('done-next').textContent = done.nextSlotOpensAt ? t('done.next', { next: when(done.nextSlotOpensAt) }) : t('done.last');
}

/** 128 random bits as hex: crypto.randomUUID exists only on https pages, getRandomValues everywhere. */
function newRequestId() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const timeOf = (iso) => new Date(iso).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', hour12: false });

function showFormError(key, params) {
  const box = $('form-error');
  box.hidden = !key;
  box.textContent = key ? t(key, params) : '';
}

/** A refusal of the link itself (wrong, replaced, ended): one sentence instead of the page. */
function linkRefusal(status, problem) {
  if (status === 404) return { key: 'error.unknown' };
  if (status === 410) return { key: problem?.reason === 'ended' ? 'error.ended' : 'error.replaced' };
  return undefined;
}

async function load() {
  try {
    const response = await fetch(api, { headers: { accept: 'application/json' } });
    const body = await response.json().catch(() => undefined);
    if (response.ok) view = body;
    else notice = linkRefusal(response.status, body) ?? { key: 'error.other' };
  } catch {
    notice = { key: 'error.network' };
  }
  render();
}

async function submit(event) {
  event.preventDefault();
  const range = { min: view.temperature.min.toFixed(1), max: view.temperature.max.toFixed(1) };
  const temperature = Number($('temperature').value);
  if (!$('temperature').value || !(temperature >= view.temperature.min && temperature <= view.temperature.max)) return showFormError('error.temperature', range);
  showFormError();
  const symptoms = [...document.querySelectorAll('#symptoms input:checked')].map((input) => input.value);
  pendingRequestId ??= newRequestId();
  $('submit').disabled = true;
  $('submit').textContent = t('sending');
  try {
    const response = await fetch(`${api}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ temperature, symptoms, requestId: pendingRequestId }),
    });
    const body = await response.json().catch(() => undefined);
    if (response.status >= 500) return showFormError('error.other');
    pendingRequestId = undefined; // answered: the next submission is a new report
    if (response.ok) {
      done = body;
      return render();
    }
    const refusal = linkRefusal(response.status, body);
    if (refusal) {
      notice = refusal;
      return render();
    }
    if (response.status === 429) return showFormError('error.rate', { minutes: Math.max(1, Math.ceil(Number(response.headers.get('retry-after') || 60) / 60)) });
    const field = body?.errors?.[0]?.field;
    if (field === 'temperature') return showFormError('error.temperature', range);
    if (field === 'at') return showFormError('error.closed');
    showFormError('error.other');
  } catch {
    showFormError('error.network');
  } finally {
    $('submit').textContent = t('submit');
    $('submit').disabled = !view?.openSlot;
  }
}

for (const button of document.querySelectorAll('[data-lang]')) {
  button.addEventListener('click', () => {
    lang = button.dataset.lang;
    localStorage.setItem('epi-self-report-lang', lang);
    render();
  });
}
$('report-form').addEventListener('submit', submit);
$('again').addEventListener('click', () => {
  done = undefined;
  $('temperature').value = '';
  for (const input of document.querySelectorAll('#symptoms input')) input.checked = false;
  void load();
});
render();
void load();
