/**
 * Comma lists (`id`, `attrs`, `options`) and the projection lists of `pick`/`omit`.
 * Items are trimmed: a broker that trims reads the trimmed name, one that does not reads
 * a name that matches nothing, so the trimmed name is the one to check.
 */
import { MimtrustError } from '../errors/index.js';

function invalid(field: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', `The "${field}" list is not valid.`, { reason: 'invalid_parameter' });
}

/** Splits a comma list; an empty value is an empty list, an empty item is refused. */
export function splitList(value: string, field: string): string[] {
  if (value.trim() === '') return [];
  const items = value.split(',');
  for (let i = 0; i < items.length; i++) {
    const item = (items[i] as string).trim();
    if (item === '') throw invalid(field);
    items[i] = item;
  }
  return items;
}

const MAX_DEPTH = 16;

/**
 * The top-level attribute names of a projection (`a,b{c,d}`, items separated by ',' or
 * '|'; braces select sub-attributes of the attribute before them).
 */
export function projectionAttrs(value: string, field: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let start = 0;
  let afterGroup = false;
  const flush = (end: number): void => {
    const name = value.slice(start, end).trim();
    if (name === '') {
      if (!afterGroup) throw invalid(field);
    } else if (afterGroup) {
      throw invalid(field); // text after a closing brace: 'a{b}c'
    } else if (depth === 0) {
      names.push(name);
    }
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '{') {
      if (depth === 0) {
        flush(i);
        afterGroup = false;
      }
      if (++depth > MAX_DEPTH) throw invalid(field);
      start = i + 1;
    } else if (c === '}') {
      if (depth === 0) throw invalid(field);
      depth--;
      start = i + 1;
      afterGroup = depth === 0;
    } else if ((c === ',' || c === '|') && depth === 0) {
      flush(i);
      start = i + 1;
      afterGroup = false;
    }
  }
  if (depth !== 0) throw invalid(field);
  if (value.trim() !== '') flush(value.length);
  return names;
}

/** One top-level item of a projection, with the separator before it ('' for the first). */
export interface ProjectionItem {
  text: string;
  separator: string;
}

/**
 * The top-level items of a projection as written (`a`, `b{c,d}`), each with the separator
 * before it, so a list rebuilt from them reads as the caller wrote it. For a value
 * projectionAttrs accepted.
 */
export function projectionItems(value: string): ProjectionItem[] {
  const items: ProjectionItem[] = [];
  let depth = 0;
  let start = 0;
  let separator = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if ((c === ',' || c === '|') && depth === 0) {
      items.push({ text: value.slice(start, i), separator });
      separator = c;
      start = i + 1;
    }
  }
  if (value.trim() !== '') items.push({ text: value.slice(start), separator });
  return items;
}
