import { Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';

/** The root fields that ingest a file: bounded by size and by the feed server's idle timeout, not by REQUEST_TIMEOUT_MS. */
const INGESTION_FIELDS = new Set(['ingestSnapshot']);

/**
 * Whether a request body's operation is ingestion only: a mutation whose root fields (fragments
 * expanded, aliases ignored) are all ingestSnapshot. Comments, strings, aliases and operation
 * names mentioning it do not count, nor does being a multipart request.
 */
export function isIngestionOperation(body: unknown): boolean {
  const { query, operationName } = (body ?? {}) as { query?: unknown; operationName?: unknown };
  // Cheap test first: nearly every request never mentions the field.
  if (typeof query !== 'string' || !query.includes('ingestSnapshot')) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens: 10_000 });
  } catch {
    return false;
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation =
    typeof operationName === 'string' && operationName
      ? operations.find((o) => o.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
  if (!operation || operation.operation !== 'mutation') return false;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])),
  );
  let fields = 0;
  const onlyIngestion = (set: SelectionSetNode, seen: Set<string>): boolean =>
    set.selections.every((s) => {
      if (s.kind === Kind.FIELD) {
        if (s.name.value === '__typename') return true;
        fields += 1;
        return INGESTION_FIELDS.has(s.name.value);
      }
      if (s.kind === Kind.INLINE_FRAGMENT) return onlyIngestion(s.selectionSet, seen);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return false;
      return onlyIngestion(fragment, new Set([...seen, s.name.value]));
    });
  return onlyIngestion(operation.selectionSet, new Set()) && fields > 0;
}
