import Foundation

/// PoseidonG's constant columns: blocks of 31 rows (row 0 of a block takes the inputs, rows 1…30
/// the rounds), following zkevm-proverjs `sm_poseidong.js` `buildConstants`. With r = i mod 31 and
/// h = ⌊i/31⌋, H = ⌊N/31⌋:
/// - LAST = 1 iff r = 30 or i = N − 1;  LASTBLOCK = 1 iff r = 30;  LATCH = 1 iff r = 0 and h < H;
/// - PARTIAL = 1 iff 4 ≤ r < 26 (the 22 partial rounds);
/// - C[j] = roundConstant[12·r + j] for r < 30, and 0 for r = 30.
public enum PoseidonGConstants {
    /// Rows per hash block (8 full + 22 partial rounds + 1).
    public static let blockRows = 31

    /// Reads the 360 round constants (`round_constants`, hex strings) from the Poseidon parameters
    /// file (`poseidon-constants.json`); each must be canonical.
    public static func roundConstants(contentsOf url: URL) throws(ConstantBuildError) -> [UInt64] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadableFile(path: url.path, reason: "\(error)")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .unreadableFile(path: url.path, reason: "not JSON: \(error)")
        }
        guard let top = object as? [String: Any], let list = top["round_constants"] as? [Any] else {
            throw .badRoundConstants("no round_constants array in \(url.path)")
        }
        guard list.count == 360 else { throw .badRoundConstants("\(list.count) entries, expected 360") }
        var constants: [UInt64] = []
        for (index, entry) in list.enumerated() {
            guard let text = entry as? String, text.hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16),
                value < ConstantPolynomials.prime
            else { throw .badRoundConstants("entry \(index) = \(entry) is not a canonical hex field element") }
            constants.append(value)
        }
        return constants
    }

    /// The columns LAST, LATCH, LASTBLOCK, PARTIAL, C[0..11] for `rowCount` rows.
    public static func columns(rowCount n: Int, roundConstants: [UInt64]) throws(ConstantBuildError) -> [String: [UInt64]] {
        guard roundConstants.count == 360 else { throw .badRoundConstants("\(roundConstants.count) entries, expected 360") }
        let maxHashes = n / blockRows
        var last = [UInt64](repeating: 0, count: n)
        var latch = last, lastBlock = last, partial = last
        var c = [[UInt64]](repeating: last, count: 12)
        for i in 0..<n {
            let r = i % blockRows
            last[i] = (r == blockRows - 1 || i == n - 1) ? 1 : 0
            lastBlock[i] = r == blockRows - 1 ? 1 : 0
            latch[i] = (r == 0 && i / blockRows < maxHashes) ? 1 : 0
            partial[i] = (r >= 4 && r < 26) ? 1 : 0
            if r < blockRows - 1 {
                for j in 0..<12 { c[j][i] = roundConstants[12 * r + j] }
            }
        }
        var columns: [String: [UInt64]] = [
            "PoseidonG.LAST": last, "PoseidonG.LATCH": latch, "PoseidonG.LASTBLOCK": lastBlock,
            "PoseidonG.PARTIAL": partial,
        ]
        for j in 0..<12 { columns["PoseidonG.C[\(j)]"] = c[j] }
        return columns
    }
}
