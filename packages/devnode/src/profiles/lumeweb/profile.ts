import type { PortalProfile, ProfileContext } from '../profile.js';

export function lumewebProfile(_ctx: ProfileContext): PortalProfile {
  throw new TypeError('the lumeweb profile is not built yet');
}
