/** An observation's row as the API reads it; the guard reads the same row to place it in a jurisdiction. */
export interface ObservationRecord {
  number: string;
  person_id: string;
  category: string;
  status: string;
  subdistrict: string;
  community: string;
  responsible_worker: string;
  anchor_date: string;
  policy_id: string;
  started_at: Date;
  release_due_at: Date;
  next_due_at: Date | null;
  last_report_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
}

export const SELECT_RECORD = `SELECT o.number, o.person_id, o.category, o.status, o.subdistrict, o.community, o.responsible_worker,
  to_char(o.anchor_date, 'YYYY-MM-DD') AS anchor_date, o.policy_id, o.started_at, o.release_due_at, o.next_due_at,
  o.last_report_at, o.ended_at, o.end_reason FROM observation o`;
