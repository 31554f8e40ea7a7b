/// A reader and evaluator for the subset of PIL the storage machines use (spec storage-sm).
public enum PIL {}
