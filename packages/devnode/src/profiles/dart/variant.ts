/**
 * The two Dart S5 node versions the devnode reproduces. They share their route code; these are the
 * observable differences (PORTALS.md §1).
 */
export interface DartVariant {
  profile: 'dart' | 'dart-0.14';
  /** `GET /s5/version` → `{"node": version}` (lib/constants.dart). */
  version: string;
  /** `uploadRawFile` rejects bodies above this many bytes (PORTALS.md §2.3). */
  maxUploadBytes: number;
  uploadLimitText: string;
  /** HEAD returns `{"authToken"}` from register/login; v0.14.1 answers an empty 200 (cookie only, §2.1). */
  tokenInBody: boolean;
  /**
   * How `CID.decode` takes the hash for types other than 0x26 and the 0x3a bridge (§2.5): lib5 1.0
   * takes bytes[1..], lib5 0.2.0 bytes[1..34) (and throws a RangeError below 34 bytes).
   */
  otherTypesHash: 'rest' | 'fixed34';
  /** v0.14.1 skips the domain logic for Host `localhost` (so no `/s5/p2p` there, §2.8). */
  localhostBypassesDomain: boolean;
  /** HEAD serves `<cid>.<domain>` subdomains; v0.14.1 has no such branch. */
  subdomainCids: boolean;
  /** lib5 ≥ ebe3865 forwards P2P registry queries it cannot answer; lib5 0.2.0 drops them (§2.8). */
  forwardsRegistryQueries: boolean;
}

export const DART_HEAD: DartVariant = {
  profile: 'dart',
  version: '1.0.0-pre.1',
  maxUploadBytes: 34 * 1000 * 1000,
  uploadLimitText: 'This API only supports a maximum size of 34 MB',
  tokenInBody: true,
  otherTypesHash: 'rest',
  localhostBypassesDomain: false,
  subdomainCids: true,
  forwardsRegistryQueries: true,
};

export const DART_014: DartVariant = {
  profile: 'dart-0.14',
  version: '0.14.1',
  maxUploadBytes: 32 * 1024 * 1024,
  uploadLimitText: 'This API only supports a maximum size of 32 MiB',
  tokenInBody: false,
  otherTypesHash: 'fixed34',
  localhostBypassesDomain: true,
  subdomainCids: false,
  forwardsRegistryQueries: false,
};
