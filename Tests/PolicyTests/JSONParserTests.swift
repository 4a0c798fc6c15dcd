@testable import Policy
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser().parse(Array(text.utf8))
    }

    @Test("values")
    func values() throws {
        #expect(try parse(" null ") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("-0.5e+3") == .number("-0.5e+3"))
        #expect(try parse(#""a\"\\\/\n\u00e9\ud83d\ude00""#) == .string("a\"\\/\né😀"))
        #expect(try parse(#"{"a":[1,{"b":null}],"a":2}"#) == .object([
            (key: "a", value: .array([.number("1"), .object([(key: "b", value: .null)])])),
            (key: "a", value: .number("2")),
        ]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([]))
    }

    @Test("refusals", arguments: [
        "", "01", "1.", ".5", "-", "+1", "[1,]", "{\"a\"}", "{\"a\":1,}", "tru", "nul", "\"\\x\"", "\"\t\"",
        "[1 2]", "{1:2}", "'a'", "\"abc", "[", "Infinity",
    ])
    func refusals(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try parse(text) }
    }

    @Test("depth limit")
    func depth() throws {
        var p = JSONParser()
        p.maximumDepth = 3
        #expect(try p.parse(Array("[[[1]]]".utf8)) == .array([.array([.array([.number("1")])])]))
        #expect(throws: JSONParser.Failure.self) { try p.parse(Array("[[[[1]]]]".utf8)) }
    }
}
