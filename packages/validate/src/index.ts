export { parseYamlFile, validateYaml, yamlLineOf, type ParsedYaml, type YamlCache } from './parse-yaml';
export { formatZodIssues, formatPath } from './format-issues';
