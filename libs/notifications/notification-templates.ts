/**
 * Message texts in zh-CN and en. `{name}` placeholders are filled from params verbatim, so labels
 * such as a roster mode, a measure or symptoms must already be in the message's language.
 * Pure: workflows may import it.
 */
import type { Language } from '../domain/contact';

export type NotificationLanguage = Language;

interface MessageText {
  subject: string;
  body: string;
}

const TEMPLATES = {
  checkin_reminder: {
    'zh-CN': {
      subject: '体温上报提醒',
      body: '您好，请在 {slotStart}–{slotEnd} 时段内上报体温（观察编号 {observationNumber}）：{reportLink}',
    },
    en: {
      subject: 'Temperature report reminder',
      body: 'Please report your temperature for the {slotStart}–{slotEnd} slot (observation number {observationNumber}): {reportLink}',
    },
  },
  observation_enrolled: {
    'zh-CN': {
      subject: '居家医学观察通知',
      body: '{personName}，您好：您已纳入居家医学观察（观察编号 {observationNumber}）。请每天在上报时段内通过此链接上报体温：{reportLink}',
    },
    en: {
      subject: 'Home medical observation',
      body: 'Dear {personName}, you are now under home medical observation (observation number {observationNumber}). Please report your temperature in each reporting slot through this link: {reportLink}',
    },
  },
  report_link_reissued: {
    'zh-CN': {
      subject: '体温上报链接已更新',
      body: '您的体温上报链接已更新（观察编号 {observationNumber}），此前的链接已失效。请使用新链接：{reportLink}',
    },
    en: {
      subject: 'New temperature report link',
      body: 'Your temperature report link has changed (observation number {observationNumber}); the earlier link no longer works. Please use this one: {reportLink}',
    },
  },
  missed_report: {
    'zh-CN': {
      subject: '漏报提醒：{personName}',
      body: '{personName}（观察编号 {observationNumber}）未在 {slotStart}–{slotEnd} 时段上报体温，请及时联系核实。',
    },
    en: {
      subject: 'Missed report: {personName}',
      body: '{personName} (observation number {observationNumber}) did not report a temperature for the {slotStart}–{slotEnd} slot. Please contact them.',
    },
  },
  missed_report_repeat: {
    'zh-CN': {
      subject: '连续漏报：{personName}',
      body: '{personName}（观察编号 {observationNumber}）连续第二次未上报体温（{slotStart}–{slotEnd} 时段），社区工作人员已收到首次漏报通知，请督办。',
    },
    en: {
      subject: 'Repeated missed report: {personName}',
      body: '{personName} (observation number {observationNumber}) missed a second consecutive temperature report ({slotStart}–{slotEnd} slot). The community worker was told of the first miss; please follow up.',
    },
  },
  fever_alert: {
    'zh-CN': {
      subject: '发热预警：{personName}',
      body: '{personName}（观察编号 {observationNumber}）于 {reportedAt} 报告体温 {temperature} °C，症状：{symptoms}。请立即处置。',
    },
    en: {
      subject: 'Fever alert: {personName}',
      body: '{personName} (observation number {observationNumber}) reported {temperature} °C at {reportedAt}; symptoms: {symptoms}. Please respond now.',
    },
  },
  non_cooperation: {
    'zh-CN': {
      subject: '不配合管控：{personName}',
      body: '{personName}（观察编号 {observationNumber}）于 {openedAt} 在允许时段外开门。建议措施：{measure}。',
    },
    en: {
      subject: 'Non-cooperation: {personName}',
      body: '{personName} (observation number {observationNumber}) opened the door at {openedAt}, outside the allowed times. Proposed measure: {measure}.',
    },
  },
  guard_unstaffed: {
    'zh-CN': {
      subject: '看守岗无人值守：{personName}',
      body: '{personName}（观察编号 {observationNumber}）的看守岗 {post} 有 {unfilled} 个班次无人可排（{reason}），请安排人员或调整措施。',
    },
    en: {
      subject: 'Guard post unstaffed: {personName}',
      body: 'The guard post {post} at {personName} (observation number {observationNumber}) has {unfilled} shift(s) nobody can stand ({reason}). Please find staff or change the measure.',
    },
  },
  escalation_update: {
    'zh-CN': {
      subject: '上报事件进展：{observationNumber}',
      body: '观察编号 {observationNumber}（{personName}）的上报事件 {escalationId} 当前状态：{status}。{note}',
    },
    en: {
      subject: 'Escalation update: {observationNumber}',
      body: 'Escalation {escalationId} for {personName} (observation number {observationNumber}) is now {status}. {note}',
    },
  },
  release_notice: {
    'zh-CN': {
      subject: '解除观察通知',
      body: '{personName}，您好：您的居家观察（观察编号 {observationNumber}）期满，于 {releaseDate} 解除。感谢您的配合。',
    },
    en: {
      subject: 'Release from observation',
      body: 'Dear {personName}, your home observation (observation number {observationNumber}) is over; you are released on {releaseDate}. Thank you for your cooperation.',
    },
  },
  observation_ended: {
    'zh-CN': {
      subject: '观察提前结束：{observationNumber}',
      body: '{personName}（观察编号 {observationNumber}）的居家观察于 {endDate} 提前结束，原因：{reason}。',
    },
    en: {
      subject: 'Observation ended early: {observationNumber}',
      body: 'The home observation of {personName} (observation number {observationNumber}) ended early on {endDate}. Reason: {reason}.',
    },
  },
  shift_reminder: {
    'zh-CN': {
      subject: '值班提醒',
      body: '{staffName}，您好：您的班次为 {shiftDate} {shiftStart}–{shiftEnd}，岗位：{post}。请准时到岗。',
    },
    en: {
      subject: 'Shift reminder',
      body: 'Hello {staffName}, your shift is on {shiftDate} {shiftStart}–{shiftEnd} at {post}. Please be on time.',
    },
  },
  shift_no_show: {
    'zh-CN': {
      subject: '未到岗：{staffName}',
      body: '{staffName} 未按时到岗（{shiftDate} {shiftStart}–{shiftEnd}，岗位：{post}），请安排替班。',
    },
    en: {
      subject: 'No-show: {staffName}',
      body: '{staffName} has not checked in for the shift on {shiftDate} {shiftStart}–{shiftEnd} at {post}. Please arrange cover.',
    },
  },
  shift_incident: {
    'zh-CN': {
      subject: '值守事件：{post}',
      body: '{post}（{shiftDate} {shiftStart}–{shiftEnd}，值守：{staffName}）于 {at} 报告事件「{kind}」：{description}',
    },
    en: {
      subject: 'Incident at {post}',
      body: '{post} ({shiftDate} {shiftStart}–{shiftEnd}, on duty: {staffName}) reported an incident at {at}, "{kind}": {description}',
    },
  },
  handover_pending: {
    'zh-CN': {
      subject: '交接班未完成：{post}',
      body: '岗位 {post} 的交接班尚未完成：{outgoingStaff} 应于 {dueAt} 前交接给 {incomingStaff}。',
    },
    en: {
      subject: 'Handover pending: {post}',
      body: 'The handover at {post} is not complete: {outgoingStaff} was due to hand over to {incomingStaff} by {dueAt}.',
    },
  },
  mode_switch: {
    'zh-CN': {
      subject: '排班模式切换：{mode}',
      body: '自 {effectiveAt} 起，排班切换为{mode}模式。原因：{reason}。',
    },
    en: {
      subject: 'Roster mode switch: {mode}',
      body: 'From {effectiveAt} the roster runs in {mode} mode. Reason: {reason}.',
    },
  },
  roster_published: {
    'zh-CN': {
      subject: '排班已更新：{from} 至 {to}',
      body: '{from} 至 {to} 的排班已发布，您的班次有变动（新增、调整或取消），请查看您的最新班次。',
    },
    en: {
      subject: 'Roster updated: {from} to {to}',
      body: 'The roster for {from} to {to} is published and your shifts changed (added, moved or cancelled). Please check your shifts.',
    },
  },
  daily_report: {
    'zh-CN': {
      subject: '日报 {date}',
      body: '{date} 日报：在观察 {underObservation} 人（当日新增 {enrolled} 人，解除 {released} 人）；班次 {seats} 个，到岗 {covered} 个，缺岗 {missed} 个，未排 {unfilled} 个。请查阅并确认收到：{reportLink}',
    },
    en: {
      subject: 'Daily report {date}',
      body: 'Daily report of {date}: {underObservation} under observation ({enrolled} enrolled, {released} released that day); {seats} shifts, {covered} covered, {missed} missed, {unfilled} unfilled. Please read it and confirm receipt: {reportLink}',
    },
  },
  roster_gap: {
    'zh-CN': {
      subject: '排班缺口：{post}',
      body: '岗位 {post} 在 {shiftDate} {shiftStart}–{shiftEnd} 的班次尚无人值守（{reason}），请安排人员。',
    },
    en: {
      subject: 'Roster gap: {post}',
      body: 'Nobody is rostered at {post} on {shiftDate} {shiftStart}–{shiftEnd} ({reason}). Please assign someone.',
    },
  },
  shift_swap_asked: {
    'zh-CN': {
      subject: '换班申请：{post}',
      body: '{otherStaffName} 申请与 {staffName} 换班（{post}）：{shiftDate} {shiftStart}–{shiftEnd} 的班次换 {otherDate} {otherStart}–{otherEnd} 的班次。请在督导页面的“换班申请”中审批：{requestsLink}',
    },
    en: {
      subject: 'Swap asked: {post}',
      body: '{otherStaffName} asks to swap shifts with {staffName} at {post}: {shiftDate} {shiftStart}–{shiftEnd} for {otherDate} {otherStart}–{otherEnd}. Decide it under "Shift requests" on the supervisor page: {requestsLink}',
    },
  },
  open_shift_asked: {
    'zh-CN': {
      subject: '认领空缺班次：{post}',
      body: '{staffName} 申请承担 {post} 在 {shiftDate} {shiftStart}–{shiftEnd} 的空缺班次。请在督导页面的“换班申请”中审批：{requestsLink}',
    },
    en: {
      subject: 'Open shift asked: {post}',
      body: '{staffName} asks to take the open shift at {post} on {shiftDate} {shiftStart}–{shiftEnd}. Decide it under "Shift requests" on the supervisor page: {requestsLink}',
    },
  },
  shift_request_approved: {
    'zh-CN': {
      subject: '班次申请已批准：{post}',
      body: '您在 {post} 的班次申请（{shiftDate} {shiftStart}–{shiftEnd}）已由 {decidedBy} 批准，班次已按申请调整。请查看您的班次。',
    },
    en: {
      subject: 'Shift request approved: {post}',
      body: 'Your shift request at {post} ({shiftDate} {shiftStart}–{shiftEnd}) was approved by {decidedBy}: the shifts now stand as asked. Please check your shifts.',
    },
  },
  shift_request_rejected: {
    'zh-CN': {
      subject: '班次申请未获批准：{post}',
      body: '您在 {post} 的班次申请（{shiftDate} {shiftStart}–{shiftEnd}）未获 {decidedBy} 批准，班次不变。{decisionNote}',
    },
    en: {
      subject: 'Shift request not approved: {post}',
      body: 'Your shift request at {post} ({shiftDate} {shiftStart}–{shiftEnd}) was not approved by {decidedBy}: your shifts stay as they were. {decisionNote}',
    },
  },
  transfer_dispatch: {
    'zh-CN': {
      subject: '转运任务 {tripId}',
      body: '转运任务 {tripId}：请于 {pickupTime} 到 {pickupAddress} 接人，送往 {destination}。任务页面：{tripLink}',
    },
    en: {
      subject: 'Transfer trip {tripId}',
      body: 'Transfer trip {tripId}: pick up at {pickupAddress} at {pickupTime} and take to {destination}. Trip page: {tripLink}',
    },
  },
  transfer_exception: {
    'zh-CN': {
      subject: '转运异常 {exceptionId}（{kind}）',
      body: '转运 {runId} 异常 {exceptionId}（{kind}）：{reason}。责任人：{owner}，处理时限：{deadline}。',
    },
    en: {
      subject: 'Transfer exception {exceptionId} ({kind})',
      body: 'Transfer run {runId}, exception {exceptionId} ({kind}): {reason}. Owner: {owner}; deadline {deadline}.',
    },
  },
} satisfies Record<string, Record<NotificationLanguage, MessageText>>;

export type NotificationTemplate = keyof typeof TEMPLATES;

export const NOTIFICATION_TEMPLATES = Object.keys(TEMPLATES) as NotificationTemplate[];

const PLACEHOLDER = /\{(\w+)\}/g;

export function renderNotification(
  template: NotificationTemplate,
  language: NotificationLanguage,
  params: Record<string, string | number>,
): MessageText {
  // Inputs arrive from workflows as JSON, so the type union is not a guarantee at run time.
  const texts = Object.prototype.hasOwnProperty.call(TEMPLATES, template) ? TEMPLATES[template] : undefined;
  if (!texts) throw new Error(`unknown notification template "${template}" (known: ${NOTIFICATION_TEMPLATES.join(', ')})`);
  const text: MessageText | undefined = (texts as Partial<Record<string, MessageText>>)[language];
  if (!text) throw new Error(`notification template "${template}" has no language "${language}" (known: zh-CN, en)`);

  const missing = new Set<string>();
  const fill = (source: string) =>
    source.replace(PLACEHOLDER, (_, name: string) => {
      const value = params[name];
      if (value === undefined || value === null) missing.add(name);
      return String(value);
    }).trim(); // an empty trailing param leaves no dangling space
  const message = { subject: fill(text.subject), body: fill(text.body) };
  if (missing.size > 0) throw new Error(`notification template "${template}" is missing params: ${[...missing].join(', ')}`);
  return message;
}
