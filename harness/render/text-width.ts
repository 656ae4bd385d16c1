/**
 * Text widths from the shipped DejaVu fonts' own advance widths. Without a
 * canvas, vega guesses 0.8 em per character, about a third too wide for
 * DejaVu Sans: every chart with a long title or caption then came out with
 * an empty band on its right (Fig. 4(b)'s right third) and at a width of
 * its own. Reading the fonts' cmap and hmtx tables gives the widths resvg
 * will draw (kerning aside), so layout and rendering agree.
 */
import { readFileSync } from 'node:fs';

export interface FontWidths {
  /** Advance width of a string at a font size, in pixels. */
  width(text: string, fontSize: number): number;
}

/** Reads a TrueType font's advance widths (cmap format 4 for the Basic Multilingual Plane, hmtx). */
export function fontWidths(path: string): FontWidths {
  const font = readFileSync(path);
  const tables = new Map<string, number>();
  const count = font.readUInt16BE(4);
  for (let index = 0; index < count; index++) {
    const record = 12 + 16 * index;
    tables.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
  }
  const table = (tag: string) => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`${path}: no '${tag}' table`);
    return offset;
  };
  const unitsPerEm = font.readUInt16BE(table('head') + 18);
  const longMetrics = font.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => font.readUInt16BE(hmtx + 4 * Math.min(glyph, longMetrics - 1));
  const glyphOf = cmap4(font, table('cmap'));
  const cache = new Map<number, number>();
  const unitsOf = (code: number) => {
    let units = cache.get(code);
    if (units === undefined) {
      units = advance(glyphOf(code));
      cache.set(code, units);
    }
    return units;
  };
  return {
    width(text, fontSize) {
      let units = 0;
      for (const character of text) units += unitsOf(character.codePointAt(0)!);
      return (units * fontSize) / unitsPerEm;
    },
  };
}

/** The glyph index of a code point from the font's Unicode BMP subtable (format 4); 0 (.notdef) when absent. */
function cmap4(font: Buffer, cmap: number): (code: number) => number {
  const subtables = font.readUInt16BE(cmap + 2);
  for (let index = 0; index < subtables; index++) {
    const record = cmap + 4 + 8 * index;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const offset = cmap + font.readUInt32BE(record + 4);
    if (platform === 3 && encoding === 1 && font.readUInt16BE(offset) === 4) {
      const segments = font.readUInt16BE(offset + 6) / 2;
      const ends = offset + 14;
      const starts = ends + 2 * segments + 2;
      const deltas = starts + 2 * segments;
      const rangeOffsets = deltas + 2 * segments;
      return (code) => {
        for (let segment = 0; segment < segments; segment++) {
          if (code > font.readUInt16BE(ends + 2 * segment)) continue;
          const start = font.readUInt16BE(starts + 2 * segment);
          if (code < start) return 0;
          const delta = font.readInt16BE(deltas + 2 * segment);
          const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * segment);
          if (rangeOffset === 0) return (code + delta) & 0xffff;
          const glyph = font.readUInt16BE(rangeOffsets + 2 * segment + rangeOffset + 2 * (code - start));
          return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
        }
        return 0;
      };
    }
  }
  throw new Error('no Unicode BMP cmap (format 4)');
}
