import { timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { ApiError } from './api-error';
import { hashToken, type ApiConfig } from './config';

/**
 * The consumer a request reads as, from its bearer token. Hashes are compared in constant time, and a
 * missing token and a wrong one get the same kind of answer, so a caller learns nothing about tokens.
 */
export function consumerOf(header: string | undefined, tokens: ApiConfig['tokens']): { consumer: string; name: string } {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw new ApiError(401, 'unauthorized', 'send a bearer token: Authorization: Bearer <token>');
  const hash = Buffer.from(hashToken(m[1]!), 'hex');
  for (const t of tokens) {
    if (timingSafeEqual(hash, Buffer.from(t.sha256, 'hex'))) return { consumer: t.consumer, name: t.name };
  }
  throw new ApiError(401, 'unauthorized', 'the token is not valid');
}

/**
 * The tokens of `governance/api.yml` as they are now: read again when the file changed, checked at
 * most once a second, and at once for a token not known yet, so a token added while the server runs
 * works on its first request and a removed one stops working within a second. A file that does not
 * parse (saved half-way through an edit) leaves the last good tokens in force.
 */
export class TokenSource {
  private stamp: string;
  private checkedAt = Date.now();

  constructor(
    private readonly path: string,
    private tokens: ApiConfig['tokens'],
    private readonly load: () => ApiConfig['tokens'],
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.stamp = stampOf(path);
  }

  current(): ApiConfig['tokens'] {
    if (Date.now() - this.checkedAt >= 1000) this.refresh();
    return this.tokens;
  }

  /** For a token that matched none: the file may have gained it since the last look. */
  retry(): ApiConfig['tokens'] | undefined {
    if (Date.now() - this.checkedAt < 50) return undefined;
    return this.refresh() ? this.tokens : undefined;
  }

  private refresh(): boolean {
    this.checkedAt = Date.now();
    const stamp = stampOf(this.path);
    if (stamp === this.stamp) return false;
    try {
      this.tokens = this.load();
      this.stamp = stamp;
      return true;
    } catch (error) {
      this.onError(error);
      return false;
    }
  }
}

function stampOf(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

/** The consumer of a request, with tokens that follow the file. */
export function consumerFrom(header: string | undefined, source: TokenSource): { consumer: string; name: string } {
  try {
    return consumerOf(header, source.current());
  } catch (error) {
    const again = error instanceof ApiError && error.status === 401 && header ? source.retry() : undefined;
    if (!again) throw error;
    return consumerOf(header, again);
  }
}
