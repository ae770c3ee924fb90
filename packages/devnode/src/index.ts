export { startDevnode, DEFAULT_MAX_BLOB_BYTES, P2P_PATH, SUBSCRIPTION_PATH } from './node.js';
export { NO_FAULTS, parseFaultInput } from './faults.js';
export { seededRandom } from './s5.js';
export { REVISION_TOO_LOW, CURRENT_REVISION_HEADER } from './http/routes.js';
export { DevnodeError } from './errors.js';
export { encodeStorageLocation } from './p2p/storage-location.js';
export type { Devnode, DevnodeOptions, DevnodeStats, FaultConfig, FaultInput } from './types.js';
export { PROFILE_NAMES } from './profiles/profile.js';
export type { ProfileName, Registration } from './profiles/profile.js';
