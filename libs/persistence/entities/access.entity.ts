import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Someone who logs in; the role and jurisdiction decide what they may see and do. */
@Entity('app_user')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() username!: string;
  @Column({ name: 'display_name' }) displayName!: string;
  @Column({ name: 'password_hash' }) passwordHash!: string;
  @Column() role!: string;
  @Column({ type: 'text', nullable: true }) subdistrict!: string | null;
  @Column({ type: 'text', nullable: true }) community!: string | null;
  @Column({ default: true }) active!: boolean;
  /** Raised on a password change or deactivation: older tokens stop working. */
  @Column({ name: 'token_version', type: 'int', default: 0 }) tokenVersion!: number;
  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true }) lastLoginAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Failed logins of one username (known or not) from one address, and the lock they led to. */
@Entity('login_lockout')
export class LoginLockoutEntity {
  @PrimaryColumn() username!: string;
  @PrimaryColumn() address!: string;
  @Column({ type: 'int' }) failures!: number;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil!: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Failed logins from one address, whatever the username, in the current window. */
@Entity('login_address')
export class LoginAddressEntity {
  @PrimaryColumn() address!: string;
  @Column({ name: 'window_started_at', type: 'timestamptz' }) windowStartedAt!: Date;
  @Column({ type: 'int' }) failures!: number;
}

/** One command: who, what, when, on which record, from where. Never updated or deleted (a trigger refuses). */
@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId!: string | null;
  @Column() actor!: string;
  @Column({ name: 'actor_role', type: 'text', nullable: true }) actorRole!: string | null;
  @Column({ name: 'actor_subdistrict', type: 'text', nullable: true }) actorSubdistrict!: string | null;
  @Column() action!: string;
  @Column({ name: 'record_type', type: 'text', nullable: true }) recordType!: string | null;
  @Column({ name: 'record_id', type: 'text', nullable: true }) recordId!: string | null;
  @Column({ type: 'text', nullable: true }) subdistrict!: string | null;
  @Column({ type: 'text', nullable: true }) community!: string | null;
  @Column({ type: 'int' }) status!: number;
  @Column({ type: 'text', nullable: true }) ip!: string | null;
  @Column({ name: 'request_id', type: 'text', nullable: true }) requestId!: string | null;
  @Column({ type: 'jsonb' }) detail!: Record<string, unknown>;
}
