/**
 * The NGSI-LD query language (`q`), parsed only as far as needed to know every attribute
 * a filter reads. The parser is deliberately stricter than the brokers: wherever one
 * broker could split the text differently from another, it either splits at the earliest
 * possible point (so it sees at least every attribute any broker would read) or refuses.
 * In particular:
 * - Only double quotes delimit strings, and they have no escapes: a broker that honoured
 *   `\"` would end a string later than we do, never earlier.
 * - Unquoted values may not contain `( = ! < > ~`, so an operator or a group can never
 *   hide inside a value (the `(?i)` flag of `~=`/`!~=` patterns is the one exception).
 * - An unquoted `|` or `;` inside a pattern splits the term: the text after it counts as
 *   an attribute read (over-reporting is safe; missing a read is not).
 * - When an attribute name is an IRI (it holds a ':' or is quoted, as Scorpio allows),
 *   its dots are ambiguous between "part of the IRI" and "sub-attribute"; every reading
 *   is reported.
 */
import { MimtrustError } from '../errors/index.js';

const MAX_DEPTH = 32;
const WS = new Set([' ', '\t', '\n', '\r']);
const NAME_END = new Set([...WS, '=', '!', '<', '>', '~', ';', '|', '(', ')', '"', "'", ',', '.', '[', ']']);
const KEY_END = new Set([...WS, ';', '|', '(', ')', '"', '[', ']']);
const VALUE_END = new Set([...WS, ';', '|', ')']);
const VALUE_FORBIDDEN = new Set(['(', '=', '!', '<', '>', '~']);
// Longest first, so '!~=' is not read as '!' + '~='.
const OPERATORS = ['!~=', '==', '!=', '~=', '>=', '<=', '>', '<'] as const;

class Invalid extends Error {}

class QParser {
  private pos = 0;
  private readonly attrs = new Set<string>();
  constructor(private readonly src: string) {}

  parse(): string[] {
    this.expression(0);
    if (this.pos !== this.src.length) throw new Invalid();
    return [...this.attrs];
  }

  private skipWs(): void {
    while (WS.has(this.src[this.pos] as string)) this.pos++;
  }

  private expression(depth: number): void {
    for (;;) {
      this.skipWs();
      this.operand(depth);
      this.skipWs();
      const c = this.src[this.pos];
      if (c !== ';' && c !== '|') return;
      this.pos++;
    }
  }

  private operand(depth: number): void {
    if (this.src[this.pos] !== '(') {
      this.term();
      return;
    }
    if (depth >= MAX_DEPTH) throw new Invalid();
    this.pos++;
    this.expression(depth + 1);
    this.skipWs();
    if (this.src[this.pos] !== ')') throw new Invalid();
    this.pos++;
  }

  private term(): void {
    // '!attr' asks that the attribute be absent: still a read of that attribute.
    const negated = this.src[this.pos] === '!';
    if (negated) this.pos++;
    this.attributePath();
    this.skipWs();
    const op = this.operator();
    if (op === undefined) return;
    if (negated) throw new Invalid();
    this.skipWs();
    this.value(op);
  }

  private attributePath(): void {
    if (this.src[this.pos] === '"') {
      const end = this.src.indexOf('"', this.pos + 1);
      if (end <= this.pos + 1) throw new Invalid();
      this.addEveryReading(this.src.slice(this.pos + 1, end));
      this.pos = end + 1;
      this.pathTail();
      return;
    }
    const start = this.pos;
    const first = this.name();
    const dottedEnd = this.pathTail();
    if (first.includes(':')) this.addEveryReading(this.src.slice(start, dottedEnd));
    else this.attrs.add(first);
  }

  /** Reads `.sub` and `[key]` parts; returns where the dotted part ends (the first '['). */
  private pathTail(): number {
    let dottedEnd = -1;
    for (;;) {
      const c = this.src[this.pos];
      if (c === '.') {
        this.pos++;
        this.name();
      } else if (c === '[') {
        if (dottedEnd === -1) dottedEnd = this.pos;
        this.pos++;
        const start = this.pos;
        while (this.pos < this.src.length && !KEY_END.has(this.src[this.pos] as string)) this.pos++;
        if (this.pos === start || this.src[this.pos] !== ']') throw new Invalid();
        this.pos++;
      } else {
        return dottedEnd === -1 ? this.pos : dottedEnd;
      }
    }
  }

  private name(): string {
    const start = this.pos;
    while (this.pos < this.src.length && !NAME_END.has(this.src[this.pos] as string)) this.pos++;
    if (this.pos === start) throw new Invalid();
    return this.src.slice(start, this.pos);
  }

  /** The whole name up to any '[' and every prefix ending before a dot in it. */
  private addEveryReading(name: string): void {
    const bracket = name.indexOf('[');
    const base = bracket === -1 ? name : name.slice(0, bracket);
    if (base === '') throw new Invalid();
    for (let i = base.indexOf('.'); i !== -1; i = base.indexOf('.', i + 1)) {
      if (i > 0) this.attrs.add(base.slice(0, i));
    }
    this.attrs.add(base);
  }

  private operator(): string | undefined {
    for (const op of OPERATORS) {
      if (this.src.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    return undefined;
  }

  private value(op: string): void {
    if ((op === '~=' || op === '!~=') && this.src.startsWith('(?i)', this.pos)) this.pos += 4;
    const start = this.pos;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || VALUE_END.has(c)) break;
      if (c === '"') {
        const end = this.src.indexOf('"', this.pos + 1);
        if (end === -1) throw new Invalid();
        this.pos = end + 1;
        continue;
      }
      if (VALUE_FORBIDDEN.has(c)) throw new Invalid();
      this.pos++;
    }
    if (this.pos === start) throw new Invalid();
  }
}

/**
 * The top-level attribute names a `q` expression reads (sub-attributes and JSON keys are
 * reads of their attribute), each once. Throws only MimtrustError (`invalid_q`).
 */
export function parseQ(q: string): string[] {
  try {
    return new QParser(q).parse();
  } catch (err) {
    throw new MimtrustError('BAD_REQUEST', 'The q expression is not valid.', { reason: 'invalid_q', cause: err });
  }
}
