using System.Diagnostics;
using System.Net.Sockets;

namespace HelpDesk.Mail.Tests.Infrastructure;



/// <summary>
/// Dovecot (IMAP with IDLE, LMTP) and Postfix (SMTP delivering to Dovecot over LMTP) on loopback, on free ports in a
/// folder of their own, started once for the collection and stopped after it. A missing server fails the tests (CI
/// must never pass by skipping): scripts/test installs them. Shared with bench/ (mail-latency), so no xunit types here.
/// </summary>
public class MailServers
{
    public const string Password = "secret";
    public static readonly string[] Users = ["support", "customer", "agent", "other"];

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"hd-mail-{Guid.NewGuid():N}"[..20]);
    public int ImapPort { get; private set; }
    public int LmtpPort { get; private set; }
    public int SmtpPort { get; private set; }
    public bool PostfixRunning { get; private set; }

    public Task InitializeAsync() => InitializeCoreAsync(postfix: true);

    private async Task InitializeCoreAsync(bool postfix)
    {
        foreach (var exe in new[] { "/usr/sbin/dovecot", "/usr/sbin/postfix" })
            if (!File.Exists(exe)) throw new InvalidOperationException($"{exe} is not installed; run scripts/test (it installs dovecot-imapd, dovecot-lmtpd and postfix)");
        ImapPort = FreePort(); LmtpPort = FreePort(); SmtpPort = FreePort();
        Directory.CreateDirectory(Dir);
        foreach (var d in new[] { "run", "state", "mail", "postfix/spool", "postfix/data" }) Directory.CreateDirectory(Path.Combine(Dir, d));
        await File.WriteAllTextAsync(Path.Combine(Dir, "users"), string.Concat(Users.Select(u => $"{u}:{{PLAIN}}{Password}\n")));
        await File.WriteAllTextAsync(Path.Combine(Dir, "dovecot.conf"), $$"""
            protocols = imap lmtp
            listen = 127.0.0.1
            base_dir = {{Dir}}/run
            state_dir = {{Dir}}/state
            log_path = {{Dir}}/dovecot.log
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            # Wrong passwords are tested on purpose (mailbox connection tests): answer at once, and no growing penalty
            # for 127.0.0.1 (it would slow every later sign-in of the collection): the penalty socket refuses auth.
            auth_failure_delay = 0
            mail_location = maildir:{{Dir}}/mail/%n/Maildir
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%n {{Dir}}/users
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home={{Dir}}/mail/%n
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{ImapPort}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service anvil {
              unix_listener anvil-auth-penalty {
                mode = 0
              }
            }
            service auth {
              unix_listener auth-postfix {
                mode = 0666
              }
            }
            service lmtp {
              inet_listener lmtp {
                address = 127.0.0.1
                port = {{LmtpPort}}
              }
              unix_listener lmtp {
                mode = 0666
              }
            }
            protocol lmtp {
              auth_username_format = %n
            }
            """);
        await Run("chown", "-R", "nobody:nogroup", Path.Combine(Dir, "mail"));
        await Run("chmod", "755", Dir);
        await Run("/usr/sbin/dovecot", "-c", Path.Combine(Dir, "dovecot.conf"));
        await WaitForPort(ImapPort);
        if (postfix) await StartPostfixAsync();
    }

    /// <summary>Dovecot only (IMAP + LMTP), for the latency benchmark.</summary>
    public async Task StartDovecotAsync()
    {
        await InitializeCoreAsync(postfix: false);
    }

    public async Task StartPostfixAsync()
    {
        var pf = Path.Combine(Dir, "postfix");
        await File.WriteAllTextAsync(Path.Combine(pf, "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {pf}/spool
            data_directory = {pf}/data
            maillog_file = {pf}/postfix.log
            maillog_file_prefixes = /var, /dev/stdout, /tmp
            myhostname = helpdesk.test
            mydomain = helpdesk.test
            myorigin = helpdesk.test
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
            alias_maps =
            alias_database =
            local_recipient_maps =
            virtual_mailbox_domains = example.test
            virtual_transport = lmtp:inet:127.0.0.1:{LmtpPort}
            smtp_dns_support_level = disabled
            lmtp_host_lookup = native
            smtputf8_enable = no
            queue_run_delay = 1s
            minimal_backoff_time = 1s
            maximal_backoff_time = 2s
            smtpd_sasl_auth_enable = yes
            smtpd_sasl_type = dovecot
            smtpd_sasl_path = {Dir}/run/auth-postfix
            """);
        var master = (await File.ReadAllLinesAsync("/etc/postfix/master.cf")).Select(l =>
        {
            if (l.Length == 0 || char.IsWhiteSpace(l[0]) || l.StartsWith('#')) return l;
            var f = l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
            if (f.Count < 8) return l;
            if (f[0] == "smtp" && f[1] == "inet") f[0] = $"127.0.0.1:{SmtpPort}";
            f[4] = "n"; // chroot
            return string.Join(' ', f);
        });
        await File.WriteAllLinesAsync(Path.Combine(pf, "master.cf"), master);
        await Run("chown", "postfix", Path.Combine(pf, "data"));
        await Run("/usr/sbin/postfix", "-c", pf, "start");
        await WaitForPort(SmtpPort);
        PostfixRunning = true;
    }

    public async Task StopPostfixAsync()
    {
        await Run("/usr/sbin/postfix", "-c", Path.Combine(Dir, "postfix"), "stop");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (PortOpen(SmtpPort) && DateTime.UtcNow < deadline) await Task.Delay(50);
        PostfixRunning = false;
    }

    public async Task DisposeAsync()
    {
        if (PostfixRunning) try { await StopPostfixAsync(); } catch (Exception) { }
        try { await Run("/usr/bin/doveadm", "-c", Path.Combine(Dir, "dovecot.conf"), "stop"); } catch (Exception) { }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static int FreePort()
    {
        var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static bool PortOpen(int port)
    {
        try { using var c = new TcpClient(); c.Connect("127.0.0.1", port); return true; }
        catch (SocketException) { return false; }
    }

    private static async Task WaitForPort(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!PortOpen(port))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nothing listens on 127.0.0.1:{port}");
            await Task.Delay(50);
        }
    }

    private static async Task Run(string exe, params string[] args)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited {p.ExitCode}: {await err}{await output}");
    }
}

