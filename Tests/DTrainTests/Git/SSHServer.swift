import Foundation

@testable import GitKit

/// A real OpenSSH server on 127.0.0.1 and a random high port, with its own
/// host key, config and one authorised ed25519 client key, all in a
/// temporary directory. It serves git's upload-pack/receive-pack over ssh.
final class SSHServer {
    let directory: String
    let port: Int
    let clientKey: String
    let knownHosts: String
    let hostPublicKey: String
    private let pid: pid_t

    /// Why ssh tests cannot run here, or nil when they can.
    static var unavailableReason: String? {
        if !Credentials.sshSupported {
            return "libgit2 was built WITHOUT ssh (no GIT_FEATURE_SSH): ssh remotes unsupported"
        }
        for tool in ["/usr/sbin/sshd", "/usr/bin/ssh-keygen"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is missing (install openssh-server / openssh-client)"
        }
        return nil
    }

    init() throws {
        directory = try makeTemporaryDirectory("gitkit-sshd")
        clientKey = directory + "/client_ed25519"
        knownHosts = directory + "/known_hosts"
        let hostKey = directory + "/host_ed25519"
        try Self.keygen(hostKey)
        try Self.keygen(clientKey)
        hostPublicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: clientKey + ".pub", toPath: directory + "/authorized_keys")

        // sshd insists on its privilege separation directory.
        try FileManager.default.createDirectory(
            atPath: "/run/sshd", withIntermediateDirectories: true)

        // Try random ports until one binds.
        var lastError = "no attempt"
        for _ in 0..<8 {
            let candidate = Int.random(in: 20_000..<60_000)
            let config = directory + "/sshd_config"
            try Self.config(port: candidate, directory: directory, hostKey: hostKey)
                .write(toFile: config, atomically: true, encoding: .utf8)
            let log = directory + "/sshd-\(candidate).log"
            let server = try Self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", config], log: log)
            if Self.waitUntilListening(port: candidate, pid: server) {
                port = candidate
                pid = server
                let pub = hostPublicKey.split(separator: " ").prefix(2).joined(separator: " ")
                try "[127.0.0.1]:\(candidate) \(pub)\n"
                    .write(toFile: knownHosts, atomically: true, encoding: .utf8)
                return
            }
            Self.stop(server)
            lastError = (try? String(contentsOfFile: log, encoding: .utf8)) ?? "?"
        }
        removeDirectory(directory)
        throw CLIError(message: "sshd did not start: \(lastError)")
    }

    deinit {
        Self.stop(pid)
        removeDirectory(directory)
    }

    /// Starts a long-running program with posix_spawn, stderr to `log`.
    ///
    /// Not Foundation's Process: sshd closes every inherited descriptor,
    /// including the socket Process watches, and Process then blocks its
    /// shared monitor thread in waitpid until sshd exits, so no other child
    /// of the test process is ever reaped.
    private static func spawn(_ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for argument in argv { free(argument) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else {
            throw CLIError(
                message: "posix_spawn \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return child
    }

    private static func stop(_ child: pid_t) {
        kill(child, SIGTERM)
        var status: Int32 = 0
        waitpid(child, &status, 0)
    }

    /// `ssh://root@127.0.0.1:PORT/absolute/path`.
    func url(_ path: String) -> String {
        "ssh://\(NSUserName())@127.0.0.1:\(port)\(path)"
    }

    /// Credentials with the authorised key and this server's known_hosts.
    var credentials: Credentials {
        Credentials(privateKey: clientKey, publicKey: nil, knownHosts: knownHosts, user: nil)
    }

    /// A new ed25519 key pair nobody authorised.
    func strangerKey() throws -> String {
        let path = directory + "/stranger_ed25519"
        try Self.keygen(path)
        return path
    }

    private static func keygen(_ path: String) throws {
        let result = try runProgram(
            "/usr/bin/ssh-keygen",
            ["-q", "-t", "ed25519", "-N", "", "-C", "gitkit-test", "-f", path])
        guard result.status == 0 else { throw CLIError(message: "ssh-keygen: \(result.errors)") }
    }

    private static func config(port: Int, directory: String, hostKey: String) -> String {
        """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(hostKey)
        AuthorizedKeysFile \(directory)/authorized_keys
        PidFile \(directory)/sshd.pid
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        StrictModes no
        UsePAM no
        LogLevel ERROR
        MaxStartups 50

        """
    }

    /// Polls for a TCP connection to the port for up to 5 s.
    private static func waitUntilListening(port: Int, pid: pid_t) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        var status: Int32 = 0
        while Date() < deadline, waitpid(pid, &status, WNOHANG) == 0 {
            if canConnect(port: port) { return true }
            usleep(20_000)
        }
        return false
    }

    private static func canConnect(port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}
