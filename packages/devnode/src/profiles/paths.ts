export const P2P_PATH = '/s5/p2p';
export const SUBSCRIPTION_PATH = '/s5/registry/subscription';
