import Foundation
import Testing

/// Compares `actual` with the checked-in golden file at `url`;
/// `UPDATE_GOLDEN=1` rewrites the file instead (CI never sets it).
public func expectGolden(_ actual: String, _ url: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "\(url.lastPathComponent) differs from its golden file; rerun with UPDATE_GOLDEN=1 if the change is intended",
            sourceLocation: sourceLocation)
}
