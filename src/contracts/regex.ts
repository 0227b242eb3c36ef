/**
 * Entity id patterns (`ngsi:matches`) run on every request, so a pattern must not be able
 * to backtrack catastrophically. JavaScript's engine backtracks; instead of trusting it we
 * accept only a subset whose matching time stays linear: no backreferences, no lookaround,
 * and no quantifier on a group that itself contains a quantifier or an alternation
 * (`(a+)+`, `(a|ab)*`). Patterns are anchored at both ends.
 */

export type PatternProblem = 'backreference' | 'lookaround' | 'nested_quantifier' | 'syntax';

interface Frame {
  quantified: boolean;
  alternation: boolean;
}

function quantifierLength(p: string, i: number): number {
  const c = p[i];
  if (c === '*' || c === '+' || c === '?') return 1;
  if (c === '{') {
    const m = /^\{\d+(?:,\d*)?\}/.exec(p.slice(i));
    if (m) return m[0].length;
  }
  return 0;
}

/** Scans the pattern for constructs outside the linear-safe subset. */
export function unsafeConstruct(p: string): PatternProblem | undefined {
  const stack: Frame[] = [{ quantified: false, alternation: false }];
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    const top = stack[stack.length - 1] as Frame;
    if (c === '\\') {
      const next = p[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreference';
      i += 2;
    } else if (c === '[') {
      // A character class is one atom; skip to its unescaped end.
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      if (p.startsWith('(?=', i) || p.startsWith('(?!', i) || p.startsWith('(?<=', i) || p.startsWith('(?<!', i)) {
        return 'lookaround';
      }
      stack.push({ quantified: false, alternation: false });
      const opener = /^\((?:\?:|\?<[A-Za-z_$][\w$]*>)?/.exec(p.slice(i, i + 64));
      i += opener ? opener[0].length : 1;
      continue;
    } else if (c === ')') {
      const frame = stack.pop();
      const parent = stack[stack.length - 1];
      if (!frame || !parent) return 'syntax';
      const q = quantifierLength(p, i + 1);
      if (q > 0 && (frame.quantified || frame.alternation)) return 'nested_quantifier';
      parent.quantified ||= frame.quantified || q > 0;
      parent.alternation ||= frame.alternation;
      i += 1 + q;
      if (q > 0 && p[i] === '?') i++;
      continue;
    } else if (c === '|') {
      top.alternation = true;
      i++;
      continue;
    } else {
      i++;
    }
    // After an atom: note a quantifier that applies to it.
    const q = quantifierLength(p, i);
    if (q > 0) {
      top.quantified = true;
      i += q;
      if (p[i] === '?') i++;
    }
  }
  return stack.length === 1 ? undefined : 'syntax';
}

/** Compiles an anchored, linear-safe pattern, or reports why it is refused. */
export function compileIdPattern(pattern: string): RegExp | PatternProblem {
  const problem = unsafeConstruct(pattern);
  if (problem) return problem;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return 'syntax';
  }
}
