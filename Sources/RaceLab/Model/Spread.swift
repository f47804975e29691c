/// Min, median and max of one figure over repeated runs. Quote the median.
package struct Spread: Codable, Sendable, Equatable {
    package var min: Double
    package var median: Double
    package var max: Double

    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
        median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
