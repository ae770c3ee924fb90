/**
 * loadConversation's read path: the registry entry → the main head and its segments → every
 * device log the head lists, merged → a copy for the caller (remembered as a snapshot base so a
 * later save of it can tell what the caller changed).
 */
import type { DeviceLogs } from '../device-logs/device-logs.js';
import type { ConversationReader } from '../layout/reader.js';
import { sortMessages } from '../merge.js';
import { jsonCopy, type ConversationData } from '../schemas.js';
import { copyMessages } from './copy.js';
import type { RegistryView } from './registry-view.js';
import type { SnapshotBases } from './snapshot-bases.js';

export interface LoadDeps {
  registry: RegistryView;
  reader: ConversationReader;
  logs: DeviceLogs;
  bases: SnapshotBases;
}

export type LoadedConversation = ConversationData & { revision: number; encrypted: boolean };

/** `id` is an already validated conversation id. */
export async function loadConversation(d: LoadDeps, id: string): Promise<LoadedConversation | null> {
  const keys = d.registry.keysFor(id);
  const entry = await d.registry.get(id, keys);
  const { state: main } = await d.reader.read(id, keys, entry);
  // Main head + every device log it lists, merged (revision: the composite of all their revisions).
  const { state } = await d.logs.read(id, main);
  if (!state.exists) return null;
  d.bases.remember(id, { revision: state.revision, messages: state.messages, metadata: state.metadata.values });
  const live = [...state.messages.values()].filter((m) => !m.deleted);
  // Copies: an app editing what it loaded must never change what this manager caches or uploads.
  return {
    id,
    messages: copyMessages(sortMessages(live)),
    metadata: jsonCopy(state.metadata.values),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    revision: state.revision,
    encrypted: state.encrypted,
  };
}
