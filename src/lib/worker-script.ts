/**
 * Where a worker thread's script is, beside the module that starts it: `name.js` when
 * that module runs built (dist/), `name.ts` with a loader that strips types when it runs
 * from the sources (the tests), so a worker pool works the same in both.
 */
export interface WorkerScript {
  url: URL;
  /** Options for new Worker(): the loader when the script is TypeScript, else the parent's. */
  execArgv: string[] | undefined;
}

export function workerScript(name: string, moduleUrl: string): WorkerScript {
  if (!new URL(moduleUrl).pathname.endsWith('.ts')) return { url: new URL(`./${name}.js`, moduleUrl), execArgv: undefined };
  return { url: new URL(`./${name}.ts`, moduleUrl), execArgv: ['--import', new URL('./ts-source/register.mjs', import.meta.url).href] };
}
