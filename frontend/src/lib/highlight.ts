// Search highlights arrive as [start, end) UTF-8 BYTE ranges into the snippet; JS
// strings index UTF-16 code units. This turns byte ranges into plain/marked pieces.

export interface Piece {
  text: string;
  mark: boolean;
}

/** UTF-8 length of one code point. */
function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * Converts a UTF-8 byte offset into a UTF-16 string index. An offset inside a
 * multi-byte character snaps to that character's start (roundUp=false) or end.
 */
export function byteToIndex(text: string, byteOffset: number, roundUp = false): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    if (bytes >= byteOffset) return i;
    const cp = text.codePointAt(i)!;
    const n = utf8Len(cp);
    const units = cp > 0xffff ? 2 : 1;
    if (bytes + n > byteOffset) return roundUp ? i + units : i;
    bytes += n;
    i += units;
  }
  return text.length;
}

/** Splits text into pieces, marking the given byte ranges (clamped, sorted, merged). */
export function highlightPieces(text: string, ranges: readonly (readonly [number, number])[] | null | undefined): Piece[] {
  const spans = (ranges ?? [])
    .map(([s, e]) => [byteToIndex(text, Math.max(0, s)), byteToIndex(text, Math.max(0, e), true)] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp[0] <= last[1]) last[1] = Math.max(last[1], sp[1]);
    else merged.push([...sp]);
  }
  const out: Piece[] = [];
  let at = 0;
  for (const [s, e] of merged) {
    if (s > at) out.push({ text: text.slice(at, s), mark: false });
    out.push({ text: text.slice(s, e), mark: true });
    at = e;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), mark: false });
  return out;
}
