import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { inParallel } from '../../libs/domain/in-parallel';
import { DAY, localTime } from '../../libs/domain/local-time';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import { RecipientResolver } from '../../libs/notifications/recipient-resolver';
import { roleWhereLiving } from '../../libs/notifications/recipients';
import { ReportLinks } from '../../libs/observation/report-links';
import { ObservationPolicyRepository } from '../../libs/persistence/observation/observation-policy.repository';
import { ObservationRepository, OwingSlot } from '../../libs/persistence/observation/observation.repository';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { unlessGone } from '../../libs/temporal/workflow-calls';
import { missedReport, sweptEscalationIds } from '../../workflows/observation/missed-report';
import { Escalation, observationWorkflowId, slotMissedSignal } from '../../workflows/observation/observation.messages';
import type { ObservationPolicy } from '../../workflows/observation/observation-policy';
import { CohortSlot, cohortAgenda, dayOfPeriod, nextDeadlineAfter, slotBefore } from '../../workflows/observation/observation-schedule';
import { TrackingEntry, trackingEntry } from '../../workflows/observation/tracking-entry';

/** People's reminders or misses written per transaction: small enough to keep each short, large enough to cost few round trips. */
const ROWS_PER_TRANSACTION = 200;
/** Transactions writing at once: each person's are a few statements in a row, so one writer alone waits on round trips. */
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
 * not reported, their escalations and notices written and sent the same way, and a signal to those
 * workflows only, each taking its escalations in. Everything is keyed as the per-person workflows
 * key it (`<number>:reminder:<slot>`, the tracking line's dedup key), so a retried pass, or a
 * workflow that still keeps its own timers, writes once.
 */
@Injectable()
export class ObservationClockActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly observations: ObservationRepository,
    private readonly policies: ObservationPolicyRepository,
    private readonly outbox: NotificationOutbox,
    private readonly reportLinks: ReportLinks,
    private readonly resolver: RecipientResolver,
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
      for (const slot of agenda.deadlines) done.missed += await this.sweep(clock, policy, slot, offset);
    }
    return { ...done, nextAt: Number.isFinite(done.nextAt) ? done.nextAt : null };
  }

  /** The slot's reminders: stored with the tracking lines in chunks, a few chunks at once, each chunk's texts sent while others are written. */
  private async remind(clock: string, policyId: string, slot: CohortSlot, offset: number): Promise<number> {
    const owing = await this.observations.owingSlot(clock, policyId, slot.opensAt);
    const params = { slotStart: localTime(slot.opensAt, offset), slotEnd: localTime(slot.closesAt, offset) };
    const day = (anchorDate: string) => dayOfPeriod({ anchorDate, utcOffsetMinutes: offset }, slot.remindAt);
    await this.writeAndSend(owing, (written, sent) => ({ slot: slot.key, reminded: written, sent, of: owing.length }), async (chunk, db) => {
      const reminders = chunk.map((o) => {
        const reminder: NotificationRequest = { id: `${o.number}:reminder:${slot.key}`, recipient: { personId: o.personId }, template: 'checkin_reminder', params, concerns: { kind: 'observation', id: o.number } };
        return { observationNumber: o.number, requests: [reminder] };
      });
      const ids = await this.outbox.enqueueAll(db, await this.reportLinks.withLinks(reminders, db));
      await this.observations.appendTrackingLines(
        chunk.map((o) => [o.number, trackingEntry(o.number, 'reminder', slot.remindAt, day(o.anchorDate), { slotKey: slot.key }, { slotStart: slot.opensAt, key: `reminder:${slot.key}` })]),
        db,
      );
      return ids;
    });
    return owing.length;
  }

  /**
   * Who has not reported by the slot's deadline: their misses written here, tracking lines,
   * escalations, next due times and notices a chunk to a transaction, the notices sent as they are
   * written; then each of their workflows is told, to take its escalations in. A retried sweep
   * writes nothing twice (fixed ids, dedup keys) and tells again everyone the slot's escalations
   * name, also those a first attempt wrote and did not get to tell.
   */
  private async sweep(clock: string, policy: ObservationPolicy, slot: CohortSlot, offset: number): Promise<number> {
    const previous = slotBefore(policy.rules, offset, slot);
    const missing = await this.observations.owingSlot(clock, policy.id, slot.opensAt, previous);
    const owners = new Map<string, Promise<string | null>>();
    const ownerAccount = (db: EntityManager, e: Escalation, o: OwingSlot) => {
      const recipient = roleWhereLiving(e.ownerRole, o, e.owner);
      const key = JSON.stringify(recipient);
      if (!owners.has(key)) owners.set(key, this.resolver.owner(db, recipient));
      return owners.get(key)!;
    };
    await this.writeAndSend(missing, (written, sent) => ({ slot: slot.key, escalated: written, sent, of: missing.length }), async (chunk, db) => {
      const records = chunk.map((o) => ({ o, ...missedReport(o, offset, slot, o.previousMissed ? previous : undefined, sweptEscalationIds(o.number, slot.key)) }));
      await this.observations.appendTrackingLines(records.flatMap(({ o, tracking }) => tracking.map((line): [string, TrackingEntry] => [o.number, line])), db);
      const escalations = records.flatMap(({ o, escalations }) => escalations.map((escalation) => ({ o, escalation })));
      await this.observations.openEscalations(await Promise.all(escalations.map(async ({ o, escalation }) => ({ number: o.number, escalation, ownerAccount: await ownerAccount(db, escalation, o) }))), db);
      // Each owed this slot, so every later one: the slot's opening stands for their enrolment.
      const theirPeriod = (o: OwingSlot) => ({ anchorDate: o.anchorDate, startedAt: slot.opensAt, utcOffsetMinutes: offset, rules: policy.rules });
      await this.observations.moveNextDue(chunk.map((o) => ({ number: o.number, nextDueAt: nextDeadlineAfter(theirPeriod(o), slot.deadline) })), db);
      return this.outbox.enqueueAll(db, records.map(({ o, notifications }) => ({ observationNumber: o.number, requests: notifications })));
    });
    await this.tellMissed(clock, policy.id, slot);
    return missing.length;
  }

  /** Tells the workflows of the slot's misses which escalations the sweep wrote; one closed since has them resolved here. */
  private async tellMissed(clock: string, policyId: string, slot: CohortSlot): Promise<void> {
    const numbers = await this.observations.sweptMisses(clock, policyId, slot);
    const ids = numbers.flatMap((number) => Object.values(sweptEscalationIds(number, slot.key)));
    const byNumber = new Map<string, Escalation[]>();
    for (const { number, escalation } of await this.observations.escalationsById(ids, slot.key)) byNumber.set(number, [...(byNumber.get(number) ?? []), escalation]);
    let told = 0;
    await inParallel([...byNumber], IN_FLIGHT, async ([number, recorded]) => {
      await unlessGone(this.client.workflow.getHandle(observationWorkflowId(number)).signal(slotMissedSignal, { slotKey: slot.key, recorded }), () =>
        this.observations.resolveOpenEscalations(recorded.map((e) => e.id), 'observation closed before the clock told it of the miss'),
      );
      if (++told % 100 === 0) Context.current().heartbeat({ slot: slot.key, told, of: byNumber.size });
    });
  }

  /**
   * Writes `rows` a chunk to a transaction, a few transactions at once, and sends the messages each
   * chunk stored (the ids `write` returns), a chunk after another, while the rest are written. A text
   * that fails stays pending for the outbox relay: the clock's pass does not wait on the gateway's retries.
   */
  private async writeAndSend<T>(rows: T[], progress: (written: number, sent: number) => unknown, write: (chunk: T[], db: EntityManager) => Promise<string[]>): Promise<void> {
    const chunks: T[][] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_TRANSACTION) chunks.push(rows.slice(i, i + ROWS_PER_TRANSACTION));
    const context = Context.current();
    let sending = Promise.resolve();
    let written = 0;
    let sent = 0;
    try {
      await inParallel(chunks, WRITERS, async (chunk) => {
        const ids = await this.dataSource.transaction((db) => write(chunk, db));
        // Sending can trail the writing by minutes: each chunk sent beats the heart too.
        sending = sending
          .then(() => this.outbox.deliverAll(ids, IN_FLIGHT))
          .catch(() => undefined)
          .then(() => context.heartbeat(progress(written, (sent += chunk.length))));
        written += chunk.length;
        context.heartbeat(progress(written, sent));
      });
    } finally {
      await sending;
    }
  }
}
