/**
 * UUIDv7 (RFC 9562 §5.7) ids: 48-bit Unix ms timestamp, version, a 12-bit counter (method 1 of
 * §6.2, so ids made in one millisecond by this process still sort in creation order), variant, and
 * 62 random bits. Hand-written instead of the `uuidv7` package: that one ships a general UUID class
 * (4.6 KB minified) into every browser bundle, this is ~0.4 KB (sdk-core's test/size budget).
 */
let lastMs = -1;
let counter = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function uuidv7(): string {
  const rand = new Uint8Array(10);
  globalThis.crypto.getRandomValues(rand);
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = ((rand[8]! << 8) | rand[9]!) & 0x7ff; // random start, below half the range: room to count up
  } else if (counter < 0xfff) {
    ms = lastMs; // same ms (or the clock stepped back): keep the order with the counter
    counter++;
  } else {
    ms = ++lastMs; // counter exhausted: borrow the next millisecond (§6.2)
    counter = 0;
  }
  const timeHigh = Math.floor(ms / 0x10000);
  const timeLow = ms % 0x10000;
  const variant = 0x8000 | (((rand[0]! << 8) | rand[1]!) & 0x3fff);
  const tail = [...rand.subarray(2, 8)].map((b) => hex(b, 2)).join('');
  return `${hex(timeHigh, 8)}-${hex(timeLow, 4)}-${hex(0x7000 | counter, 4)}-${hex(variant, 4)}-${tail}`;
}
