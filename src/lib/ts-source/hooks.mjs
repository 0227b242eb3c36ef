// Module hooks for worker threads run from the TypeScript sources: a relative `.js`
// import that has no file resolves to the `.ts` beside it (the sources import as the
// build will be laid out), and a `.ts` module is loaded with its types stripped by
// esbuild (there with vite). Only the sources use them; dist/ needs none.
import { readFile } from 'node:fs/promises';
import esbuild from 'esbuild';

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const fromSource = context.parentURL?.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js');
    if (!fromSource || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return next(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { code } = await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: url, sourcemap: 'inline' });
  return { format: 'module', source: code, shortCircuit: true };
}
