// Go's text/tabwriter (docker/cli's copy, which measures cells with go-runewidth): cells end at
// '\t', lines at '\n'; tab-terminated cells in consecutive lines form a column padded to its
// widest cell + padding. Docker's tables use NewWriter(out, 10, 1, 3, ' ', 0). Only the flags
// docker uses (none) are implemented.

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

export class TabWriter {
  private readonly minwidth: number;
  private readonly padding: number;
  private readonly padchar: string;
  private lines: Cell[][] = [[]];
  private cell = '';
  private widths: number[] = [];
  private out: string[] = [];

  constructor(minwidth: number, tabwidth: number, padding: number, padchar = ' ') {
    void tabwidth; // only used with '\t' padding, which docker doesn't use
    this.minwidth = minwidth;
    this.padding = padding;
    this.padchar = padchar;
  }

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      // '\t' '\n' '\v' '\f' end a cell
      if (ch > 12 || ch < 9 || ch === 13) continue;
      this.cell += text.slice(start, i);
      start = i + 1;
      const ncells = this.terminateCell(ch === 9);
      if (ch === 10 || ch === 12) {
        this.lines.push([]);
        // a line with one cell doesn't affect later columns: Go flushes what it has
        if (ch === 12 || ncells === 1) this.flushInternal();
      }
    }
    this.cell += text.slice(start);
  }

  /** Formats everything buffered and returns the output written so far. */
  flush(): string {
    this.flushInternal();
    const s = this.out.join('');
    this.out = [];
    return s;
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1];
    line.push({ text: this.cell, width: stringWidth(this.cell), htab });
    this.cell = '';
    return line.length;
  }

  private flushInternal(): void {
    if (this.cell.length > 0) this.terminateCell(false);
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
    this.cell = '';
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let th = line0; th < line1; th++) {
      if (column >= this.lines[th].length - 1) continue;
      // this line has a cell in this column: print the lines before it, then size the block
      this.writeLines(line0, th);
      line0 = th;
      let width = this.minwidth;
      for (; th < line1; th++) {
        const line = this.lines[th];
        if (column >= line.length - 1) break;
        const w = line[column].width + this.padding;
        if (w > width) width = w;
      }
      this.widths.push(width);
      this.format(line0, th);
      this.widths.pop();
      line0 = th;
    }
    this.writeLines(line0, line1);
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      line.forEach((c, j) => {
        if (c.text.length > 0) this.out.push(c.text);
        if (j < this.widths.length) this.out.push(this.padchar.repeat(this.widths[j] - c.width));
      });
      if (i + 1 === this.lines.length) this.out.push(this.cell);
      else this.out.push('\n');
    }
  }
}

/** go-runewidth's StringWidth: wide East Asian characters count 2, combining marks and controls 0. */
export function stringWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function charWidth(c: number): number {
  if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return 0;
  if (c < 0x300) return 1;
  if (/\p{Mn}|\p{Me}|\p{Cf}/u.test(String.fromCodePoint(c))) return 0;
  if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) || (c >= 0xac00 && c <= 0xd7a3)
    || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)
    || (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd)) return 2;
  return 1;
}
