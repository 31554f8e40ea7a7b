import Foundation
import StorageSM
import TestSupport

/// The shipped storage ROM, as parsed JSON that tests can corrupt in memory and as the typed ROM.
enum ROMFixture {
    static let path = "storage-sm/storage_sm_rom.json"

    /// The shipped ROM, typed.
    static func rom() throws -> StorageROM {
        try StorageROM(contentsOf: Vectors.url(path))
    }

    /// The ROM JSON as a mutable tree.
    static func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Vectors.data(path))
        guard let top = object as? [String: Any] else { throw FixtureError.notAnObject }
        return top
    }

    /// Loads the ROM after `mutate` edits line `index` of `program` (as a dictionary).
    static func load(mutatingLine index: Int, _ mutate: (inout [String: Any]) -> Void) throws -> StorageROM {
        var top = try json()
        guard var program = top["program"] as? [[String: Any]] else { throw FixtureError.notAnObject }
        mutate(&program[index])
        top["program"] = program
        return try StorageROM(jsonData: JSONSerialization.data(withJSONObject: top))
    }

    /// Index of the first program line satisfying `predicate`.
    static func firstLine(where predicate: (StorageROMLine) -> Bool) throws -> Int {
        guard let i = try rom().lines.firstIndex(where: predicate) else { throw FixtureError.noSuchLine }
        return i
    }

    enum FixtureError: Error { case notAnObject, noSuchLine }
}
