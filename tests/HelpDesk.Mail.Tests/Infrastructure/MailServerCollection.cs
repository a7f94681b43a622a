namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>The mail servers as an xunit collection fixture: started once before the collection, stopped after it.</summary>
public sealed class MailServerFixture : MailServers, IAsyncLifetime;

[CollectionDefinition(Name)]
public sealed class MailServerCollection : ICollectionFixture<MailServerFixture>
{
    public const string Name = "mail servers";
}
