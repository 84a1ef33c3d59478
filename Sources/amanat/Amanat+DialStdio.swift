import AmanatClient
import ArgumentParser
import Glibc

extension Amanat {
    /// The far end of `amanat --host ssh://…`: what `ssh` runs on the intake host. It connects to amanatd's
    /// local socket and copies bytes both ways between it and standard input and output until amanatd closes the
    /// connection; it parses nothing, as Docker's `docker system dial-stdio` does. amanatd sees the uid the SSH
    /// login runs as, so the volunteer's own account and groups decide what they may do.
    struct DialStdio: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dial-stdio",
            abstract: "Relay standard input and output to amanatd's socket (run by ssh for `amanat --host ssh://`).",
            discussion: """
                Restrict a volunteer's SSH key to this command in the intake host's authorized_keys, for example:
                restrict,command="/usr/local/bin/amanat dial-stdio" ssh-ed25519 AAAA… volunteer@laptop
                """
        )

        @OptionGroup var options: GlobalOptions

        func run() throws {
            // A closed standard output must end the relay with an error, not kill it silently.
            signal(SIGPIPE, SIG_IGN)
            let socket: Int32
            do {
                socket = try UnixSocketDialer.connect(path: options.socketPath)
            } catch {
                fail(error.description, code: Exit.unreachable)
            }
            Glibc.exit(Relay(socket: socket).run())
        }
    }
}

/// Copies stdin to the socket and the socket to stdout with poll(2). Standard input ending is not passed on as a
/// half-close (amanatd, like many HTTP servers, treats one as the end of the connection and would drop an answer
/// still being prepared); the relay ends when amanatd closes the connection, or when standard output is gone.
struct Relay {
    let socket: Int32

    func run() -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var inputOpen = true
        while true {
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            if inputOpen { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return Exit.failure
            }
            if fds[0].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                // amanatd closed the connection (or it broke): nothing more can come.
                guard count > 0 else { return count == 0 ? 0 : Exit.unreachable }
                guard Self.writeAll(STDOUT_FILENO, buffer, count) else { return Exit.failure }
            }
            if inputOpen, fds.count > 1, fds[1].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    inputOpen = false
                } else if !Self.writeAll(socket, buffer, count) {
                    return Exit.unreachable
                }
            }
        }
    }

    static func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = buffer.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == ENOTSOCK {
                // Standard output is a pipe or a file, not a socket: plain write, with SIGPIPE ignored below.
                let plain = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, count - offset) }
                if plain < 0 && errno == EINTR { continue }
                guard plain > 0 else { return false }
                offset += plain
                continue
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
