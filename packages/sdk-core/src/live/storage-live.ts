/**
 * The StorageManager's LiveHub: watchers read through the manager's registry view (its monotonic
 * floor, a fresh identity's known answers) and reader, with device logs merged, and hear the
 * manager's own 'saved'/'remote' events. Watch failures surface as 'error' events.
 */
import type { S5Backend } from '@s5chat/s5';
import type { DeviceLogs } from '../device-logs/device-logs.js';
import type { Emitter, StorageEvents } from '../events.js';
import type { SeedDeriver } from '../layout/keys.js';
import type { ConversationReader } from '../layout/reader.js';
import type { RegistryView } from '../read/registry-view.js';
import type { ConversationSummary } from '../schemas.js';
import { LiveHub } from './hub.js';
import { liveSnapshot } from './snapshot.js';
import type { LiveOptions } from './types.js';

export interface StorageLiveDeps {
  live: LiveOptions | undefined;
  backend: S5Backend;
  identity: SeedDeriver;
  registry: RegistryView;
  reader: ConversationReader;
  logs: DeviceLogs;
  events: Emitter<StorageEvents>;
  deviceId: string;
  list: () => Promise<ConversationSummary[]>;
}

export function createStorageLiveHub(d: StorageLiveDeps): LiveHub {
  return new LiveHub({
    ...d.live,
    backend: d.backend,
    identity: d.identity,
    readEntry: (id, publicKey) => d.registry.get(id, { keyPair: { publicKey } }),
    observed: (id, entry) => d.registry.observed(id, entry.revision),
    read: async (id, entry) => {
      const { state: main, head } = await d.reader.read(id, d.registry.keysFor(id), entry);
      const merged = await d.logs.read(id, main);
      return liveSnapshot(merged.state, head, merged);
    },
    deviceId: d.deviceId,
    list: d.list,
    on: (event, fn) => d.events.on(event, fn),
    onError: (conversationId, error) => d.events.emit('error', { conversationId, error, during: 'watch', operations: 0 }),
  });
}
