export { createApi, type ApiApp, type ApiOptions } from './app';
export { serveApi, type ApiServer, type ServeApiOptions } from './server';
export { addToken, removeToken, apiConfigSchema, hashToken, loadApiConfig, parseApiConfig, API_CONFIG_FILE, type ApiConfig, type ApiLimits } from './config';
export { ApiError } from './api-error';
export { parseRowQuery, type RowQuery } from './row-query';
export { assertKnownConsumer, knownConsumers, type KnownConsumers } from './consumers';
