import type { SourceLocation } from '@mesh/errors';
import type { ProjectFiles } from '../load/load-project';
import { lineOfText } from '../util/line-of-text';
import type { ModelProps } from './model-properties';

export interface ConfigSources {
  files: Pick<ProjectFiles, 'projectFilePath' | 'projectLineOf' | 'project'>;
  model: { path: string; text: string };
  entry?: ModelProps;
  folders: string[];
  name: string;
}

/**
 * Where a model's config key got its value, for an error about it: the model's `config()` call, its
 * properties entry, or the deepest level of the project file's `models:` tree that sets it (a name
 * level, a folder level), with the line. The model file when none of them does.
 */
export function configOrigin(key: string, value: unknown, sources: ConfigSources): SourceLocation {
  const { files, model, entry, folders, name } = sources;
  const literal = String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const inModel = lineOfText(model.text, new RegExp(`\\b${key}\\s*=\\s*['"]${literal}['"]`));
  if (inModel) return { file: model.path, line: inModel };
  if (entry) {
    const version = entry.version;
    if (version && (version.props.config as Record<string, unknown> | undefined)?.[key] === value) {
      return { file: entry.file.path, line: entry.file.lineOf(['models', entry.index, 'versions', version.index, 'config', key]) };
    }
    if ((entry.props.config as Record<string, unknown> | undefined)?.[key] === value) {
      return { file: entry.file.path, line: entry.file.lineOf(['models', entry.index, 'config', key]) };
    }
  }
  // The project file: the deepest level that sets the key wins, as it does when configs are merged.
  const path: PropertyKey[] = ['models'];
  let level: unknown = files.project.models;
  let found: PropertyKey[] | undefined;
  const look = (at: unknown, where: PropertyKey[]) => {
    if (!at || typeof at !== 'object') return;
    const record = at as Record<string, unknown>;
    if (record[`+${key}`] === value) found = [...where, `+${key}`];
    else if (record[key] === value) found = [...where, key];
  };
  look(level, path);
  for (const part of [files.project.name, ...folders, name]) {
    if (!level || typeof level !== 'object') break;
    level = (level as Record<string, unknown>)[part];
    path.push(part);
    look(level, path);
  }
  if (found) return { file: files.projectFilePath, line: files.projectLineOf(found) };
  return { file: model.path };
}
