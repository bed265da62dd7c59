export { parseYamlFile, validateYaml, yamlLineOf, type ParsedYaml, type UnknownKey, type ValidateOptions, type YamlCache } from './parse-yaml';
export { formatZodIssues, formatPath } from './format-issues';
export { didYouMean, editDistance } from './did-you-mean';
export { knownKeysAt } from './parse-yaml';
