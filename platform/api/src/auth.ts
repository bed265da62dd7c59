import { timingSafeEqual } from 'node:crypto';
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
