import Foundation

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct CribleRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the built `crible` executable from the repository root, with the bundled rules.
func runCrible(_ arguments: [String], stdin: String? = nil) throws -> CribleRun {
    let process = Process()
    process.executableURL = Bundle.main.bundleURL.appendingPathComponent("crible")
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    var environment = ProcessInfo.processInfo.environment
    environment["CRIBLE_RULES"] = repositoryRoot.appendingPathComponent("Rules").path
    environment.removeValue(forKey: "NO_COLOR")
    process.environment = environment
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CribleRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}
