import { MeshError } from './mesh-error';

/**
 * The operating system's file errors a user can fix (permissions, a full or read-only disk), as
 * MeshErrors that say what was being done, where, and what to do. Anything else is returned unchanged.
 */

interface Known {
  code: string;
  what: string;
  hint: (path: string) => string;
}

const KNOWN: Record<string, Known> = {
  EACCES: {
    code: 'E_FS_PERMISSION',
    what: 'permission denied',
    hint: (p) => `Give the user running mesh write access to ${p} (ls -ld, chmod, chown).`,
  },
  EPERM: {
    code: 'E_FS_PERMISSION',
    what: 'operation not permitted',
    hint: (p) => `Something forbids changing ${p}: its permissions, or an immutable or append-only flag (lsattr; chattr -i to clear it).`,
  },
  ENOSPC: {
    code: 'E_FS_NO_SPACE',
    what: 'no space left on the device',
    hint: (p) => `Free space on the disk that holds ${p} (df -h), then run again; nothing was published half-way.`,
  },
  EDQUOT: {
    code: 'E_FS_NO_SPACE',
    what: 'disk quota exceeded',
    hint: (p) => `Free space within your quota on the disk that holds ${p}, or raise the quota, then run again.`,
  },
  EROFS: {
    code: 'E_FS_READ_ONLY',
    what: 'the file system is read-only',
    hint: (p) => `Mount the disk that holds ${p} read-write, or point target-path (mesh_project.yml) at a writable folder.`,
  },
  EMFILE: {
    code: 'E_FS_TOO_MANY_FILES',
    what: 'too many open files',
    hint: () => 'Raise the open-file limit (ulimit -n) or run fewer builds at once.',
  },
  ENOTDIR: {
    code: 'E_FS_NOT_A_FOLDER',
    what: 'a file stands where a folder is expected',
    hint: (p) => `Remove or rename the file in the way of ${p}.`,
  },
};

/** The errno code (`EACCES`) of a Node.js system error, if it is one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** True for the errno codes `fileSystemError` turns into a MeshError. */
export function isFileSystemErrno(code: string | undefined): boolean {
  return code !== undefined && code in KNOWN;
}

/** The MeshError for an errno code met while `doing` something to `path`. */
export function fileSystemErrorFor(errno: string, doing: string, path: string, cause?: unknown): MeshError {
  const known = KNOWN[errno]!;
  return new MeshError(known.code, `cannot ${doing}: ${known.what} (${errno}) at ${path}`, { hint: known.hint(path), cause });
}

const SYSCALLS: Record<string, string> = {
  open: 'open a file',
  mkdir: 'create a folder',
  rename: 'rename a file',
  unlink: 'remove a file',
  rmdir: 'remove a folder',
  write: 'write a file',
  copyfile: 'copy a file',
  symlink: 'create a link',
};

/**
 * `error` as a MeshError when it is a file-system error a user can fix; `doing` reads after "cannot"
 * ("write the publication"; the system call's action when left out). Other errors come back as they are.
 */
export function fileSystemError(error: unknown, doing?: string, fallbackPath?: string): unknown {
  if (error instanceof MeshError) return error;
  const errno = errnoOf(error);
  if (!errno || !isFileSystemErrno(errno)) return error;
  const path = (error as { path?: unknown }).path;
  const syscall = (error as { syscall?: unknown }).syscall;
  const action = doing ?? (typeof syscall === 'string' ? (SYSCALLS[syscall] ?? syscall) : 'use the file');
  return fileSystemErrorFor(errno, action, typeof path === 'string' ? path : (fallbackPath ?? 'the target folder'), error);
}
