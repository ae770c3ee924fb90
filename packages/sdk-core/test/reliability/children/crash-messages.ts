/** The messages the crash writer sends: deterministic, so the parent knows exactly what was sent. */
export function crashMessage(i: number): { id: string; role: 'user' | 'assistant'; content: string; timestamp: number } {
  const id = `crash-${String(i).padStart(5, '0')}`;
  return { id, role: i % 2 === 0 ? 'user' : 'assistant', content: `stream message ${i} of the crash test`, timestamp: 1_700_000_000_000 + i };
}
