export { parseYamlFile, validateYaml, type ParsedYaml } from './parse-yaml';
export { formatZodIssues, formatPath } from './format-issues';
