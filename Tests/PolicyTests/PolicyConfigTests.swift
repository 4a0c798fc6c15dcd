@testable import Policy
import Foundation
import Testing

@Suite("PolicyConfig")
struct PolicyConfigTests {
    @Test("defaults")
    func defaults() {
        let c = PolicyConfig.default
        #expect(c.trainingValidityDays == 365)
        #expect(c.minimumJustificationLength == 30)
        #expect(c.defaultThreshold == 0.6)
        #expect(c.defaultMaxCandidates == 20)
        #expect(c.maxCandidatesRange == 2...50)
        #expect(c.watchTerms.contains("protest"))
        #expect(c.watchTerms.contains("rally"))
        #expect(c.watchTerms.contains("religious service"))
        #expect(c.isViolentCrime("Homicide"))
        #expect(!c.isViolentCrime("shoplifting"))
        #expect(throws: Never.self) { try c.validate() }
    }

    @Test("an empty object is the default policy; partial files keep the other defaults")
    func partial() throws {
        #expect(try PolicyConfig.load(jsonBytes: Array("{}".utf8)) == .default)
        let c = try PolicyConfig.load(jsonBytes: Array(#"{"training_validity_days": 180, "watch_terms": ["march"]}"#.utf8))
        #expect(c.trainingValidityDays == 180)
        #expect(c.watchTerms == ["march"])
        #expect(c.minimumJustificationLength == 30)
        #expect(c.maxProbeCPUSeconds == 60)
        let cpu = try PolicyConfig.load(jsonBytes: Array(#"{"max_probe_cpu_seconds": 2.5}"#.utf8))
        #expect(cpu.maxProbeCPUSeconds == 2.5)
        #expect(c.identityFields == ["2.015", "2.014"])
        #expect(try PolicyConfig.load(jsonBytes: Array(#"{"identity_fields": ["2.017", "2.015"]}"#.utf8)).identityFields == ["2.017", "2.015"])
    }

    @Test("the operating threshold's settings: target FPIR and candidate list")
    func operatingSettings() throws {
        #expect(PolicyConfig.default.targetFPIR == 0.01 && PolicyConfig.default.candidateList == .threshold)
        let c = try PolicyConfig.load(jsonBytes: Array(
            #"{"target_fpir": 0.001, "candidate_list": "ranked", "maximum_threshold": 0.7}"#.utf8))
        #expect(c.targetFPIR == 0.001 && c.candidateList == .ranked && c.maximumThreshold == 0.7)
        #expect(c.defaultThreshold == 0.6)
        let text = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        #expect(text.contains("\"candidate_list\":\"ranked\"") && text.contains("\"target_fpir\":0.001"))
        #expect(try PolicyConfig.load(jsonBytes: Array(text.utf8)) == c)
        do {
            _ = try PolicyConfig.load(jsonBytes: Array(#"{"candidate_list": "nearest"}"#.utf8))
            Issue.record("a bad candidate_list was accepted")
        } catch {
            #expect(error.description.contains("must be \"threshold\" or \"ranked\""))
        }
    }

    @Test("encoding and loading round-trip")
    func roundTrip() throws {
        var c = PolicyConfig.default
        c.retentionDays = 90
        c.violentCrimes = ["homicide"]
        let data = try JSONEncoder().encode(c)
        #expect(try PolicyConfig.load(jsonBytes: Array(data)) == c)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"retention_days\":90"))
    }

    @Test("bad files are refused, naming the key", arguments: [
        (#"{"training_validity_dayz": 10}"#, "training_validity_dayz"),
        (#"{"training_validity_days": "365"}"#, "training_validity_days"),
        (#"{"training_validity_days": 0}"#, "training_validity_days"),
        (#"{"minimum_justification_length": -1}"#, "minimum_justification_length"),
        (#"{"violent_crimes": []}"#, "violent_crimes"),
        (#"{"violent_crime_exceptions": [" "]}"#, "violent_crime_exceptions"),
        (#"{"violent_crime_exceptions": ["Battery"]}"#, "violent_crime_exceptions"),
        (#"{"default_threshold": 3}"#, "default_threshold"),
        (#"{"target_fpir": 0}"#, "target_fpir"),
        (#"{"target_fpir": 1.5}"#, "target_fpir"),
        (#"{"target_fpir": "1%"}"#, "target_fpir"),
        (#"{"candidate_list": "nearest"}"#, "candidate_list"),
        (#"{"candidate_list": 20}"#, "candidate_list"),
        (#"{"default_max_candidates": 60}"#, "default_max_candidates"),
        (#"{"audit_retention_days": 30}"#, "audit_retention_days"),
        (#"{"max_probe_cpu_seconds": 0}"#, "max_probe_cpu_seconds"),
        (#"{"max_probe_cpu_seconds": 86400}"#, "max_probe_cpu_seconds"),
        (#"{"retention_days": 1, "retention_days": 2}"#, "retention_days"),
        (#"{"identity_fields": ["10.015"]}"#, "identity_fields"),
        (#"{"identity_fields": ["2.SID"]}"#, "identity_fields"),
        ("[]", ""),
        ("{", ""),
        ("", ""),
    ])
    func refused(text: String, key: String) {
        #expect {
            _ = try PolicyConfig.load(jsonBytes: Array(text.utf8))
        } throws: { error in
            (error as? PolicyConfigError)?.key == key
        }
    }

    @Test("term matching is word-based and case-insensitive; prefixes only when asked")
    func matching() {
        #expect(PolicyConfig.matches(of: ["religious service"], in: "after the Religious  Service ended") == ["religious service"])
        #expect(PolicyConfig.matches(of: ["religious service"], in: "religious services") == [])
        #expect(PolicyConfig.matches(of: ["religious service"], in: "religious services", prefix: true) == ["religious service"])
        #expect(PolicyConfig.matches(of: ["religious service"], in: "religiously serviced", prefix: true) == [])
        #expect(PolicyConfig.matches(of: ["rally"], in: "rally.") == ["rally"])
        #expect(PolicyConfig.matches(of: ["rally"], in: "") == [])
    }
}
