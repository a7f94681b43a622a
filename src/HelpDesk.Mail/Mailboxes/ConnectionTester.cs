using System.Net.Sockets;
using HelpDesk.Application.Mail;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace HelpDesk.Mail.Mailboxes;

/// <summary>One part of a connection test: an outcome code an admin can act on, and what the server said.</summary>
/// <param name="Outcome">ok, authentication_failed, authentication_unsupported, tls_failed, unknown_host, refused, unreachable, timeout, protocol_error, folder_not_found, not_configured, error.</param>
public sealed record ConnectionPartResult(string Outcome, string Message)
{
    public bool Ok => Outcome == ConnectionTester.Ok;
}

/// <summary>The answer to "test connection": IMAP and SMTP each on their own.</summary>
public sealed record ConnectionTestResult(ConnectionPartResult Imap, ConnectionPartResult Smtp);

/// <summary>
/// "Test connection" (docs/email.md, "Mailboxes"): connects, secures and signs in as the fetcher and the sender would
/// (same socket options), IMAP also opens the folder; nothing is read or sent. Each failure is classified so the admin
/// sees what to fix. Passwords are used, never returned or logged.
/// </summary>
public static class ConnectionTester
{
    public const string Ok = "ok";
    public const string NotConfigured = "not_configured";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<ConnectionPartResult> TestImapAsync(ImapMailboxOptions m, TimeSpan timeout, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(m.Host)) return new(NotConfigured, "No IMAP host is set.");
        return await RunAsync(timeout, ct, async token =>
        {
            using var client = new ImapClient { Timeout = (int)timeout.TotalMilliseconds };
            await client.ConnectAsync(m.Host, m.Port, m.UseTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None, token);
            await client.AuthenticateAsync(m.Username, m.Password ?? "", token);
            var folder = string.Equals(m.Folder, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(m.Folder, token);
            await folder.OpenAsync(FolderAccess.ReadOnly, token);
            var count = folder.Count;
            await client.DisconnectAsync(true, token);
            return $"Signed in to {m.Host}:{m.Port} and opened {folder.FullName} ({count} messages).";
        });
    }

    public static async Task<ConnectionPartResult> TestSmtpAsync(SmtpOptions o, TimeSpan timeout, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(o.Host)) return new(NotConfigured, "No SMTP host is set: outgoing mail waits in the outbox unless another SMTP server is configured.");
        return await RunAsync(timeout, ct, async token =>
        {
            using var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
            await client.ConnectAsync(o.Host, o.Port, o.UseTls ? SecureSocketOptions.Auto : SecureSocketOptions.None, token);
            var signedIn = false;
            if (!string.IsNullOrEmpty(o.Username))
            {
                await client.AuthenticateAsync(o.Username, o.Password ?? "", token);
                signedIn = true;
            }
            await client.DisconnectAsync(true, token);
            return signedIn ? $"Signed in to {o.Host}:{o.Port}." : $"Connected to {o.Host}:{o.Port} (no user name: no sign-in).";
        });
    }

    private static async Task<ConnectionPartResult> RunAsync(TimeSpan timeout, CancellationToken ct, Func<CancellationToken, Task<string>> test)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            return new(Ok, await test(limit.Token));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Classify(ex, timeout);
        }
    }

    /// <summary>What went wrong, in the words an admin acts on.</summary>
    public static ConnectionPartResult Classify(Exception ex, TimeSpan timeout) => ex switch
    {
        AuthenticationException => new("authentication_failed", $"The server refused the user name or password: {ex.Message}"),
        NotSupportedException when ex.Message.Contains("authentication", StringComparison.OrdinalIgnoreCase) =>
            new("authentication_unsupported", $"The server offers no sign-in on this connection (TLS may be needed first): {ex.Message}"),
        SslHandshakeException => new("tls_failed", $"The TLS handshake failed (wrong port for TLS, an untrusted certificate, or a server without TLS): {ex.Message}"),
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
            new("unknown_host", $"The host name cannot be resolved: {ex.Message}"),
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => new("refused", $"Nothing accepts connections on that port: {ex.Message}"),
        SocketException { SocketErrorCode: SocketError.TimedOut } => new("timeout", $"No answer within {timeout.TotalSeconds:0} s."),
        SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable } =>
            new("unreachable", $"The host cannot be reached from this server: {ex.Message}"),
        OperationCanceledException or TimeoutException => new("timeout", $"No answer within {timeout.TotalSeconds:0} s."),
        FolderNotFoundException => new("folder_not_found", $"Signed in, but the folder does not exist: {ex.Message}"),
        ImapProtocolException or SmtpProtocolException or ImapCommandException or SmtpCommandException =>
            new("protocol_error", $"The server did not answer as expected (is it the right port for this protocol?): {ex.Message}"),
        _ => new("error", ex.Message),
    };
}
