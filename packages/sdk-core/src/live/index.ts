export { LiveHub, liveSnapshot, type LiveHubOptions } from './hub.js';
export type { WatchEvent, WatchSource, WatchOptions, ConversationsWatchEvent, LiveOptions, LiveTransportMode, LiveSnapshot } from './types.js';
