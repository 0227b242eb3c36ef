/**
 * Entity id patterns (`ngsi:matches`) run on every request, so no pattern may make
 * matching slow. JavaScript's engine backtracks (`.*:.*:.*:.*:x` is polynomial in the id's
 * length), so patterns run on RE2, whose time is linear in the input whatever the
 * pattern. Patterns match the whole id.
 */
import { RE2JS } from 're2js';

export type PatternProblem = 'backreference' | 'lookaround' | 'syntax' | 'too_long';

/** A compiled entity id pattern: the whole id must match. */
export interface IdPattern {
  readonly source: string;
  test(id: string): boolean;
}

/** Longer patterns are refused at load: a pattern names ids, it does not enumerate them. */
export const MAX_PATTERN_LENGTH = 1024;

/** Constructs RE2 does not run, named so the author learns why, not just "syntax". */
export function unsupportedConstruct(p: string): PatternProblem | undefined {
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const next = p[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreference';
      i++;
    } else if (c === '[') {
      // Inside a character class nothing is a group; skip to its unescaped end.
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
    } else if (c === '(' && /^\(\?(?:=|!|<=|<!)/.test(p.slice(i, i + 4))) {
      return 'lookaround';
    }
  }
  return undefined;
}

/**
 * Compiles a pattern for RE2, or reports why it is refused. It must also be a valid
 * JavaScript pattern, so that authors testing it in a browser see the same syntax.
 */
export function compileIdPattern(pattern: string): IdPattern | PatternProblem {
  if (pattern.length > MAX_PATTERN_LENGTH) return 'too_long';
  const problem = unsupportedConstruct(pattern);
  if (problem) return problem;
  try {
    new RegExp(pattern, 'u');
    const re = RE2JS.compile(pattern);
    return { source: pattern, test: (id) => re.matches(id) };
  } catch {
    return 'syntax';
  }
}
