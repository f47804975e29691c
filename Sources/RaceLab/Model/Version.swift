/// racelab's own version, printed by `--version` and carried in every JSON report.
public enum RaceLabVersion {
    public static let current = "0.1.0"
}
