/// A reader and evaluator for the subset of PIL the storage machines use (spec storage-sm).
///
/// Pipeline: ``Lexer`` → ``Parser`` (one file's ``Statement``s) → ``SourceLoader`` (follows
/// `include`) → ``Program`` (columns, intermediates and constraints per namespace, names resolved)
/// → ``ConstraintChecker`` (every identity on every row, plookups and permutations as multisets)
/// over ``ColumnData``. It shares no code with the executors: it is the independent check.
public enum PIL {}
