import { readFileSync } from 'node:fs';

/** The shared S5 compatibility vectors (PROTOCOL.md's machine-checkable contract). */
export const V = JSON.parse(
  readFileSync(new URL('../../../../shared/s5/vectors.json', import.meta.url), 'utf8'),
) as {
  blob_identifiers: Array<{
    description: string;
    content: { kind: string; text?: string };
    size: number;
    blake3_hex: string;
    z_base58btc: string;
    b_base32: string;
    u_base64url: string;
    f_hex: string;
    legacy_cid_z: string;
    s5js_portal_fallback_path: string;
  }>;
  registry: {
    key: { ed25519_seed_hex: string; multikey_hex: string; pk_b64url: string };
    entries: Array<{ revision: number; data_hex: string; wire_hex: string; http_json: Record<string, unknown> }>;
  };
  p2p: {
    client_node_seed_hex: string;
    client_node_id_hex: string;
    node_seed_hex: string;
    node_id_hex: string;
    node_id_z: string;
    frames: Array<{ name: string; hex: string; inner_hex?: string; signature_hex?: string; url?: string; expiry?: number; type?: number }>;
  };
};

export const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
export const frame = (name: string) => {
  const f = V.p2p.frames.find((x) => x.name === name);
  if (!f) throw new Error(`no vector frame ${name}`);
  return f;
};
