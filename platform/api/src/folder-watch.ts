import { watch, type FSWatcher } from 'node:fs';

/**
 * Whether folders may have changed since they were last looked at, so that a request need not stat a
 * manifest that no publication touched: the file system reports every entry renamed, written or
 * removed in them (inotify on Linux), and the folders count as changed again after `maxAge` in case a
 * report was lost (a network file system reports nothing). A folder that cannot be watched (missing,
 * or no watches left) counts as changed at every look, which is what stat'ing each time costs.
 */
export class FolderWatch {
  private watchers: FSWatcher[] = [];
  private dirty = true;
  private lookedAt = 0;

  constructor(readonly dirs: readonly string[], private readonly maxAge = 1000) {}

  /** True when the folders may have changed since the last `looking()`. */
  changed(now = Date.now()): boolean {
    return this.dirty || now - this.lookedAt >= this.maxAge;
  }

  /** To call right before reading the folders: what changes from here on is reported. */
  looking(now = Date.now()): void {
    if (!this.watchers.length) this.watch();
    this.dirty = this.watchers.length < this.dirs.length;
    this.lookedAt = now;
  }

  close(): void {
    for (const w of this.watchers.splice(0)) w.close();
  }

  private watch(): void {
    for (const dir of this.dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.invalidate());
        watcher.on('error', () => this.invalidate());
        this.watchers.push(watcher);
      } catch {
        // Missing, or not watchable: looked at every time instead.
      }
    }
  }

  /** Any report: look again, and watch anew (a folder renamed away keeps its watch on the old inode). */
  private invalidate(): void {
    this.dirty = true;
    this.close();
  }
}
