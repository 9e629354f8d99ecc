import Foundation

/// A new, empty folder under the system's temporary folder, named
/// `prefix-UUID` so that tests running at once never share one.
public func temporaryFolder(_ prefix: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
