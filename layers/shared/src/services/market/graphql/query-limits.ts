/**
 * Depth and cost limits checked on the parsed query before anything runs. Depth is the number of
 * field levels, leaves included (`{ a { b } }` is 2), followed through fragments. Cost: every field costs 1, and a list field multiplies the
 * cost of what it selects by how many items it can return (its `limit` argument, or the field's
 * known size), so `tokens(limit: 100) { pools { token0 { ... } } }` is priced by what it fans out to.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 6, maxCost: 5000 };

/** List fields and how many items each returns when no `limit` is given. */
export const LIST_FIELD_SIZES: Readonly<Record<string, number>> = {
  tokens: 20,
  rankings: 10,
  pools: 5,
  gainers: 5,
  losers: 5,
  history: 24,
  series: 24,
};

function argumentValue(value: ValueNode, variables: Record<string, unknown>): unknown {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) return variables[value.name.value];
  return undefined;
}

function listSize(field: FieldNode, variables: Record<string, unknown>): number {
  const known = LIST_FIELD_SIZES[field.name.value];
  const limitArg = field.arguments?.find((arg) => arg.name.value === 'limit');
  const limit = limitArg === undefined ? undefined : argumentValue(limitArg.value, variables);
  if (typeof limit === 'number' && Number.isFinite(limit)) return Math.max(1, limit);
  return known ?? 1;
}

export function checkQueryLimits(
  document: DocumentNode,
  variables: Record<string, unknown>,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphQLError | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  const measure = (
    set: SelectionSetNode,
    depth: number,
    seen: ReadonlySet<string>,
  ): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        let childDepth = depth;
        let childCost = 0;
        if (selection.selectionSet !== undefined) {
          const child = measure(selection.selectionSet, depth + 1, seen);
          childDepth = child.depth;
          childCost = child.cost * listSize(selection, variables);
        }
        maxDepth = Math.max(maxDepth, childDepth);
        cost += 1 + childCost;
      } else {
        let inner: SelectionSetNode | undefined;
        let nextSeen = seen;
        if (selection.kind === Kind.INLINE_FRAGMENT) inner = selection.selectionSet;
        else {
          const name = selection.name.value;
          // A fragment spreading itself is rejected by validation; do not recurse forever before it.
          if (seen.has(name)) continue;
          inner = fragments.get(name)?.selectionSet;
          nextSeen = new Set([...seen, name]);
        }
        if (inner === undefined) continue;
        const child = measure(inner, depth, nextSeen);
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      }
    }
    return { depth: maxDepth, cost };
  };

  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const { depth, cost } = measure(definition.selectionSet, 1, new Set());
    if (depth > limits.maxDepth) {
      return new GraphQLError(`query depth ${depth} exceeds the limit of ${limits.maxDepth}`, {
        extensions: { code: 'QUERY_TOO_DEEP', depth, maxDepth: limits.maxDepth },
      });
    }
    if (cost > limits.maxCost) {
      return new GraphQLError(`query cost ${cost} exceeds the limit of ${limits.maxCost}`, {
        extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: limits.maxCost },
      });
    }
  }
  return undefined;
}
