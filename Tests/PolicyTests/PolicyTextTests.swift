@testable import Policy
import Foundation
import Testing

/// Issue #11 item 4: what a person reads is what the policy tests. Each case here passed the old
/// exact-word, unnormalized rules without a hold or a denial.
@Suite("PolicyText")
struct PolicyTextTests {
    let gate = PolicyGate(config: .default)

    func evaluate(_ job: JobRequest) -> Decision {
        gate.evaluate(job, requester: Fixtures.requester, agency: Fixtures.agency, fileOwnerUID: 1001, now: Fixtures.now)
    }

    func job(justification: String) -> JobRequest {
        var job = Fixtures.job
        job.justification = justification
        return job
    }

    @Test("normalization: compatibility forms, format characters, marks and case", arguments: [
        ("ＰＲＯＴＥＳＴ", "protest"),
        ("pro\u{AD}test", "protest"),
        ("pro\u{200B}te\u{200C}s\u{200D}t\u{2060}", "protest"),
        ("\u{202E}protest\u{202C}\u{FEFF}", "protest"),
        ("prote\u{301}st", "protest"),
        ("Straße", "strasse"),
        ("ﬁre", "fire"),
        ("protest\u{FE0F}", "protest"),
    ])
    func normalization(text: String, expected: String) {
        #expect(PolicyText.normalized(text) == expected)
    }

    @Test("watch terms hold through inflections and hidden characters", arguments: [
        "Seen as he protested outside the bank, then robbed it at gunpoint",
        "Seen at the pro\u{AD}test outside the bank, then robbed it at gunpoint",
        "Seen at the pro\u{200B}test outside the bank, then robbed it at gunpoint",
        "Seen at the ＰＲＯＴＥＳＴ outside the bank, then robbed it at gunpoint",
        "Seen at the prote\u{301}st outside the bank, then robbed it at gunpoint",
        "Seen among the protesters outside the bank, then robbed it at gunpoint",
        "Seen at the CounterProtests outside the bank, then robbed it at gunpoint",
        "Seen at the demonstrations outside the bank, then robbed it at gunpoint",
        "Seen leaving the Mosques district, then robbing the bank at gunpoint",
    ])
    func watchTermsHold(justification: String) {
        guard case .hold(let terms) = evaluate(job(justification: justification)) else {
            Issue.record("not held: \(justification.debugDescription)")
            return
        }
        #expect(!terms.isEmpty)
    }

    @Test("the justification minimum counts visible characters")
    func visibleLength() {
        #expect(PolicyText.visibleLength(String(repeating: "\u{200B}", count: 30)) == 0)
        #expect(PolicyText.visibleLength(String(repeating: "\u{AD}", count: 40)) == 0)
        #expect(PolicyText.visibleLength(String(repeating: " ", count: 30)) == 0)
        #expect(PolicyText.visibleLength(String(repeating: "\u{2800}", count: 30)) == 0)
        #expect(PolicyText.visibleLength("a \u{200B}\u{200B}  b\n\tc") == 5) // "a b c"
        #expect(PolicyText.visibleLength(String(repeating: "é", count: 30)) == 30)
        #expect(PolicyText.visibleLength(String(repeating: "e\u{301}", count: 30)) == 30)
        #expect(PolicyText.visibleLength(String(repeating: "\u{301}", count: 30)) == 0)
        // A ligature that decomposes into 18 letters is one character, not 18.
        #expect(PolicyText.visibleLength("\u{FDFA}\u{FDFA}") == 2)
        #expect(PolicyText.visibleLength("ＡＢＣ") == 3)
        for filler in ["\u{200B}", "\u{AD}", "\u{2060}", "\u{FEFF}", "\u{180E}", "\u{3164}", "\u{2800}", " "] {
            #expect(evaluate(job(justification: String(repeating: filler, count: 30))) == .deny([.purposeJustificationTooShort]),
                    "\(filler.unicodeScalars.first!.value)")
            // 29 letters padded with invisible characters are still 29.
            let padded = String(repeating: "x", count: 29) + String(repeating: filler, count: 30)
            #expect(evaluate(job(justification: padded)) == .deny([.purposeJustificationTooShort]))
        }
        // A case number or offense of invisible characters is missing.
        var j = Fixtures.job
        j.caseNumber = "\u{200B}\u{200B}"
        j.offense = "\u{AD}"
        #expect(evaluate(j) == .deny([.purposeMissingCaseNumber, .purposeMissingOffense]))
    }

    /// The rule: the offense's normalized words must contain a listed crime as a whole-word
    /// sequence (exact words, no prefixes), outside every exception phrase.
    @Test("violent crimes are whole-word sequences outside the exception phrases", arguments: [
        ("assault", true),
        ("aggravated assault", true),
        ("Aggravated  ASSAULT with a deadly weapon", true),
        ("ＡＳＳＡＵＬＴ", true),
        ("as\u{AD}sault", true),
        ("battery", true),
        ("battery of a person", true),
        ("theft of a car battery", false),
        ("car-battery theft", false),
        ("theft of a car battery, then battery of the owner", true),
        ("possession of an assault rifle", false),
        ("sale of assault weapons", false),
        ("assault with an assault rifle", true),
        ("assaulted", false),
        ("shoplifting", false),
    ])
    func violentCrimes(offense: String, violent: Bool) {
        #expect(PolicyConfig.default.isViolentCrime(offense) == violent)
        var j = Fixtures.job
        j.purpose = "witness-or-victim"
        j.offense = offense
        #expect(evaluate(j) == (violent ? .allow : .deny([.purposeNotViolentCrime])))
    }

    @Test("protected-class and live-surveillance fields are recognized in disguise", arguments: [
        ("ｒａｃｅ", ReasonCode.useProtectedClassFilter),
        ("e\u{301}thnicity", .useProtectedClassFilter),
        ("RELIGİON", .useProtectedClassFilter),
        ("nationalＯrigin", .useProtectedClassFilter),
        ("ｓｔｒｅａｍ", .useLiveSurveillance),
        ("watch\u{200B}list", .useLiveSurveillance),
    ])
    func disguisedFields(key: String, code: ReasonCode) throws {
        let failure = try #require(JobRequest.parse(Fixtures.jobBytes([key: "x"])).failure)
        #expect(failure.reasons.contains(code), "\(failure.messages)")
        #expect(ProhibitedUse.isStreamURL("ｒｔｓｐ://10.0.0.5/live"))
    }
}
