import type { MergedRead } from '../device-logs/log-reader.js';
import type { ConversationState } from '../ops.js';
import type { LiveSnapshot } from './types.js';

/** What a watcher diffs, from a stored state (merged with its device logs when it lists any). */
export function liveSnapshot(state: ConversationState, head: { writer?: string } | null, merged?: MergedRead): LiveSnapshot {
  const { revision, exists, deleted, messages } = state;
  const snap: LiveSnapshot = { revision, exists, deleted, messages, metadata: state.metadata.values };
  if (typeof head?.writer === 'string') snap.writer = head.writer;
  if (merged && merged.logs.length > 0) {
    snap.mainRevision = merged.main.revision;
    snap.logs = merged.logs.map((l) => {
      const part: NonNullable<LiveSnapshot['logs']>[number] = { key: l.keyName, keyId: l.keyId, publicKey: l.publicKey, revision: l.revision, messages: l.visible };
      if (l.writer !== undefined) part.writer = l.writer;
      return part;
    });
  }
  return snap;
}
