import { watch, type FSWatcher } from 'node:fs';

/**
 * Calls `onChange` once a folder has been quiet for `debounceMs` after a change (editors
 * and deploy tools write in several steps). Errors from the watcher or from `onChange`
 * go to `onError`; the returned function stops watching.
 */
export function watchFolder(dir: string, onChange: () => Promise<void>, onError: (err: unknown) => void, debounceMs = 200): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        onChange().catch(onError);
      }, debounceMs);
    });
    watcher.on('error', onError);
  } catch (err) {
    onError(err);
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
