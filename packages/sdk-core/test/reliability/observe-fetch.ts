/**
 * A pass-through `fetch` for the SDK that only *observes*: which blobs were uploaded and which
 * registry keys were written, labelled by test phase. Tamper tests need this to know which files in
 * the devnode's data dir and which registry keys belong to which conversation (the layout derives
 * them from secrets on purpose, so the test cannot compute them). Nothing is altered or stubbed.
 */
import { BlobId, bytesToHex } from '@s5chat/s5';

export interface ObservedUpload {
  label: string;
  hashHex: string;
  cid: string;
}
export interface ObservedRegistrySet {
  label: string;
  pk: string;
  revision: number;
}

export function observeFetch(base: typeof fetch = globalThis.fetch) {
  const state = {
    label: 'unlabelled',
    uploads: [] as ObservedUpload[],
    registrySets: [] as ObservedRegistrySet[],
  };
  const observed = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const label = state.label;
    let registryBody: { pk?: unknown; revision?: unknown } | undefined;
    if (method === 'POST' && url.pathname.endsWith('/s5/registry')) {
      const body = init?.body;
      const text =
        typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : undefined;
      if (text !== undefined) registryBody = JSON.parse(text) as typeof registryBody;
    }
    const res = await base(input, init);
    if (res.ok && method === 'POST' && url.pathname.endsWith('/s5/upload')) {
      const { cid } = (await res.clone().json()) as { cid: string };
      state.uploads.push({ label, cid, hashHex: bytesToHex(BlobId.parse(cid).hash) });
    }
    if (res.ok && registryBody && typeof registryBody.pk === 'string') {
      state.registrySets.push({ label, pk: registryBody.pk, revision: Number(registryBody.revision) });
    }
    return res;
  };
  return {
    fetch: observed as typeof fetch,
    setLabel(label: string) {
      state.label = label;
    },
    uploads: (label: string) => [...new Set(state.uploads.filter((u) => u.label === label).map((u) => u.hashHex))],
    registryKeys: (label: string) => [...new Set(state.registrySets.filter((s) => s.label === label).map((s) => s.pk))],
    state,
  };
}
