import { MeshError } from '@mesh/errors';
import type { QueryResult } from './agate';
import { JinjaSignal } from './errors';

/**
 * Database introspection while a node renders at run time, as dbt does it (`run_query`, `{% call statement %}`,
 * `adapter.get_columns_in_relation`, `adapter.get_relation`, `dbt_utils.get_relations_by_pattern`).
 *
 * Templates render synchronously and the adapters answer asynchronously, so a render is replayed: a question
 * the render has no answer for yet suspends it (a Suspend thrown through the template); the engine asks the
 * adapter that one question, then renders again from the start with every answer so far. The template only
 * ever sees real answers, each question reaches the database once (a statement with side effects runs once),
 * and the final render is exactly a single pass with a live connection. A node with k questions renders
 * k + 1 times; renders take well under a millisecond, the questions are what cost.
 */

export interface RelationRef {
  database: string;
  schema: string;
  identifier: string;
}

export type IntrospectionRequest =
  | { kind: 'statement'; sql: string; fetch: boolean; autoBegin?: boolean }
  | { kind: 'commit' }
  | { kind: 'columns'; relation: RelationRef }
  | { kind: 'relation'; relation: RelationRef }
  | { kind: 'relations'; database: string; schemaPattern: string; identifierPattern: string; exclude: string };

export interface StatementAnswer extends QueryResult {
  rowsAffected?: number;
}

export interface ColumnAnswer {
  name: string;
  type: string;
}

export type RelationAnswer = { kind: 'table' | 'view' } | null;

export interface RelationsAnswerItem extends RelationRef {
  kind: 'table' | 'view';
}

export type IntrospectionAnswer = StatementAnswer | ColumnAnswer[] | RelationAnswer | RelationsAnswerItem[] | null;

export interface AnswerOf {
  statement: StatementAnswer;
  commit: null;
  columns: ColumnAnswer[];
  relation: RelationAnswer;
  relations: RelationsAnswerItem[];
}

/** Thrown through a render that asked what it has no answer for yet. */
export class Suspend extends JinjaSignal {
  constructor(readonly request: IntrospectionRequest) {
    super(`suspended on ${request.kind}`);
  }
}

function sameRequest(a: IntrospectionRequest, b: IntrospectionRequest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function describe(request: IntrospectionRequest): string {
  switch (request.kind) {
    case 'statement':
      return request.sql.trim().split('\n')[0]!.slice(0, 120);
    case 'commit':
      return 'commit';
    case 'columns':
    case 'relation':
      return `${request.kind} of ${request.relation.schema}.${request.relation.identifier}`;
    default:
      return `relations like ${request.schemaPattern}.${request.identifierPattern}`;
  }
}

/** The answers one render may use, in the order it asks its questions. */
export class Introspection {
  private cursor = 0;

  constructor(readonly log: Array<{ request: IntrospectionRequest; answer: IntrospectionAnswer }> = []) {}

  ask<K extends IntrospectionRequest['kind']>(request: Extract<IntrospectionRequest, { kind: K }>): AnswerOf[K] {
    const entry = this.log[this.cursor];
    if (!entry) throw new Suspend(request);
    this.cursor++;
    if (!sameRequest(entry.request, request)) {
      throw new MeshError('E_JINJA_NONDETERMINISTIC', `the template asked the database something different when it rendered again: first "${describe(entry.request)}", then "${describe(request)}"`, {
        hint: 'A query whose text changes between renders of one node (a clock or a random value in it) cannot be replayed; take the time from run_started_at, which stays the same for the whole run.',
      });
    }
    return entry.answer as AnswerOf[K];
  }
}

/** Answers a request at the database: the adapter session's introspection capabilities. */
export type Answerer = (request: IntrospectionRequest) => Promise<IntrospectionAnswer>;

/** Most questions one render may ask before the engine assumes it loops. */
const MAX_QUESTIONS = 10_000;

/**
 * Renders until the render completes, answering each question it suspends on. Returns what the last render
 * returned and every question asked, in order.
 */
export async function renderWithIntrospection<T>(render: (introspection: Introspection) => T, answer: Answerer): Promise<{ value: T; questions: number }> {
  const log: Introspection['log'] = [];
  for (;;) {
    try {
      return { value: render(new Introspection(log)), questions: log.length };
    } catch (error) {
      const suspended = findSuspend(error);
      if (!suspended) throw error;
      if (log.length >= MAX_QUESTIONS) {
        throw new MeshError('E_JINJA_INTROSPECTION', `the template asked the database more than ${MAX_QUESTIONS} questions while rendering`, {
          hint: 'Look for a loop that runs a query per item; fetch the values with one query instead.',
        });
      }
      log.push({ request: suspended.request, answer: await answer(suspended.request) });
    }
  }
}

/** A Suspend, however deep nunjucks wrapped it. */
export function findSuspend(error: unknown): Suspend | undefined {
  let current = error;
  for (let i = 0; i < 12 && current; i++) {
    if (current instanceof Suspend) return current;
    current = (current as { cause?: unknown; original?: unknown }).original ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}
