import type { ContractProperty } from '@mesh/contract';
import { FORMATS, OPERATORS } from './row-query';
import type { Port, Product } from './registry';

/**
 * The OpenAPI description of a product's endpoints, generated from its published contract: one path per
 * output port, a filter parameter per column typed as the contract types it, and the row schema.
 */

type JsonSchema = Record<string, unknown>;

function columnSchema(p: ContractProperty): JsonSchema {
  const base: JsonSchema =
    p.logicalType === 'integer' ? { type: 'integer' }
    : p.logicalType === 'number' ? { type: 'number' }
    : p.logicalType === 'boolean' ? { type: 'boolean' }
    : p.logicalType === 'date' ? { type: 'string', format: /TIMESTAMP/i.test(p.physicalType ?? '') ? 'date-time' : 'date' }
    : p.logicalType === 'array' ? { type: 'array' }
    : p.logicalType === 'object' ? { type: 'object' }
    : { type: 'string' };
  return {
    ...base,
    ...(p.required ? {} : { type: [base.type, 'null'] }),
    ...(p.description ? { description: p.description } : {}),
    ...(p.physicalType ? { 'x-duckdb-type': p.physicalType } : {}),
  };
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function portPaths(product: Product, port: Port): Record<string, unknown> {
  const props = port.contract?.properties ?? Object.values(port.node.columns).map((c) => ({ name: c.name, logicalType: 'string', required: false, description: c.description } as ContractProperty));
  const rowRef = { $ref: `#/components/schemas/${schemaName(port)}` };
  const filters = props.map((p) => ({
    name: p.name,
    in: 'query',
    required: false,
    description: `Filter on ${p.name}: ${OPERATORS.map((o) => (o === 'in' || o === 'between' ? `${o}.(a,b)` : o === 'is' ? 'is.null|is.not_null' : `${o}.<value>`)).join(', ')}`,
    schema: { type: 'string' },
  }));
  const common = [
    { name: 'select', in: 'query', description: 'Columns to return, comma-separated (all when left out).', schema: { type: 'string' } },
    { name: 'order', in: 'query', description: 'Sort: column.asc or column.desc, comma-separated.', schema: { type: 'string' } },
  ];
  const base = `/v1/products/${product.name}/ports/${port.name}`;
  const errors = { 400: errorResponse('A parameter is not valid; the message names it.'), 401: errorResponse('No token, or a token the API does not know.'), 403: errorResponse('The token\'s consumer is not granted this port.') };
  return {
    [`${base}/rows`]: {
      get: {
        summary: `${port.name}: a page of rows`,
        description: port.description,
        parameters: [
          ...common,
          { name: 'limit', in: 'query', description: 'Rows per page.', schema: { type: 'integer', minimum: 1 } },
          { name: 'cursor', in: 'query', description: 'next_cursor of the previous page.', schema: { type: 'string' } },
          { name: 'format', in: 'query', schema: { type: 'string', enum: FORMATS.filter((f) => f !== 'parquet') } },
          ...filters,
        ],
        responses: {
          200: {
            description: 'A page of rows; next_cursor is null on the last page.',
            content: {
              'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: rowRef }, next_cursor: { type: ['string', 'null'] } }, required: ['data', 'next_cursor'] } },
              'application/x-ndjson': { schema: rowRef },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...errors,
        },
      },
    },
    [`${base}/export`]: {
      get: {
        summary: `${port.name}: every matching row, streamed`,
        parameters: [...common, { name: 'format', in: 'query', schema: { type: 'string', enum: ['ndjson', 'csv', 'parquet'] } }, ...filters],
        responses: {
          200: { description: 'The rows.', content: { 'text/csv': {}, 'application/x-ndjson': {}, 'application/vnd.apache.parquet': {} } },
          ...errors,
        },
      },
    },
  };
}

const schemaName = (port: Port) => port.name.replace(/[^A-Za-z0-9_]/g, '_');

export function openApiFor(product: Product): Record<string, unknown> {
  const ports = [...product.ports.values()];
  return {
    openapi: '3.1.0',
    info: { title: `${product.name} data product`, version: product.version ?? '0.0.0', description: product.description, ...(product.owner ? { contact: { name: product.owner.team, email: product.owner.email } } : {}) },
    security: [{ bearer: [] }],
    paths: Object.assign({}, ...ports.map((p) => portPaths(product, p))),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, parameter: { type: 'string' } }, required: ['code', 'message'] } } },
        ...Object.fromEntries(ports.map((port) => [schemaName(port), {
          type: 'object',
          description: port.description,
          properties: Object.fromEntries((port.contract?.properties ?? []).map((p) => [p.name, columnSchema(p)])),
        }])),
      },
    },
  };
}
