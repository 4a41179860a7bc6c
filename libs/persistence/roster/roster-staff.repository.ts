import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RosterStaff } from '../../roster/roster-rules';
import type { Queryable } from '../queryable';

/** A staff member as the solver sees them (role, skills, leave, preferences, limits), with their name and contacts. */
export interface StaffMember extends RosterStaff {
  name: string;
  mobile?: string;
  email?: string;
  /** The login of this staff member: their shifts are theirs on the duty page, their messages reach its inbox. */
  accountId?: string;
}

/** The name a message about a staff member shows. */
export interface StaffName {
  id: string;
  name: string;
}

/** roster_staff: every statement on staff. */
@Injectable()
export class RosterStaffRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async upsert(member: StaffMember): Promise<void> {
    await this.db.query(
      `INSERT INTO roster_staff (id, name, role, home_community, skills, mobile, email, unavailable, avoid_nights, preferred_post_ids, max_hours_per_day, max_hours_per_week, max_consecutive_days, max_shifts_per_day, account_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, home_community = EXCLUDED.home_community, skills = EXCLUDED.skills, mobile = EXCLUDED.mobile,
         email = EXCLUDED.email, unavailable = EXCLUDED.unavailable, avoid_nights = EXCLUDED.avoid_nights, preferred_post_ids = EXCLUDED.preferred_post_ids,
         max_hours_per_day = EXCLUDED.max_hours_per_day, max_hours_per_week = EXCLUDED.max_hours_per_week, max_consecutive_days = EXCLUDED.max_consecutive_days,
         max_shifts_per_day = EXCLUDED.max_shifts_per_day, account_id = EXCLUDED.account_id, updated_at = now()`,
      [
        member.staffId, member.name, member.role, member.homeCommunity ?? null, member.skills, member.mobile ?? null, member.email ?? null, JSON.stringify(member.unavailable),
        member.avoidNights ?? false, member.preferredPostIds ?? [], member.maxHoursPerDay ?? null, member.maxHoursPerWeek ?? null, member.maxConsecutiveDays ?? null, member.maxShiftsPerDay ?? null,
        member.accountId ?? null,
      ],
    );
  }

  async get(id: string): Promise<StaffMember | undefined> {
    const [row] = await this.db.query(`SELECT * FROM roster_staff WHERE id = $1`, [id]);
    return row && toStaffMember(row);
  }

  async all(): Promise<StaffMember[]> {
    const rows: StaffRow[] = await this.db.query(`SELECT * FROM roster_staff ORDER BY id`);
    return rows.map(toStaffMember);
  }

  /** Names of the staff of `ids` that exist. */
  names(ids: string[], db: Queryable = this.db): Promise<StaffName[]> {
    return db.query(`SELECT id, name FROM roster_staff WHERE id = ANY($1)`, [ids]);
  }
}

interface StaffRow {
  id: string;
  name: string;
  role: RosterStaff['role'];
  home_community: string | null;
  skills: string[];
  mobile: string | null;
  email: string | null;
  unavailable: RosterStaff['unavailable'];
  avoid_nights: boolean;
  preferred_post_ids: string[];
  max_hours_per_day: number | null;
  max_hours_per_week: number | null;
  max_consecutive_days: number | null;
  max_shifts_per_day: number | null;
  account_id: string | null;
}

function toStaffMember(r: StaffRow): StaffMember {
  const optional = <T>(v: T | null) => (v === null ? undefined : v);
  return {
    staffId: r.id,
    name: r.name,
    role: r.role,
    homeCommunity: optional(r.home_community),
    skills: r.skills,
    mobile: optional(r.mobile),
    email: optional(r.email),
    unavailable: r.unavailable,
    avoidNights: r.avoid_nights,
    preferredPostIds: r.preferred_post_ids,
    maxHoursPerDay: optional(r.max_hours_per_day),
    maxHoursPerWeek: optional(r.max_hours_per_week),
    maxConsecutiveDays: optional(r.max_consecutive_days),
    maxShiftsPerDay: optional(r.max_shifts_per_day),
    accountId: optional(r.account_id),
  };
}
