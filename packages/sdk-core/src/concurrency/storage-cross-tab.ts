/**
 * The StorageManager's cross-tab coordinator: built from the `crossTab` option, and every other
 * tab's commit announcement is fed to the registry view (its floor) and re-emitted as a 'remote'
 * event of the conversation (a device log's announcement is its conversation's: watchers re-read
 * the merged state).
 */
import { parseKeyId } from '../device-logs/device-logs.js';
import type { Emitter, StorageEvents } from '../events.js';
import type { RegistryView } from '../read/registry-view.js';
import type { StorageManagerOptions } from '../storage-options.js';
import { uuidv7 } from '../util/uuidv7.js';
import { createCrossTab, type CrossTabCoordinator } from './cross-tab.js';

export function createStorageCrossTab(
  option: StorageManagerOptions['crossTab'],
  deviceId: string,
  registry: RegistryView,
  events: Emitter<StorageEvents>,
): CrossTabCoordinator {
  const crossTab =
    option === false
      ? createCrossTab({ locks: null, createChannel: null, instanceId: deviceId })
      : createCrossTab({ ...(option ?? {}), instanceId: uuidv7() });
  crossTab.onAnnouncement((a) => {
    const keyId = registry.idForKeyName(a.key);
    if (keyId) registry.observed(keyId, a.revision);
    const conversationId = keyId && parseKeyId(keyId).conversationId;
    if (conversationId) events.emit('remote', { conversationId, revision: a.revision });
  });
  return crossTab;
}
