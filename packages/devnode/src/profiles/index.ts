import type { DevnodeOptions } from '../types.js';
import { dartProfile } from './dart/profile.js';
import { DART_HEAD, DART_014 } from './dart/variant.js';
import { devnodeProfile } from './devnode.js';
import { lumewebProfile } from './lumeweb/profile.js';
import { PROFILE_NAMES, type PortalProfile, type ProfileContext, type ProfileName, type Registration } from './profile.js';

export interface ProfileOptions {
  profile: ProfileName;
  registration: Registration;
  inviteTokens: string[];
  timeScale: number;
}

/** Validate the profile-related options of `startDevnode`; bad input throws a TypeError saying what is wrong. */
export function parseProfileOptions(options: DevnodeOptions): ProfileOptions {
  const profile = options.profile ?? 'devnode';
  if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
    throw new TypeError(`profile must be one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(profile)}`);
  }
  const inviteTokens = [...(options.inviteTokens ?? [])];
  for (const t of inviteTokens) {
    if (typeof t !== 'string' || t.length === 0) throw new TypeError('inviteTokens must be non-empty strings');
  }
  const registration = options.registration ?? (inviteTokens.length > 0 ? 'invite' : 'open');
  if (registration !== 'open' && registration !== 'invite') {
    throw new TypeError(`registration must be 'open' or 'invite', got ${JSON.stringify(registration)}`);
  }
  if (registration === 'open' && inviteTokens.length > 0) {
    throw new TypeError("inviteTokens need registration: 'invite' (an open portal ignores them)");
  }
  if (profile === 'devnode' && registration === 'invite') {
    throw new TypeError("registration: 'invite' needs a portal profile (dart or dart-0.14); the devnode profile registers anyone");
  }
  if (profile === 'lumeweb' && registration === 'invite') {
    throw new TypeError('the lumeweb profile has open registration only (LumeWeb has no invite tokens)');
  }
  const timeScale = options.timeScale ?? 1;
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale < 0) {
    throw new TypeError(`timeScale must be a finite number >= 0, got ${String(options.timeScale)}`);
  }
  return { profile, registration, inviteTokens, timeScale };
}

export function createProfile(name: ProfileName, ctx: ProfileContext): PortalProfile {
  switch (name) {
    case 'devnode':
      return devnodeProfile(ctx);
    case 'dart':
      return dartProfile(DART_HEAD, ctx);
    case 'dart-0.14':
      return dartProfile(DART_014, ctx);
    case 'lumeweb':
      return lumewebProfile(ctx);
  }
}
