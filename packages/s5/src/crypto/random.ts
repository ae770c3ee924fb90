/** `n` bytes from the platform CSPRNG (WebCrypto: browsers, Node ≥ 20, workers). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(n));
}
