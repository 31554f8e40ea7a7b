/// A reader and evaluator for the subset of PIL the storage machines use (spec storage-sm).
///
/// Pipeline: ``Lexer`` → ``Parser`` (one file's ``Statement``s) → ``SourceLoader`` (follows
/// `include`) → ``Program`` (columns, intermediates and constraints per namespace, names resolved)
/// → ``ConstraintChecker`` (every identity on every row, plookups and permutations as multisets)
/// over ``ColumnData``. It shares no code with the executors: it is the independent check.
/// ``ConstantPolynomials`` builds the storage programs' constant columns for a given N (from the
/// ROM and Poseidon JSON files); ``TableRule`` lets the checker test the ClimbKey table by rule.
public enum PIL {}
