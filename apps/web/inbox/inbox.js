// Everyone's inbox (/app/inbox/): my messages, unread first, each linking to its record's page, mark
// read, acknowledge or take where offered. The list follows the live unread count of the top bar.
import { fill, h } from '/app/shared/dom.js';
import { INBOX_WORDS, inboxList } from '/app/shared/inbox-list.js';
import { ROLE_PAGES, startShell } from '/app/shared/shell.js';

const MESSAGES = {
  'zh-CN': { ...INBOX_WORDS['zh-CN'], title: '我的消息', subtitle: '上报、异常、派车与排班通知', 'login.hint': '请使用您的工作账号登录。', back: '← 我的工作页面' },
  en: { ...INBOX_WORDS.en, title: 'My inbox', subtitle: 'Escalations, exceptions, dispatch and roster notices', 'login.hint': 'Log in with your work account.', back: '← My page' },
};

const view = document.getElementById('view');
let reload = () => {};
const shell = startShell({ messages: MESSAGES, onUser: show, onLanguage: () => shell.user && show() });
shell.onUnread = () => reload();

function show() {
  const list = h('section', { class: 'panel', 'data-testid': 'inbox' });
  fill(view, h('a', { class: 'back', href: ROLE_PAGES[shell.user.role] ?? '/app/' }, shell.t('back')), h('h2', { class: 'page-title' }, shell.t('title')), list);
  reload = inboxList(shell, list);
  reload();
}
