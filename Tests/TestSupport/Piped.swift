import Foundation

/// `bytes` through a system program's standard input, and what it wrote to
/// standard output: how tests get data encoded by a reference tool (gzip,
/// brotli) rather than by our own code.
public func piped(_ bytes: [UInt8], through tool: String, _ arguments: String...) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    // Written from another thread: a tool that fills its output pipe before
    // reading all its input would otherwise wait on us forever.
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let result = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)"])
    }
    return Array(result)
}
