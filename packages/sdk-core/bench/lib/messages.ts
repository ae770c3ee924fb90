import type { BenchMessage } from '../clients';

/**
 * Deterministic chat messages: ids are unique and sortable within a run, content has exactly
 * `contentBytes` ASCII bytes (so "500-byte messages" means 500 bytes of content).
 */
export function makeMessage(prefix: string, index: number, contentBytes: number): BenchMessage {
  const id = `${prefix}-${String(index).padStart(6, '0')}`;
  const head = `${id} `;
  const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit ';
  let content = head;
  while (content.length < contentBytes) content += filler;
  return {
    id,
    role: index % 2 === 0 ? 'user' : 'assistant',
    content: content.slice(0, contentBytes),
    timestamp: Date.now(),
  };
}

export function makeMessages(prefix: string, from: number, count: number, contentBytes: number): BenchMessage[] {
  return Array.from({ length: count }, (_, i) => makeMessage(prefix, from + i, contentBytes));
}

/** A fresh conversation id per run, so runs never see each other's data. */
let counter = 0;
export function conversationId(scenario: string, side: string): string {
  counter++;
  return `bench-${scenario}-${side}-${Date.now().toString(36)}-${counter}`;
}
