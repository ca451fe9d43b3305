// What JSON.parse would build from a body, estimated from its bytes before it is parsed: the text
// itself (its strings and numbers) plus a fixed size per object and array, counted outside strings.
// JSON.parse cannot be stopped half-way, so a body of a million "{}" must be refused before it.
//
// A byte loop on purpose: it allocates nothing and costs less than the parse it guards (a 49 MB
// OTLP/JSON body of 20k spans: 205-306 ms, JSON.parse 420-810 ms; skipping strings with the native
// Buffer.indexOf was slower, 550-585 ms). The estimate for that body was 104 MB against 81 MB of
// heap measured for its text and parsed tree.

/** Heap per parsed object and per parsed array, rounded up (Node 24: measured 56 and 40 bytes). */
export const JSON_OBJECT_COST = 64;
export const JSON_ARRAY_COST = 40;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/** The estimate, or a number over `budget` as soon as the bytes read so far pass it. */
export function jsonParseCost(bytes: Uint8Array, budget = Number.POSITIVE_INFINITY): number {
  let objects = 0;
  let arrays = 0;
  let inString = false;
  const cost = (text: number) => text + objects * JSON_OBJECT_COST + arrays * JSON_ARRAY_COST;
  for (let i = 0; i < bytes.length; i++) {
    // Every 64 KiB: a body over the budget is refused without reading the rest of it.
    if ((i & 0xffff) === 0 && cost(i) > budget) return cost(bytes.length);
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE) objects++;
    else if (byte === OPEN_BRACKET) arrays++;
  }
  return cost(bytes.length);
}
