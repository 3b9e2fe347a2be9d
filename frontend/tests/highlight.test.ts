import { describe, expect, it } from 'vitest';
import { byteToIndex, highlightPieces } from '../src/lib/highlight';

const enc = new TextEncoder();
/** The byte range of the first occurrence of word in text, as the Go side would send it. */
function bytes(text: string, word: string): [number, number] {
  const i = text.indexOf(word);
  const start = enc.encode(text.slice(0, i)).length;
  return [start, start + enc.encode(word).length];
}
const marked = (text: string, ranges: [number, number][]) =>
  highlightPieces(text, ranges).filter((p) => p.mark).map((p) => p.text);

describe('byte ranges → string indices', () => {
  it('ASCII is one byte per unit', () => {
    expect(marked('talked about sleep', [[13, 18]])).toEqual(['sleep']);
  });

  it('Devanagari (3 bytes per code unit)', () => {
    const text = 'क्लाइंट ने चिंता और नींद के बारे में बात की';
    expect(marked(text, [bytes(text, 'चिंता'), bytes(text, 'नींद')])).toEqual(['चिंता', 'नींद']);
  });

  it('accented Latin (2 bytes) before the match', () => {
    const text = 'José said café helped; anxiété lower';
    expect(marked(text, [bytes(text, 'anxiété')])).toEqual(['anxiété']);
    expect(marked(text, [bytes(text, 'café')])).toEqual(['café']);
  });

  it('decomposed accents and astral characters', () => {
    const text = 'Rene\u0301e 😀 progrès';
    expect(marked(text, [bytes(text, 'progrès')])).toEqual(['progrès']);
    expect(marked(text, [bytes(text, 'Rene\u0301e')])).toEqual(['Rene\u0301e']);
  });

  it('offsets inside a character snap outward; ranges merge and clamp', () => {
    const text = 'नींद';
    expect(byteToIndex(text, 1)).toBe(0);
    expect(byteToIndex(text, 1, true)).toBe(1);
    expect(marked(text, [[1, 4]])).toEqual(['नी']);
    expect(marked('abcdef', [[0, 2], [1, 4], [50, 60]])).toEqual(['abcd']);
    expect(highlightPieces('abc', []).map((p) => p.text).join('')).toBe('abc');
  });

  it('keeps all the text, in order', () => {
    const text = 'मन शांत है, très calme';
    const pieces = highlightPieces(text, [bytes(text, 'शांत'), bytes(text, 'très')]);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });
});
