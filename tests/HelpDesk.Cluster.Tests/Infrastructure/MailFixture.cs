using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace HelpDesk.Cluster.Tests.Infrastructure;

/// <summary>Real Postfix and Dovecot on loopback for one test class, and the nodes' settings to use them.</summary>
public sealed class MailFixture : MailServers, IAsyncLifetime
{
    /// <summary>The desk's own address (never one of the mailboxes the tests read or fill).</summary>
    public const string SystemAddress = "helpdesk@example.test";

    public IReadOnlyDictionary<string, string?> SmtpSettings => new Dictionary<string, string?>
    {
        ["HelpDesk:Mail:SystemAddress"] = SystemAddress,
        ["HelpDesk:Mail:Smtp:Host"] = "127.0.0.1",
        ["HelpDesk:Mail:Smtp:Port"] = $"{SmtpPort}",
        ["HelpDesk:Mail:Smtp:UseTls"] = "false",
        ["HelpDesk:Mail:Smtp:Username"] = "",
    };

    /// <summary>Every node fetches <paramref name="user"/>'s INBOX as mailbox "support" (IDLE re-issued every second).</summary>
    public IReadOnlyDictionary<string, string?> ImapSettings(string user) => new Dictionary<string, string?>
    {
        ["HelpDesk:Mail:SystemAddress"] = SystemAddress,
        ["HelpDesk:Mail:IdleSeconds"] = "1",
        ["HelpDesk:Mail:Imap:0:Name"] = "support",
        ["HelpDesk:Mail:Imap:0:Host"] = "127.0.0.1",
        ["HelpDesk:Mail:Imap:0:Port"] = $"{ImapPort}",
        ["HelpDesk:Mail:Imap:0:UseTls"] = "false",
        ["HelpDesk:Mail:Imap:0:Username"] = user,
        ["HelpDesk:Mail:Imap:0:Password"] = Password,
        ["HelpDesk:Mail:Imap:0:Folder"] = "INBOX",
        ["HelpDesk:Mail:Imap:0:Team"] = DeskCluster.Team,
    };

    private async Task<ImapClient> ConnectAsync(string user)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, Password);
        return client;
    }

    /// <summary>Appends <paramref name="messages"/> to <paramref name="user"/>'s INBOX over one connection.</summary>
    public async Task AppendAsync(string user, IEnumerable<MimeMessage> messages)
    {
        using var client = await ConnectAsync(user);
        foreach (var message in messages) await client.Inbox.AppendAsync(new AppendRequest(message));
        await client.DisconnectAsync(true);
    }

    /// <summary>The Message-ID of every message in <paramref name="user"/>'s INBOX whose subject contains <paramref name="subjectPart"/>, duplicates included.</summary>
    public async Task<IReadOnlyList<string>> MessageIdsAsync(string user, string subjectPart)
    {
        using var client = await ConnectAsync(user);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var uids = await client.Inbox.SearchAsync(SearchQuery.SubjectContains(subjectPart));
        var ids = uids.Count == 0 ? [] : (await client.Inbox.FetchAsync(uids, MessageSummaryItems.Envelope)).Select(s => s.Envelope?.MessageId ?? "").ToList();
        await client.DisconnectAsync(true);
        return ids;
    }
}
