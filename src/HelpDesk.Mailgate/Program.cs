using System.Diagnostics;
using System.Net;

namespace HelpDesk.Mailgate;

/// <summary>
/// <c>helpdesk-mailgate [--url URL] [--mailbox NAME] [--fallback "COMMAND ARGS"]</c>: one message on stdin, one JSON line
/// on stdout, the exit codes of email.md (0 stored, 65 not mail, 75 try again later). The running server stores and
/// processes the message (POST /mailgate on loopback); when it does not answer, the fallback command (normally
/// <c>helpdesk mailgate</c>, which opens the database itself) gets the same bytes; without a fallback the MTA is told to
/// retry (75), so a message is never lost. Whether the input is mail at all is never decided here: the server (422) or
/// the fallback (its exit code) answers with HelpDesk.Mail's MailParsing.LooksLikeMail, which this dependency-free
/// client cannot reference (docs/email.md, "What the parser accepts").
/// </summary>
public static class Program
{
    public const int ExOk = 0, ExUsage = 64, ExDataErr = 65, ExTempFail = 75;
    public const string DefaultUrl = "http://127.0.0.1:5000";

    public static async Task<int> Main(string[] args)
    {
        string? url = Environment.GetEnvironmentVariable("HELPDESK_MAILGATE_URL"), mailbox = null;
        var fallback = Environment.GetEnvironmentVariable("HELPDESK_MAILGATE_FALLBACK");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url" when i + 1 < args.Length: url = args[++i]; break;
                case "--mailbox" when i + 1 < args.Length: mailbox = args[++i]; break;
                case "--fallback" when i + 1 < args.Length: fallback = args[++i]; break;
                default:
                    Console.Error.WriteLine($"helpdesk-mailgate: unknown argument '{args[i]}'; usage: helpdesk-mailgate [--url URL] [--mailbox NAME] [--fallback \"COMMAND ARGS\"]");
                    return ExUsage;
            }
        }

        byte[] raw;
        using (var buffer = new MemoryStream())
        {
            await Console.OpenStandardInput().CopyToAsync(buffer);
            raw = buffer.ToArray();
        }

        var handedOff = await HandOffAsync(string.IsNullOrWhiteSpace(url) ? DefaultUrl : url, mailbox, raw);
        if (handedOff is { } exit) return exit;
        if (string.IsNullOrWhiteSpace(fallback))
        {
            Console.Error.WriteLine("helpdesk-mailgate: the help desk server did not answer and no fallback is configured; try again later");
            return ExTempFail;
        }
        return await FallbackAsync(fallback, mailbox, raw);
    }

    /// <summary>The server's answer as an exit code, or null when it did not answer properly (then the fallback stores it).</summary>
    private static async Task<int?> HandOffAsync(string url, string? mailbox, byte[] raw)
    {
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
            var target = url.TrimEnd('/') + "/mailgate" + (mailbox is null ? "" : "?mailbox=" + Uri.EscapeDataString(mailbox));
            using var response = await http.PostAsync(target, new ByteArrayContent(raw));
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                Console.Error.WriteLine("helpdesk-mailgate: the input is not an e-mail message");
                return ExDataErr;
            }
            if (!response.IsSuccessStatusCode) return null;
            Console.Out.WriteLine((await response.Content.ReadAsStringAsync()).Trim());
            return ExOk;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            return null;
        }
    }

    /// <summary>Runs the fallback command with the message on its stdin and passes its output and exit code through.</summary>
    private static async Task<int> FallbackAsync(string command, string? mailbox, byte[] raw)
    {
        var words = Words(command);
        var info = new ProcessStartInfo(words[0]) { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var w in words.Skip(1)) info.ArgumentList.Add(w);
        if (mailbox is not null) { info.ArgumentList.Add("--mailbox"); info.ArgumentList.Add(mailbox); }
        try
        {
            using var process = Process.Start(info)!;
            await process.StandardInput.BaseStream.WriteAsync(raw);
            process.StandardInput.Close();
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
        {
            Console.Error.WriteLine($"helpdesk-mailgate: the fallback '{words[0]}' could not run: {ex.Message}; try again later");
            return ExTempFail;
        }
    }

    /// <summary>Splits a command line on spaces, keeping "quoted parts" together.</summary>
    public static List<string> Words(string command)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in command)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (c == ' ' && !quoted)
            {
                if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }
}
