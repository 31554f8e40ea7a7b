extension StorageROMLine {
    /// The 0/1 keys of spec §2 and the property each sets.
    private static var flagKeys: [String: WritableKeyPath<StorageROMLine, Bool>] { [
        "inOLD_ROOT": \.inOldRoot, "inNEW_ROOT": \.inNewRoot, "inVALUE_LOW": \.inValueLow,
        "inVALUE_HIGH": \.inValueHigh, "inSIBLING_VALUE_HASH": \.inSiblingValueHash, "inRKEY": \.inRkey,
        "inRKEY_BIT": \.inRkeyBit, "inLEVEL": \.inLevel, "inROTL_VH": \.inRotlVh,
        "setHASH_LEFT": \.setHashLeft, "setHASH_RIGHT": \.setHashRight, "setOLD_ROOT": \.setOldRoot,
        "setNEW_ROOT": \.setNewRoot, "setVALUE_LOW": \.setValueLow, "setVALUE_HIGH": \.setValueHigh,
        "setSIBLING_VALUE_HASH": \.setSiblingValueHash, "setRKEY": \.setRkey, "setSIBLING_RKEY": \.setSiblingRkey,
        "setRKEY_BIT": \.setRkeyBit, "setLEVEL": \.setLevel,
        "jmp": \.jmp, "jmpz": \.jmpz, "jmpnz": \.jmpnz,
        "hash": \.hash, "hashType": \.hashType, "climbRkey": \.climbRkey, "climbSiblingRkey": \.climbSiblingRkey,
        "climbBitN": \.climbBitN, "latchGet": \.latchGet, "latchSet": \.latchSet,
    ] }

    /// Keys handled outside the flag table.
    private static let otherKeys: Set<String> = [
        "line", "fileName", "lineStr", "CONST", "inFREE", "freeInTag", "inSIBLING_RKEY", "jmpAddress",
        "jmpAddressLabel",
    ]

    /// Limit (exclusive, both signs) of `CONST` and `inSIBLING_RKEY`.
    private static let constantBound: Int64 = 1 << 32

    /// Parses and validates `program[index]` (spec §2 invariants).
    static func parse(_ value: JSONValue, index: Int, programLength: Int) throws(StorageROMError) -> StorageROMLine {
        func fail(_ field: String, _ problem: StorageROMLineProblem) -> StorageROMError {
            .invalidLine(index: index, field: field, problem: problem)
        }
        func integer(_ field: String, _ v: JSONValue) throws(StorageROMError) -> Int64 {
            guard case let .integer(i) = v else { throw fail(field, .wrongType(expected: "integer", found: v.typeName)) }
            return i
        }
        func string(_ field: String, _ v: JSONValue) throws(StorageROMError) -> String {
            guard case let .string(s) = v else { throw fail(field, .wrongType(expected: "string", found: v.typeName)) }
            return s
        }
        func bounded(_ field: String, _ v: JSONValue) throws(StorageROMError) -> Int64 {
            let i = try integer(field, v)
            guard i > -constantBound, i < constantBound else { throw fail(field, .outOfRange(i)) }
            return i
        }

        let flagKeys = Self.flagKeys
        guard case let .object(fields) = value else {
            throw fail("", .wrongType(expected: "object", found: value.typeName))
        }
        for key in fields.keys.sorted() where flagKeys[key] == nil && !otherKeys.contains(key) {
            throw fail(key, .unknownKey)
        }
        guard let lineValue = fields["line"] else { throw fail("line", .missing) }
        guard let fileValue = fields["fileName"] else { throw fail("fileName", .missing) }
        guard let textValue = fields["lineStr"] else { throw fail("lineStr", .missing) }
        let sourceLine = try integer("line", lineValue)
        guard let sourceLineInt = Int(exactly: sourceLine) else { throw fail("line", .outOfRange(sourceLine)) }
        var line = StorageROMLine(sourceLine: sourceLineInt, fileName: try string("fileName", fileValue),
                                  lineStr: try string("lineStr", textValue))

        for key in fields.keys.sorted() {
            guard let path = flagKeys[key], let v = fields[key] else { continue }
            let flag = try integer(key, v)
            guard flag == 0 || flag == 1 else { throw fail(key, .notBinary(flag)) }
            line[keyPath: path] = flag == 1
        }
        if let v = fields["CONST"] { line.constant = try bounded("CONST", v) }
        if let v = fields["inSIBLING_RKEY"] { line.inSiblingRkey = Int(try bounded("inSIBLING_RKEY", v)) }
        if let v = fields["jmpAddressLabel"] { line.jmpAddressLabel = try string("jmpAddressLabel", v) }

        // Free input.
        var inFree = false
        if let v = fields["inFREE"] {
            let flag = try integer("inFREE", v)
            guard flag == 0 || flag == 1 else { throw fail("inFREE", .notBinary(flag)) }
            inFree = flag == 1
        }
        let climbs = line.climbRkey || line.climbSiblingRkey
        let instruction = line.hash ? "hash" : line.climbRkey ? "climbRkey" : line.climbSiblingRkey ? "climbSiblingRkey" : nil
        if let instruction, !inFree { throw fail("inFREE", .requiredBy(instruction)) }
        if inFree {
            guard let tagValue = fields["freeInTag"] else { throw fail("freeInTag", .requiredBy("inFREE")) }
            guard case let .object(tag) = tagValue else {
                throw fail("freeInTag", .wrongType(expected: "object", found: tagValue.typeName))
            }
            for key in tag.keys.sorted() where !["op", "funcName", "params"].contains(key) {
                throw fail("freeInTag.\(key)", .unknownKey)
            }
            guard let opValue = tag["op"] else { throw fail("freeInTag.op", .missing) }
            let op = try string("freeInTag.op", opValue)
            switch op {
            case "functionCall":
                if let instruction {
                    throw fail("freeInTag.op", .conflict("a \(instruction) line takes its free input from the instruction (op \"\")"))
                }
                guard let nameValue = tag["funcName"] else { throw fail("freeInTag.funcName", .missing) }
                let name = try string("freeInTag.funcName", nameValue)
                guard let function = StorageFreeInputFunction(rawValue: name) else {
                    throw fail("freeInTag.funcName", .unknownFunction(name))
                }
                if let params = tag["params"] {
                    guard case let .array(list) = params, list.isEmpty else {
                        throw fail("freeInTag.params", .wrongType(expected: "empty array", found: params.typeName))
                    }
                }
                line.freeInput = .function(function)
            case "":
                guard instruction != nil else {
                    throw fail("freeInTag.op", .conflict("op \"\" needs hash, climbRkey or climbSiblingRkey on the line"))
                }
                line.freeInput = .instruction
            default:
                throw fail("freeInTag.op", .unknownFreeInOp(op))
            }
        } else if fields["freeInTag"] != nil {
            throw fail("freeInTag", .conflict("freeInTag without inFREE"))
        }

        // Instruction exclusivity and dependent flags.
        if line.hashType && !line.hash { throw fail("hashType", .conflict("hashType on a line without hash")) }
        if line.climbBitN && !climbs { throw fail("climbBitN", .conflict("climbBitN on a line without a climb")) }
        if line.climbRkey && line.climbSiblingRkey {
            throw fail("climbSiblingRkey", .conflict("climbRkey and climbSiblingRkey on the same line"))
        }
        if line.hash && climbs { throw fail("hash", .conflict("hash and a climb on the same line")) }
        if line.climbRkey && !line.setRkey { throw fail("setRKEY", .requiredBy("climbRkey")) }
        if line.climbSiblingRkey && !line.setSiblingRkey { throw fail("setSIBLING_RKEY", .requiredBy("climbSiblingRkey")) }
        if line.latchGet && line.latchSet { throw fail("latchSet", .conflict("latchGet and latchSet on the same line")) }
        if line.hash && (line.latchGet || line.latchSet) { throw fail("hash", .conflict("hash on a latch line")) }

        // Jumps.
        let jumpCount = (line.jmp ? 1 : 0) + (line.jmpz ? 1 : 0) + (line.jmpnz ? 1 : 0)
        if jumpCount > 1 { throw fail("jmp", .conflict("more than one of jmp, jmpz, jmpnz")) }
        if let v = fields["jmpAddress"] {
            let target = try integer("jmpAddress", v)
            guard jumpCount == 1 else { throw fail("jmpAddress", .conflict("jmpAddress on a line without a jump")) }
            guard target >= 0, target < Int64(programLength) else {
                throw fail("jmpAddress", .jumpTargetOutOfRange(target, programLength: programLength))
            }
            line.jmpAddress = Int(target)
        } else if jumpCount == 1 {
            throw fail("jmpAddress", .requiredBy(line.jmp ? "jmp" : line.jmpz ? "jmpz" : "jmpnz"))
        }
        return line
    }
}
