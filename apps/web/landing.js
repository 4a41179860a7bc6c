// /app/: one login for everyone; then each role goes to where it does its daily work. A role whose
// page is not built yet gets the pages that exist for it.
import { fill, h } from './shared/dom.js';
import { ROLE_PAGES, startShell } from './shared/shell.js';

const MESSAGES = {
  'zh-CN': {
    title: '疫情防控工作台',
    subtitle: '居家医学观察 · 闭环转运 · 值守排班',
    'login.hint': '请使用您的工作账号登录。',
    'landing.title': '您好，{name}',
    'landing.opening': '正在打开您的工作页面…',
    'landing.links': '您可以使用以下页面：',
    'page.dashboard': '指挥看板（在观察人员、转运、岗位值守）',
    'page.api': '接口文档（API）',
    'page.trips': '我的车次（随车人员、司机）',
    'page.inbox': '我的消息',
  },
  en: {
    title: 'Epidemic-control workbench',
    subtitle: 'Home observation · closed-loop transfers · duty rosters',
    'login.hint': 'Log in with your work account.',
    'landing.title': 'Hello, {name}',
    'landing.opening': 'Opening your page…',
    'landing.links': 'These pages are open to you:',
    'page.dashboard': 'Dashboard (people under observation, transfers, posts)',
    'page.api': 'API documentation',
    'page.trips': 'My trips (escorts, drivers)',
    'page.inbox': 'My inbox',
  },
};

/** What exists for the roles without a page of their own here yet; anyone may escort or drive a trip. */
const OTHER_PAGES = {
  admin: [['page.dashboard', '/dashboard'], ['page.api', '/docs']],
};
const EVERYONE = [['page.trips', '/app/trips/'], ['page.inbox', '/app/inbox/']];

const shell = startShell({ messages: MESSAGES, onUser: draw, onLanguage: draw });

function draw() {
  const user = shell.user;
  if (!user) return;
  const own = ROLE_PAGES[user.role];
  if (own) location.replace(`${own}${location.search}`);
  const links = [...(OTHER_PAGES[user.role] ?? []), ...EVERYONE];
  document.getElementById('landing-title').textContent = shell.t('landing.title', { name: user.displayName });
  document.getElementById('landing-text').textContent = shell.t(own ? 'landing.opening' : 'landing.links');
  fill(document.getElementById('landing-links'), own ? [] : links.map(([key, href]) => h('li', {}, h('a', { href }, shell.t(key)))));
}
