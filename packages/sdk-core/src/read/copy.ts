/**
 * Copies of loaded messages for callers (an app editing what it loaded must never change what the
 * manager caches or uploads). Same result as a JSON round trip of the list — keys whose value is
 * undefined are dropped — but field by field: a message's only nested value is its `metadata`, so
 * everything else is a primitive. On a 10,000-message load the JSON round trip (a 2.5 MB string,
 * parsed back) cost ~50 ms and most of the load's garbage; this costs a few ms.
 */
import { jsonCopy, type Message } from '../schemas.js';

export function copyMessage(m: Message): Message {
  const out: Record<string, unknown> = {};
  for (const key in m) {
    const value = (m as Record<string, unknown>)[key];
    if (value === undefined) continue;
    out[key] = key === 'metadata' ? jsonCopy(value) : value;
  }
  return out as Message;
}

export function copyMessages(list: readonly Message[]): Message[] {
  const out = new Array<Message>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = copyMessage(list[i]!);
  return out;
}
