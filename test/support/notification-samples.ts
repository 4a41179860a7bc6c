import type { NotificationTemplate } from '../../libs/notifications/notification-templates';

/** Exactly the params each template needs: the template test proves every one is used in both languages. */
export const NOTIFICATION_SAMPLES: Record<NotificationTemplate, Record<string, string | number>> = {
  checkin_reminder: { observationNumber: 'GC-20240301-0001', slotStart: '08:00', slotEnd: '10:00', reportLink: 'https://epi.example/r/abc' },
  observation_enrolled: { personName: '张三', observationNumber: 'GC-20240301-0001', reportLink: 'https://epi.example/r/abc' },
  report_link_reissued: { observationNumber: 'GC-20240301-0001', reportLink: 'https://epi.example/r/def' },
  missed_report: { personName: '张三', observationNumber: 'GC-20240301-0001', slotStart: '08:00', slotEnd: '10:00' },
  missed_report_repeat: { personName: '张三', observationNumber: 'GC-20240301-0001', slotStart: '14:00', slotEnd: '16:00' },
  fever_alert: { personName: '张三', observationNumber: 'GC-20240301-0001', temperature: 38.6, reportedAt: '09:12', symptoms: '咳嗽' },
  non_cooperation: { personName: '张三', observationNumber: 'GC-20240301-0001', openedAt: '23:40', measure: '加装门磁' },
  guard_unstaffed: { personName: '张三', observationNumber: 'GC-20240301-0001', post: 'guard-GC-20240301-0001', unfilled: 42, reason: 'no staff in community 学院路社区' },
  escalation_update: { personName: '张三', observationNumber: 'GC-20240301-0001', escalationId: 'GC-20240301-0001/2', status: 'acknowledged', note: '' },
  release_notice: { personName: '张三', observationNumber: 'GC-20240301-0001', releaseDate: '2024-03-15' },
  observation_ended: { personName: '张三', observationNumber: 'GC-20240301-0001', endDate: '2024-03-08', reason: '转集中隔离' },
  shift_reminder: { staffName: '李四', shiftDate: '2024-03-02', shiftStart: '08:00', shiftEnd: '16:00', post: '3号楼门岗' },
  shift_no_show: { staffName: '李四', shiftDate: '2024-03-02', shiftStart: '08:00', shiftEnd: '16:00', post: '3号楼门岗' },
  handover_pending: { post: '3号楼门岗', outgoingStaff: '李四', incomingStaff: '王五', dueAt: '16:15' },
  mode_switch: { mode: '战时', effectiveAt: '2024-03-02 00:00', reason: '出现本地病例' },
  transfer_dispatch: { tripId: 'T-003', pickupTime: '10:30', pickupAddress: '幸福小区3号楼', destination: '集中隔离酒店A', tripLink: 'https://epi-ops.example/app/trips/R-1/T-003' },
  roster_published: { from: '2024-03-04', to: '2024-03-10' },
  shift_swap_asked: { post: '学院路卡口', staffName: '王五', otherStaffName: '赵六', shiftDate: '2024-03-05', shiftStart: '08:00', shiftEnd: '16:00', otherDate: '2024-03-06', otherStart: '16:00', otherEnd: '24:00', requestsLink: 'https://epi-ops.example/app/supervisor/#/requests' },
  open_shift_asked: { post: '学院路卡口', staffName: '王五', shiftDate: '2024-03-05', shiftStart: '08:00', shiftEnd: '16:00', requestsLink: 'https://epi-ops.example/app/supervisor/#/requests' },
  shift_request_approved: { post: '学院路卡口', shiftDate: '2024-03-05', shiftStart: '08:00', shiftEnd: '16:00', decidedBy: '王主任' },
  shift_request_rejected: { post: '学院路卡口', shiftDate: '2024-03-05', shiftStart: '08:00', shiftEnd: '16:00', decidedBy: '王主任', decisionNote: '人手不足' },
  roster_gap: { post: '学院路卡口', shiftDate: '2024-03-05', shiftStart: '08:00', shiftEnd: '16:00', reason: '无可用人员' },
  daily_report: { date: '2024-03-05', underObservation: 120, enrolled: 8, released: 5, seats: 42, covered: 40, missed: 1, unfilled: 1, reportLink: 'https://epi-ops.example/dashboard?reportDate=2024-03-05' },
  transfer_exception: { runId: 'R-1', exceptionId: 'R-1/3', kind: 'no_show', reason: '未到接站点', owner: 'dispatcher-zhao', deadline: '2024-03-05 10:30' },
};
