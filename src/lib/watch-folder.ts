import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Calls `onChange` once a folder has been quiet for `debounceMs` after a change (editors
 * and deploy tools write in several steps). Errors from the watcher or from `onChange`
 * go to `onError`; the returned function stops watching.
 *
 * A watch follows the folder it was opened on, not its name: once the folder is replaced
 * (`mv new contracts`, a symlink to a release swapped, the folder removed and made again)
 * it would go on watching the old one, or nothing, without a word. So the parent is
 * watched for the folder's name as well; whenever the name leads to another folder (or to
 * none, or to one again) the folder watch is opened anew and a change is reported.
 * Changes inside the folder (a Kubernetes ConfigMap swapping its `..data` link) arrive
 * through the folder watch itself.
 */
export function watchFolder(dir: string, onChange: () => Promise<void>, onError: (err: unknown) => void, debounceMs = 200): () => void {
  const path = resolve(dir);
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let folder: FSWatcher | undefined;
  /** Device and inode of the folder being watched. */
  let watched: string | undefined;
  let stopped = false;

  const changed = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      onChange().catch(onError);
    }, debounceMs);
  };

  const identity = (): string | undefined => {
    try {
      const s = statSync(path);
      return s.isDirectory() ? `${s.dev}:${s.ino}` : undefined;
    } catch {
      return undefined;
    }
  };

  /**
   * Opens the folder watch on whatever folder the name leads to now; true when that changed.
   * `renew` opens it again even on the same inode: a folder removed and made again at once
   * may get its old inode number, while the old watch is dead.
   */
  const arm = (renew = false): boolean => {
    if (stopped) return false;
    const now = identity();
    if (!renew && folder !== undefined && now === watched) return false;
    folder?.close();
    folder = undefined;
    watched = undefined;
    if (now === undefined) return true;
    try {
      const w = watch(path, () => {
        changed();
        // A rename inside may be the folder itself going away; cheap to check.
        arm();
      });
      w.on('error', () => {
        if (folder === w) {
          folder = undefined;
          watched = undefined;
        }
        w.close();
        if (arm()) changed();
      });
      folder = w;
      watched = now;
    } catch (err) {
      onError(err);
    }
    return true;
  };

  let parent: FSWatcher | undefined;
  try {
    parent = watch(dirname(path), (_event, filename) => {
      if (filename !== null && filename !== name) return;
      arm(true);
      changed();
    });
    parent.on('error', onError);
  } catch (err) {
    onError(err);
  }
  arm();

  return () => {
    stopped = true;
    clearTimeout(timer);
    folder?.close();
    parent?.close();
  };
}
