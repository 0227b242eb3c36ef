/**
 * A pipeline is an ordered list of named stages, each a function from one typed hand-off to
 * the next. Built with `then`, so the compiler checks that every stage gets what the one
 * before it produced.
 */
export type Stage<I, O> = (input: I) => O | Promise<O>;

export interface Pipeline<I, O> {
  /** Stage names in order, for documentation and errors. */
  readonly names: readonly string[];
  then<N>(name: string, stage: Stage<O, N>): Pipeline<I, N>;
  run(input: I): Promise<O>;
}

export function pipeline<I>(): Pipeline<I, I> {
  return build<I, I>([], []);
}

function build<I, O>(names: readonly string[], stages: ReadonlyArray<Stage<unknown, unknown>>): Pipeline<I, O> {
  return {
    names,
    then<N>(name: string, stage: Stage<O, N>): Pipeline<I, N> {
      return build<I, N>([...names, name], [...stages, stage as Stage<unknown, unknown>]);
    },
    async run(input: I): Promise<O> {
      let value: unknown = input;
      // Most stages answer at once: awaiting only a promise spares a microtask turn per stage.
      for (const stage of stages) {
        value = stage(value);
        if (value instanceof Promise) value = await value;
      }
      return value as O;
    },
  };
}
