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
