/**
 * Per-key judgement of a concurrent history (Elle-style: every key is a register or a set with its
 * own rule, checked against real-time order). Each write is recorded with its invoke and complete
 * times and its outcome: 'ok' (acknowledged), 'fail' (definitely not applied) or 'unknown'.
 *
 * Register (metadata key, message content): the final value must come from a write W that was
 * acknowledged or unknown, and no acknowledged write of that key began after W completed (it
 * would have overwritten W). A definitely failed write's value must never be visible.
 * Membership (a message under deletes): an acknowledged add is present unless a delete began after
 * the add began; it is absent if an acknowledged delete began after the add completed.
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface WriteRecord {
  key: string;
  value: unknown;
  invoke: number;
  complete: number;
  outcome: Outcome;
}

export class KeyHistory {
  readonly writes: WriteRecord[] = [];
  #clock = 0;
  /** A logical clock: strictly increasing across all devices of one process. */
  tick(): number {
    return ++this.#clock;
  }
  add(r: WriteRecord): void {
    this.writes.push(r);
  }
}

export interface Violation {
  key: string;
  rule: string;
  detail: string;
}

/** Registers: `final` maps key → value (undefined = absent). */
export function checkRegisters(writes: WriteRecord[], final: (key: string) => unknown, isRegister: (key: string) => boolean): Violation[] {
  const out: Violation[] = [];
  const byKey = new Map<string, WriteRecord[]>();
  for (const w of writes) if (isRegister(w.key)) byKey.set(w.key, [...(byKey.get(w.key) ?? []), w]);
  for (const [key, ws] of byKey) {
    const v = final(key);
    const same = (a: unknown) => JSON.stringify(a) === JSON.stringify(v);
    if (ws.some((w) => w.outcome === 'fail' && same(w.value))) out.push({ key, rule: 'failed write visible', detail: JSON.stringify(v) });
    const acked = ws.filter((w) => w.outcome === 'ok');
    const candidates = ws.filter((w) => w.outcome !== 'fail' && !acked.some((a) => a.invoke > w.complete));
    if (acked.length === 0 && v === undefined) continue;
    if (!candidates.some((w) => same(w.value))) {
      out.push({ key, rule: 'lost or stale register write', detail: `final ${JSON.stringify(v)}; allowed ${JSON.stringify(candidates.map((c) => c.value))}` });
    }
  }
  return out;
}

export interface MembershipRecord {
  id: string;
  add: { invoke: number; complete: number; outcome: Outcome };
  /** Deletes of this item, or of its whole container (conversation deletes). */
  deletes: { invoke: number; complete: number; outcome: Outcome }[];
}

export function checkMembership(items: MembershipRecord[], present: (id: string) => boolean): Violation[] {
  const out: Violation[] = [];
  for (const it of items) {
    const here = present(it.id);
    if (it.add.outcome === 'fail' && here) out.push({ key: it.id, rule: 'failed add visible', detail: '' });
    if (it.add.outcome !== 'ok') continue;
    const mayBeDeleted = it.deletes.some((d) => d.outcome !== 'fail' && d.complete >= it.add.invoke);
    const mustBeDeleted = it.deletes.some((d) => d.outcome === 'ok' && d.invoke > it.add.complete);
    if (!here && !mayBeDeleted) out.push({ key: it.id, rule: 'acknowledged add lost', detail: '' });
    if (here && mustBeDeleted) out.push({ key: it.id, rule: 'deleted item came back', detail: '' });
  }
  return out;
}
