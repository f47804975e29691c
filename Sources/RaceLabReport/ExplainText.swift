/// `racelab explain <scenario>`: the scenario's story under a one-line title. The
/// CLI hands over the scenario's words; the layout is the report's.
package enum ExplainText {
    package static func scenario(name: String, summary: String, story: String) -> String {
        "racelab explain \(name): \(summary)\n\n\(story)\n"
    }
}
