using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>A second IMAP client playing the other side: appends customer mail, reads what arrived.</summary>
public sealed class ImapProbe(MailServers servers)
{
    private async Task<ImapClient> ConnectAsync(string user)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", servers.ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, MailServers.Password);
        return client;
    }

    public async Task CreateFolderAsync(string user, string folder)
    {
        using var client = await ConnectAsync(user);
        await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(folder, true);
        await client.DisconnectAsync(true);
    }

    public async Task AppendAsync(string user, string folder, string raw)
    {
        using var client = await ConnectAsync(user);
        var target = folder == "INBOX" ? client.Inbox : await client.GetFolderAsync(folder);
        await target.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n"))))));
        await client.DisconnectAsync(true);
    }

    /// <summary>
    /// Appends exactly these bytes (an mbox envelope line, anything MimeKit would rewrite), speaking IMAP APPEND with
    /// a literal over a plain connection, as a delivery agent writing into the mailbox would leave them.
    /// </summary>
    public async Task AppendRawAsync(string user, string folder, byte[] raw)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", servers.ImapPort);
        var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        // Reads up to the line starting with what is expected; a tagged NO or BAD on the way fails.
        async Task ExpectAsync(string expected)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(expected, StringComparison.Ordinal)) return;
                if (line.Length > 1 && line[0] is not ('*' or '+')) throw new InvalidOperationException($"IMAP said: {line}");
            }
            throw new EndOfStreamException("the IMAP server closed the connection");
        }
        async Task SendAsync(string command) => await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command + "\r\n"));
        await ExpectAsync("* OK");
        await SendAsync($"a LOGIN {user} {MailServers.Password}");
        await ExpectAsync("a OK");
        await SendAsync($"b APPEND \"{folder}\" {{{raw.Length}}}");
        await ExpectAsync("+");
        await stream.WriteAsync(raw);
        await SendAsync("");
        await ExpectAsync("b OK");
        await SendAsync("c LOGOUT");
    }

    /// <summary>Messages in <paramref name="user"/>'s INBOX whose subject contains <paramref name="subjectPart"/>.</summary>
    public async Task<IReadOnlyList<MimeMessage>> FindAsync(string user, string subjectPart)
    {
        using var client = await ConnectAsync(user);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var uids = await client.Inbox.SearchAsync(SearchQuery.SubjectContains(subjectPart));
        var result = new List<MimeMessage>();
        foreach (var uid in uids) result.Add(await client.Inbox.GetMessageAsync(uid));
        await client.DisconnectAsync(true);
        return result;
    }

    public async Task<MessageFlagsInfo> FlagsAsync(string user, string folder)
    {
        using var client = await ConnectAsync(user);
        var f = folder == "INBOX" ? client.Inbox : await client.GetFolderAsync(folder);
        await f.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await f.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.UniqueId);
        await client.DisconnectAsync(true);
        return new MessageFlagsInfo(summaries.Count, summaries.Count(s => s.Keywords.Contains(Imap.ImapMailboxFetcher.ProcessedKeyword)));
    }

    public sealed record MessageFlagsInfo(int Messages, int Acknowledged);
}
