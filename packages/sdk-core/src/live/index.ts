export { LiveHub, type LiveHubOptions } from './hub.js';
export { liveSnapshot } from './snapshot.js';
export type { WatchEvent, WatchSource, WatchOptions, ConversationsWatchEvent, LiveOptions, LiveTransportMode, LiveSnapshot } from './types.js';
