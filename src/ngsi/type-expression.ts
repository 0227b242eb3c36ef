/**
 * The entity type selection grammar (`A,B`, `A|B`, `A;B`, parentheses). The policy needs
 * every type named, whatever the combination, so the result is the set of names; the
 * expression itself is forwarded unchanged.
 */
import { MimtrustError } from '../errors/index.js';

const MAX_DEPTH = 16;
const OPERATORS = new Set([',', '|', ';']);
const STRUCTURAL = /[(),|;]/;

function invalid(): MimtrustError {
  return new MimtrustError('BAD_REQUEST', 'The entity type expression is not valid.', { reason: 'invalid_type_expression' });
}

class TypeParser {
  private pos = 0;
  readonly names = new Set<string>();
  constructor(private readonly src: string) {}

  parse(): string[] {
    this.expression(0);
    if (this.pos !== this.src.length) throw invalid();
    return [...this.names];
  }

  private expression(depth: number): void {
    for (;;) {
      this.operand(depth);
      const c = this.src[this.pos];
      if (c === undefined || !OPERATORS.has(c)) return;
      this.pos++;
    }
  }

  private operand(depth: number): void {
    if (this.src[this.pos] === '(') {
      if (depth >= MAX_DEPTH) throw invalid();
      this.pos++;
      this.expression(depth + 1);
      if (this.src[this.pos] !== ')') throw invalid();
      this.pos++;
      return;
    }
    const start = this.pos;
    while (this.pos < this.src.length && !STRUCTURAL.test(this.src[this.pos] as string)) this.pos++;
    // Surrounding blanks are tolerated (and dropped); a blank inside a name is not a name.
    const name = this.src.slice(start, this.pos).trim();
    if (name === '' || /\s/.test(name)) throw invalid();
    this.names.add(name);
  }
}

/** Every entity type named by a type selection expression, each once, in order of appearance. */
export function parseTypeExpression(expr: string): string[] {
  return new TypeParser(expr).parse();
}
