import { MeshError, type SourceLocation } from '@mesh/errors';

/**
 * `${VAR}` and `${VAR:-default}` in a configured path or URL, from the environment: the demo's raw data
 * folder (`${TEDDY_RAW_DIR:-../../data/teddy}`) or a webhook whose URL holds a secret. An unset variable
 * without a default is an error naming it, never an empty string that points somewhere else.
 */
export function expandEnv(text: string, env: Record<string, string | undefined>, location?: SourceLocation): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new MeshError('E_ENV_UNSET', `the environment variable ${name} is not set`, {
      location,
      hint: `Set ${name}, or give a default in the file: \${${name}:-value}.`,
    });
  });
}
