import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { inParallel } from '../../libs/domain/in-parallel';
import { DAY, localTime } from '../../libs/domain/local-time';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import { ReportLinks } from '../../libs/observation/report-links';
import { ObservationPolicyRepository } from '../../libs/persistence/observation/observation-policy.repository';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { unlessGone } from '../../libs/temporal/workflow-calls';
import { observationWorkflowId, slotMissedSignal } from '../../workflows/observation/observation.messages';
import { CohortSlot, cohortAgenda, dayOfPeriod } from '../../workflows/observation/observation-schedule';
import { trackingEntry } from '../../workflows/observation/tracking-entry';

/** Reminders written per transaction: small enough to keep each short, large enough to cost few round trips. */
const REMINDERS_PER_TRANSACTION = 200;
/** Transactions writing reminders at once: each person's are a few statements in a row, so one writer alone waits on round trips. */
const WRITERS = 4;
/** Sends and signals in flight at once: the gateway and the Temporal frontend each take this many. */
const IN_FLIGHT = 32;

export interface ClockPass {
  /** The clock: the task queue whose observations it keeps (observation.slot_clock). */
  clock: string;
  /** Everything due after `from` and at or before `to` (epoch ms, the clock workflow's time). */
  from: number;
  to: number;
}

export interface ClockPassDone {
  reminded: number;
  missed: number;
  /** The first reminder or deadline after `to` of the policies with observations on the clock; null: none is open. */
  nextAt: number | null;
}

/** A clock stopped longer than this (all workers down) catches up this far back only: older slots are no news. */
const LONGEST_CATCH_UP = 2 * DAY;

/**
 * The observation clock's work (README "Home observation", cohort work): for each slot whose
 * reminder falls due, the reminders of everyone on the clock who owes that slot a report, written
 * in a few transactions and sent at once; for each slot whose deadline passes, one query for who has
 * not reported, and a signal to those workflows only (each raises its escalation, once per slot).
 * Everything is keyed as the per-person workflows key it (`<number>:reminder:<slot>`, the tracking
 * line's dedup key), so a retried pass, or a workflow that still keeps its own timers, writes once.
 */
@Injectable()
export class ObservationClockActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly observations: ObservationRepository,
    private readonly policies: ObservationPolicyRepository,
    private readonly outbox: NotificationOutbox,
    private readonly reportLinks: ReportLinks,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async runObservationClock({ clock, from, to }: ClockPass): Promise<ClockPassDone> {
    const offset = utcOffsetMinutes(this.config.timeZone, to);
    const done = { reminded: 0, missed: 0, nextAt: Infinity };
    const inUse = new Set(await this.observations.policiesOnClock(clock));
    for (const policy of (await this.policies.all()).filter((p) => inUse.has(p.id))) {
      const agenda = cohortAgenda(policy.rules, offset, Math.max(from, to - LONGEST_CATCH_UP), to);
      done.nextAt = Math.min(done.nextAt, agenda.nextAt);
      for (const slot of agenda.reminders) done.reminded += await this.remind(clock, policy.id, slot, offset);
      for (const slot of agenda.deadlines) done.missed += await this.sweep(clock, policy.id, slot);
    }
    return { ...done, nextAt: Number.isFinite(done.nextAt) ? done.nextAt : null };
  }

  /** The slot's reminders: stored with the tracking lines in chunks, a few chunks at once, each chunk's texts sent while others are written. */
  private async remind(clock: string, policyId: string, slot: CohortSlot, offset: number): Promise<number> {
    const owing = await this.observations.owingSlot(clock, policyId, slot.opensAt);
    const params = { slotStart: localTime(slot.opensAt, offset), slotEnd: localTime(slot.closesAt, offset) };
    const day = (anchorDate: string) => dayOfPeriod({ anchorDate, utcOffsetMinutes: offset }, slot.remindAt);
    const chunks: (typeof owing)[] = [];
    for (let i = 0; i < owing.length; i += REMINDERS_PER_TRANSACTION) chunks.push(owing.slice(i, i + REMINDERS_PER_TRANSACTION));
    const sender = new Sender(IN_FLIGHT, (id) => this.outbox.deliver(id));
    let written = 0;
    try {
      await inParallel(chunks, WRITERS, async (chunk) => {
        const toDeliver = await this.dataSource.transaction(async (db) => {
          const ids: string[] = [];
          for (const o of chunk) {
            const reminder: NotificationRequest = { id: `${o.number}:reminder:${slot.key}`, recipient: { personId: o.personId }, template: 'checkin_reminder', params, concerns: { kind: 'observation', id: o.number } };
            ids.push(...(await this.outbox.enqueue(db, await this.reportLinks.withLink(o.number, [reminder], db), o.number)));
          }
          await this.observations.appendTrackingLines(
            chunk.map((o) => [o.number, trackingEntry(o.number, 'reminder', slot.remindAt, day(o.anchorDate), { slotKey: slot.key }, { slotStart: slot.opensAt, key: `reminder:${slot.key}` })]),
            db,
          );
          return ids;
        });
        sender.add(toDeliver);
        written += chunk.length;
        Context.current().heartbeat({ slot: slot.key, reminded: written, of: owing.length });
      });
    } finally {
      await sender.finish();
    }
    return owing.length;
  }

  /** Who has not reported by the slot's deadline: their workflows are told, and each raises its escalation. */
  private async sweep(clock: string, policyId: string, slot: CohortSlot): Promise<number> {
    const missing = await this.observations.owingSlot(clock, policyId, slot.opensAt);
    let signalled = 0;
    await inParallel(missing, IN_FLIGHT, async ({ number }) => {
      // A workflow that has just ended needs no telling.
      await unlessGone(this.client.workflow.getHandle(observationWorkflowId(number)).signal(slotMissedSignal, { slotKey: slot.key }), () => undefined);
      if (++signalled % 100 === 0) Context.current().heartbeat({ slot: slot.key, signalled, of: missing.length });
    });
    return missing.length;
  }
}

/**
 * Sends stored messages, `limit` at a time, while more are being written. A text that fails stays
 * pending for the outbox relay: the clock's pass does not wait on the gateway's retries.
 */
class Sender {
  private readonly ids: string[] = [];
  private next = 0;
  private writing = true;
  private readonly running: Promise<void>[];

  constructor(limit: number, send: (id: string) => Promise<unknown>) {
    this.running = Array.from({ length: limit }, async () => {
      for (;;) {
        if (this.next < this.ids.length) await send(this.ids[this.next++]).catch(() => undefined);
        else if (this.writing) await new Promise((resolve) => setTimeout(resolve, 10));
        else return;
      }
    });
  }

  add(ids: string[]) {
    this.ids.push(...ids);
  }

  async finish(): Promise<void> {
    this.writing = false;
    await Promise.all(this.running);
  }
}
