// A QR code encoder (ISO/IEC 18004), written for this router: byte mode, error correction level M,
// versions 1-13 (up to 331 bytes: a Wi-Fi join text with a 32-byte SSID and a 63-character key,
// every character escaped, fits). Nothing is fetched; the page draws the matrix as one SVG path.

// Level M per version: error correction codewords per block, then [blocks, data codewords each].
const LEVEL_M = [null,
  [10, [[1, 16]]], [16, [[1, 28]]], [26, [[1, 44]]], [18, [[2, 32]]], [24, [[2, 43]]],
  [16, [[4, 27]]], [18, [[4, 31]]], [22, [[2, 38], [2, 39]]], [22, [[3, 36], [2, 37]]],
  [26, [[4, 43], [1, 44]]], [30, [[1, 50], [4, 51]]], [22, [[6, 36], [2, 37]]], [22, [[8, 37], [1, 38]]],
];
// Centres of the alignment patterns per version (rows and columns alike).
const ALIGN = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46],
  [6, 28, 50], [6, 30, 54], [6, 32, 58], [6, 34, 62]];
const MAX_VERSION = LEVEL_M.length - 1;
const LEVEL_M_BITS = 0b00; // the format information's code for level M

// GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), as tables of powers of 2 and logs.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, v = 1; i < 255; i++) {
  EXP[i] = v;
  LOG[v] = i;
  v <<= 1;
  if (v & 0x100) v ^= 0x11d;
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const gfMul = (a, b) => (a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]]);

/** The Reed-Solomon generator of degree n, highest power first: the product of (x + 2^i), i < n. */
function generator(n) {
  let g = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array(g.length + 1).fill(0);
    g.forEach((c, j) => { next[j] ^= c; next[j + 1] ^= gfMul(c, EXP[i]); });
    g = next;
  }
  return g;
}

/** The n error correction codewords of a block: the remainder of data·x^n divided by the generator. */
export function reedSolomon(data, n) {
  const g = generator(n);
  const rest = new Array(n).fill(0);
  for (const byte of data) {
    const factor = byte ^ rest.shift();
    rest.push(0);
    for (let j = 0; j < n; j++) rest[j] ^= gfMul(g[j + 1], factor);
  }
  return rest;
}

const dataCodewords = v => LEVEL_M[v][1].reduce((sum, [count, size]) => sum + count * size, 0);
const countBits = v => (v < 10 ? 8 : 16);

/** The codewords in the order they are placed: the data blocks' bytes interleaved, then their ECC's. */
function codewords(bytes, version) {
  const capacity = dataCodewords(version) * 8;
  const bits = [];
  const put = (value, length) => { for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0b0100, 4); // byte mode
  put(bytes.length, countBits(version));
  bytes.forEach(b => put(b, 8));
  put(0, Math.min(4, capacity - bits.length)); // terminator
  while (bits.length % 8) bits.push(0);
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) put(pad, 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((v, b) => (v << 1) | b, 0));

  const [eccLength, groups] = LEVEL_M[version];
  const blocks = [];
  let at = 0;
  for (const [count, size] of groups) {
    for (let i = 0; i < count; i++) {
      const block = data.slice(at, at + size);
      at += size;
      blocks.push({ data: block, ecc: reedSolomon(block, eccLength) });
    }
  }
  const out = [];
  const longest = Math.max(...blocks.map(b => b.data.length));
  for (let i = 0; i < longest; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i]);
  for (let i = 0; i < eccLength; i++) for (const b of blocks) out.push(b.ecc[i]);
  return out;
}

/** BCH remainder of value·x^(degree of poly) divided by poly (format and version information). */
function bch(value, poly) {
  const degree = Math.floor(Math.log2(poly));
  let rest = value << degree;
  for (let bit = Math.floor(Math.log2(rest || 1)); bit >= degree; bit--) if (rest & (1 << bit)) rest ^= poly << (bit - degree);
  return (value << degree) | rest;
}

const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  r => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

class Matrix {
  constructor(version) {
    this.version = version;
    this.size = 17 + 4 * version;
    this.dark = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    this.fixed = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  set(r, c, dark) { this.dark[r][c] = dark; this.fixed[r][c] = true; }

  functionPatterns() {
    const n = this.size;
    // Finders (7×7 rings around a 3×3 core) with their light separators, in three corners.
    for (const [top, left] of [[0, 0], [0, n - 7], [n - 7, 0]]) {
      for (let r = -1; r <= 7; r++) {
        for (let c = -1; c <= 7; c++) {
          const [y, x] = [top + r, left + c];
          if (y < 0 || x < 0 || y >= n || x >= n) continue;
          const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
          this.set(y, x, ring !== 2 && ring !== 4);
        }
      }
    }
    // Timing patterns between the finders.
    for (let i = 8; i < n - 8; i++) { this.set(6, i, i % 2 === 0); this.set(i, 6, i % 2 === 0); }
    // Alignment patterns (5×5), except where a finder is.
    const centres = ALIGN[this.version];
    const last = centres[centres.length - 1];
    for (const r of centres) {
      for (const c of centres) {
        if ((r === 6 && c === 6) || (r === 6 && c === last) || (r === last && c === 6)) continue; // a finder's corner
        for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) this.set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
      }
    }
    this.format(0); // reserves the format areas (and sets the dark module); drawn for real per mask
    if (this.version >= 7) {
      const bits = bch(this.version, 0x1f25);
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = n - 11 + (i % 3), b = Math.floor(i / 3);
        this.set(b, a, dark);
        this.set(a, b, dark);
      }
    }
  }

  /** The 15 format bits (level and mask, BCH-protected, XOR 101010000010010) in both copies. */
  format(mask) {
    const n = this.size;
    const bits = bch((LEVEL_M_BITS << 3) | mask, 0x537) ^ 0x5412;
    const bit = i => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) this.set(i, 8, bit(i));
    this.set(7, 8, bit(6));
    this.set(8, 8, bit(7));
    this.set(8, 7, bit(8));
    for (let i = 9; i < 15; i++) this.set(8, 14 - i, bit(i));
    for (let i = 0; i < 8; i++) this.set(8, n - 1 - i, bit(i));
    for (let i = 8; i < 15; i++) this.set(n - 15 + i, 8, bit(i));
    this.set(n - 8, 8, true); // the dark module
  }

  /** The codewords' bits in two-column strips from the bottom right, up then down, skipping column 6. */
  place(words) {
    const n = this.size;
    let i = 0;
    const total = words.length * 8;
    for (let right = n - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((right + 1) & 2) === 0;
      for (let step = 0; step < n; step++) {
        const r = upward ? n - 1 - step : step;
        for (const c of [right, right - 1]) {
          if (this.fixed[r][c]) continue;
          this.dark[r][c] = i < total && ((words[i >> 3] >>> (7 - (i & 7))) & 1) === 1;
          i++;
        }
      }
    }
  }

  withMask(mask) {
    const m = new Matrix(this.version);
    m.dark = this.dark.map(row => row.slice());
    m.fixed = this.fixed.map(row => row.slice());
    const f = MASKS[mask];
    for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) if (!m.fixed[r][c] && f(r, c)) m.dark[r][c] = !m.dark[r][c];
    m.format(mask);
    return m;
  }

  /** The four penalty rules: runs of five or more, 2×2 blocks, finder-like patterns, dark balance. */
  penalty() {
    const n = this.size, d = this.dark;
    let score = 0;
    const lines = [];
    for (let i = 0; i < n; i++) { lines.push(d[i]); lines.push(d.map(row => row[i])); }
    const finderLike = [true, false, true, true, true, false, true];
    for (const line of lines) {
      let run = 1;
      for (let i = 1; i <= n; i++) {
        if (i < n && line[i] === line[i - 1]) { run++; continue; }
        if (run >= 5) score += 3 + (run - 5);
        run = 1;
      }
      for (let i = 0; i + 7 <= n; i++) {
        if (!finderLike.every((v, k) => line[i + k] === v)) continue;
        const lightBefore = [1, 2, 3, 4].every(k => i - k < 0 || !line[i - k]);
        const lightAfter = [0, 1, 2, 3].every(k => i + 7 + k >= n || !line[i + 7 + k]);
        if (lightBefore || lightAfter) score += 40;
      }
    }
    for (let r = 0; r + 1 < n; r++) {
      for (let c = 0; c + 1 < n; c++) {
        const v = d[r][c];
        if (d[r][c + 1] === v && d[r + 1][c] === v && d[r + 1][c + 1] === v) score += 3;
      }
    }
    const dark = d.reduce((sum, row) => sum + row.filter(Boolean).length, 0);
    score += 10 * Math.floor(Math.abs((dark * 100) / (n * n) - 50) / 5);
    return score;
  }
}

/** The smallest version that holds `length` bytes at level M, or null. */
export function versionFor(length) {
  for (let v = 1; v <= MAX_VERSION; v++) if (4 + countBits(v) + 8 * length <= dataCodewords(v) * 8) return v;
  return null;
}

/** The QR code of `text` (UTF-8, byte mode, level M): {size, version, mask, dark: rows of booleans}.
 *  The mask is the one with the lowest penalty unless `forceMask` (0-7) names one. */
export function encode(text, forceMask = null) {
  const bytes = [...new TextEncoder().encode(text)];
  const version = versionFor(bytes.length);
  if (!version) throw new Error(`too long for a QR code here (${bytes.length} bytes)`);
  const base = new Matrix(version);
  base.functionPatterns();
  base.place(codewords(bytes, version));
  let best = null, bestMask = 0, bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    if (forceMask !== null && mask !== forceMask) continue;
    const m = base.withMask(mask);
    const score = m.penalty();
    if (score < bestScore) { best = m; bestMask = mask; bestScore = score; }
  }
  return { size: best.size, version, mask: bestMask, dark: best.dark };
}

/** An SVG of the code: one path of dark squares on white, with the four-module quiet zone. */
export function toSvg(code, { pixels = 264, label = 'QR code' } = {}) {
  const NS = 'http://www.w3.org/2000/svg';
  const quiet = 4, total = code.size + 2 * quiet;
  const svg = document.createElementNS(NS, 'svg');
  for (const [k, v] of Object.entries({ viewBox: `0 0 ${total} ${total}`, width: pixels, height: pixels, role: 'img', 'aria-label': label, 'shape-rendering': 'crispEdges', class: 'qr' }))
    svg.setAttribute(k, String(v));
  const back = document.createElementNS(NS, 'rect');
  for (const [k, v] of Object.entries({ width: total, height: total, fill: '#fff' })) back.setAttribute(k, String(v));
  let d = '';
  code.dark.forEach((row, r) => row.forEach((dark, c) => { if (dark) d += `M${c + quiet} ${r + quiet}h1v1h-1z`; }));
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(back, path);
  return svg;
}
